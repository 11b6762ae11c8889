import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on CI: keep parallelism modest so OPA servers and WASM instances do not starve.
    maxWorkers: 2,
  },
});
