// The one wrapper around the `opa` binary: it knows the pinned version and where the project's
// install script puts it. Build scripts, tests and benchmarks run OPA only through here.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const OPA_VERSION = '1.22.2';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Path of the pinned opa binary (override with ROLECALL_OPA for experiments). */
export function opaPath(): string {
  const fromEnv = process.env['ROLECALL_OPA'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return path.join(projectRoot, '.tools', 'bin', 'opa');
}

export class OpaMissingError extends Error {
  constructor(binary: string) {
    super(`opa ${OPA_VERSION} not found at ${binary}; run: bash scripts/install-opa.sh`);
    this.name = 'OpaMissingError';
  }
}

export interface OpaRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs opa with the given arguments; never throws on a non-zero exit, only when opa is missing. */
export function runOpa(
  args: readonly string[],
  options: { input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<OpaRun> {
  const binary = opaPath();
  if (!existsSync(binary)) return Promise.reject(new OpaMissingError(binary));
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      args,
      {
        cwd: options.cwd ?? projectRoot,
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`opa ${args.join(' ')} failed: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs opa and returns stdout, throwing with stderr when it exits non-zero. */
export async function runOpaOrThrow(
  args: readonly string[],
  options: { input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  const result = await runOpa(args, options);
  if (result.code !== 0) {
    throw new Error(
      `opa ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** Starts a long-running opa process (e.g. `run -s`); the caller stops it with `kill()`. */
export function spawnOpa(args: readonly string[], options: { cwd?: string } = {}): ChildProcess {
  const binary = opaPath();
  if (!existsSync(binary)) throw new OpaMissingError(binary);
  return spawn(binary, args, {
    cwd: options.cwd ?? projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
