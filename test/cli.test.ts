import { describe, expect, it } from 'vitest';
import { main } from '../cli/run.js';
import { captureCliIo } from './support/cli-io.js';

describe('rolecall CLI dispatch', () => {
  it('exits 2 with usage on no command', async () => {
    const io = captureCliIo(process.cwd());
    expect(await main([], io)).toBe(2);
    expect(io.err()).toContain('usage: rolecall');
  });

  it('exits 2 on an unknown command and names it', async () => {
    const io = captureCliIo(process.cwd());
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
  });
});
