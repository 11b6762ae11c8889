// Runs CLI commands in-process for tests: a CliIo that keeps what a command printed, and a
// one-call runner returning the exit code with both streams.
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/run.js';

/** A CliIo whose output is kept; `out()` and `err()` give everything printed so far. */
export interface CapturedCliIo extends CliIo {
  out: () => string;
  err: () => string;
}

/** Captures stdout and stderr; standard input reads as `stdin`. */
export function captureCliIo(cwd: string, stdin = ''): CapturedCliIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readStdin: () => Promise.resolve(stdin),
    cwd,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** `rolecall ...argv` run in `cwd`: its exit code and everything it printed. */
export async function runCli(
  argv: string[],
  cwd: string,
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureCliIo(cwd, stdin);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
