// A server starts without deprecation warnings: none from Node's process warnings (fastify's
// FSTDEP codes) and none in its own log (ajv's option notices). Its own file, so no earlier
// server in the same process has already used up a once-per-process warning.
import { describe, expect, it, vi } from 'vitest';
import { startTestServer } from '../support/server.js';

describe('server start', () => {
  it('emits no process warning and logs no warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    // Ajv writes its notices to the console unless given a logger.
    const consoleWarn = vi.spyOn(console, 'warn');
    const lines: Record<string, unknown>[] = [];
    const test = await startTestServer('pglite', {
      logs: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    try {
      // Process warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
      expect(consoleWarn).not.toHaveBeenCalled();
      // pino levels: 40 is warn, 50 error.
      expect(lines.filter((line) => Number(line['level']) >= 40)).toEqual([]);
      expect(lines.length).toBeGreaterThan(0);
    } finally {
      process.off('warning', onWarning);
      consoleWarn.mockRestore();
      await test.close();
    }
  });
});
