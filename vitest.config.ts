import { appendFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// CI shows only the tail of the output, where vitest's full report of an unhandled error has
// scrolled away; scripts/test.sh prints this file last so the cause is always visible.
const unhandledLog = process.env['ROLECALL_UNHANDLED_LOG'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on CI: keep parallelism modest so OPA servers and WASM instances do not starve.
    maxWorkers: 2,
    onUnhandledError(error) {
      if (unhandledLog === undefined) return;
      const details = error as Error & {
        type: string;
        VITEST_TEST_PATH?: string;
        VITEST_TEST_NAME?: string;
      };
      const where = [details.VITEST_TEST_PATH, details.VITEST_TEST_NAME]
        .filter(Boolean)
        .join(' > ');
      const stack = (details.stack ?? '').split('\n').slice(0, 8).join('\n');
      appendFileSync(
        unhandledLog,
        `--- ${details.type} in ${where || 'unknown test'}\n${details.name}: ${details.message}\n${stack}\n`,
      );
    },
  },
});
