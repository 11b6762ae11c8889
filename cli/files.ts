// Reading the files a command is pointed at, and the short reason it prints when one cannot be
// read (a usage error, exit 2, rather than a stack trace).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from './io.js';

/** The reason an error gives, in words: the common file errno cases, else its message. */
export function errorReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The text of FILE (relative to the working folder), or undefined after printing
 * `rolecall COMMAND: cannot read FILE: reason`; the caller then exits with EXIT_USAGE.
 */
export async function readCommandFile(
  io: CliIo,
  command: string,
  file: string,
  read: (filePath: string) => Promise<string> = (filePath) => readFile(filePath, 'utf8'),
): Promise<string | undefined> {
  try {
    return await read(path.resolve(io.cwd, file));
  } catch (error) {
    io.stderr(`rolecall ${command}: cannot read ${file}: ${errorReason(error)}\n`);
    return undefined;
  }
}
