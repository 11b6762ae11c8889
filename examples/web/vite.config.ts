// Vite build of the demo page (examples/web/demo.ts builds it with this config and serves it
// next to the reference server).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: 'out',
    emptyOutDir: true,
    target: 'es2022',
  },
});
