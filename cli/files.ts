// Reading the grants file a command is pointed at, and the short reason it prints when a file
// cannot be read or written (a usage error, exit 2, rather than a stack trace).
import { open } from 'node:fs/promises';
import path from 'node:path';
import { MAX_FILE_BYTES } from '../compiler/load/index.js';
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
 * The text of grants FILE (relative to the working folder), or undefined after printing
 * `rolecall COMMAND: cannot read FILE: reason`; the caller then exits with EXIT_USAGE.
 */
export async function readGrantsFile(
  io: CliIo,
  command: string,
  file: string,
): Promise<string | undefined> {
  try {
    return await readBoundedText(path.resolve(io.cwd, file));
  } catch (error) {
    io.stderr(`rolecall ${command}: cannot read ${file}: ${errorReason(error)}\n`);
    return undefined;
  }
}

/**
 * Reads the file, but never more than one byte past the size limit: loadGrants then reports
 * FILE_TOO_LARGE, and a huge file cannot exhaust memory first.
 */
async function readBoundedText(filePath: string): Promise<string> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= MAX_FILE_BYTES) return await handle.readFile('utf8');
    const head = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
