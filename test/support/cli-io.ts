// Runs CLI commands in-process for tests: a CliIo that keeps what a command printed, and a
// one-call runner returning the exit code with both streams.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { CliIo } from '../../cli/io.js';
import { packageRoot } from '../../compiler/assets.js';
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

/**
 * `rolecall ...argv` as a real process (the sources through tsx), for what only a process shows:
 * its environment, its exit on a closed pipe. stdout and stderr are pipes.
 */
export function spawnCli(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): ChildProcessByStdio<null, Readable, Readable> {
  const loader = path.join(packageRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  return spawn(
    process.execPath,
    ['--import', pathToFileURL(loader).href, path.join(packageRoot, 'cli', 'main.ts'), ...argv],
    { ...options, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}
