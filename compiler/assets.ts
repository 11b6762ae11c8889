// Locates the files that ship inside the package (catalog, engine Rego, prebuilt policy.wasm),
// the same way whether running from the TypeScript sources or from dist/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === 'rolecall') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`rolecall package root not found above ${start}`);
    dir = parent;
  }
}

export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Folder of the hand-written engine Rego (package rolecall). */
export const engineDir = path.join(packageRoot, 'policies', 'engine');

/** The engine compiled to WebAssembly by `npm run build` (scripts/build-wasm.ts). */
export const policyWasmPath = path.join(packageRoot, 'policies', 'build', 'policy.wasm');

/** Entrypoints compiled into policy.wasm and listed in the bundle manifest. */
export const ENTRYPOINTS = [
  'rolecall/allow',
  'rolecall/decision',
  'rolecall/capabilities',
  'rolecall/query_filter',
  'rolecall/batch',
] as const;

export type Entrypoint = (typeof ENTRYPOINTS)[number];

/** The version of the installed package (package.json). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
