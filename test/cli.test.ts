import { describe, expect, it } from 'vitest';
import { main } from '../cli/run.js';
import type { CliIo } from '../cli/io.js';

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readStdin: () => Promise.resolve(''),
    cwd: process.cwd(),
  };
}

describe('rolecall CLI dispatch', () => {
  it('exits 2 with usage on no command', async () => {
    const io = captureIo();
    expect(await main([], io)).toBe(2);
    expect(io.err.join('')).toContain('usage: rolecall');
  });

  it('exits 2 on an unknown command and names it', async () => {
    const io = captureIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err.join('')).toContain('unknown command "frobnicate"');
  });
});
