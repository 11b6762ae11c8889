// Reading the grants file a command is pointed at, and the short reason it prints when a file
// cannot be read or written (a usage error, exit 2, rather than a stack trace).
import { isUtf8 } from 'node:buffer';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
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
    return await readGrantsText(path.resolve(io.cwd, file));
  } catch (error) {
    io.stderr(`rolecall ${command}: cannot read ${file}: ${errorReason(error)}\n`);
    return undefined;
  }
}

/**
 * The text of a grants file or test suite (what loadGrants parses). It reads never more than one
 * byte past the size limit: loadGrants then reports FILE_TOO_LARGE, and a huge file (or an
 * endless one, /dev/zero) cannot exhaust memory first. Bytes that are not UTF-8 and a byte order
 * mark are handled as in readTextFile.
 */
export async function readGrantsText(filePath: string): Promise<string> {
  const bytes = await readAtMost(filePath, MAX_FILE_BYTES + 1);
  // Over the limit the text is only measured (FILE_TOO_LARGE), so a character cut in two at
  // the end must not turn it into an encoding error.
  return bytes.length > MAX_FILE_BYTES ? bytes.toString('utf8') : decodeUtf8(bytes);
}

/**
 * The text of a JSON file the CLI reads (an eval input), at most `maxBytes`. Like every text the
 * CLI reads, it is refused with the line and column of the first byte that is not UTF-8 (Node
 * would silently put U+FFFD there), and a leading byte order mark (Windows editors write one) is
 * dropped.
 */
export async function readTextFile(filePath: string, maxBytes: number): Promise<string> {
  const bytes = await readAtMost(filePath, maxBytes + 1);
  if (bytes.length > maxBytes) {
    throw new Error(`the file is larger than ${String(maxBytes / MIB)} MiB`);
  }
  return decodeUtf8(bytes);
}

const MIB = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/** Up to `limit` bytes from the start of the file, whatever size it claims (pipes claim 0). */
async function readAtMost(filePath: string, limit: number): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < limit) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, limit - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

const BYTE_ORDER_MARK = '\uFEFF';

/** UTF-8 bytes as text without a leading byte order mark; an error naming where they are not. */
function decodeUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new Error(describeFirstBadLine(bytes));
  const text = bytes.toString('utf8');
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
}

/** Where the first byte that is not UTF-8 is, in words: a newline never occurs inside a character. */
function describeFirstBadLine(bytes: Buffer): string {
  let lineStart = 0;
  for (let line = 1; lineStart <= bytes.length; line += 1) {
    const newline = bytes.indexOf(0x0a, lineStart);
    const lineEnd = newline === -1 ? bytes.length : newline;
    const lineBytes = bytes.subarray(lineStart, lineEnd);
    if (!isUtf8(lineBytes)) {
      const column = lineBytes.toString('utf8').indexOf('\uFFFD') + 1;
      const where =
        column > 0 ? `line ${String(line)}, column ${String(column)}` : `line ${String(line)}`;
      return `${where} is not UTF-8 text; save the file as UTF-8`;
    }
    lineStart = lineEnd + 1;
  }
  return 'the file is not UTF-8 text; save it as UTF-8';
}

/**
 * Writes next to the target, then renames over it: readers see the old file or the new one (a
 * symlink at `file` is replaced, not written through). Missing parent folders are made, as
 * compile makes its output folder.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${String(process.pid)}.${Date.now().toString(36)}.tmp`,
  );
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
