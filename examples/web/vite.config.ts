// Vite build of the demo page (examples/web/demo.ts builds it with this config and serves it
// next to the reference server).
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const STUB_ID = '\0rolecall-unused-opa-builtin';

/**
 * opa-wasm registers JavaScript builtins for yaml.* (the `yaml` package) and sprintf
 * (`sprintf-js`); the rolecall engine calls neither, so they are swapped for a stub here and
 * the page's JavaScript shrinks to about a quarter (docs/frontend.md, bench/browser-size.ts).
 */
function stubUnusedOpaBuiltins(): Plugin {
  return {
    name: 'rolecall-stub-unused-opa-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      const fromOpaWasm = importer?.replaceAll('\\', '/').includes('/@open-policy-agent/opa-wasm/');
      return (source === 'yaml' || source === 'sprintf-js') && fromOpaWasm === true
        ? STUB_ID
        : null;
    },
    load(id) {
      if (id !== STUB_ID) return null;
      return `const unavailable = () => { throw new Error('not bundled: the rolecall engine does not use it'); };
export const parse = unavailable, stringify = unavailable, vsprintf = unavailable, sprintf = unavailable;
export default { parse, stringify, vsprintf, sprintf };`;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  plugins: [stubUnusedOpaBuiltins()],
  build: {
    outDir: 'out',
    emptyOutDir: true,
    target: 'es2022',
  },
});
