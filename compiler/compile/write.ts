// Writes compile output atomically: everything goes into a temporary sibling folder that is then
// renamed into place, so a failed compile or write never leaves a half-written output folder.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmittedFile } from '../types.js';
import { BUNDLE_ARCHIVE, BUNDLE_DIR } from './emit.js';

/** The output folder exists, is not empty and does not look like an earlier compile output. */
export class OutputDirError extends Error {
  override name = 'OutputDirError';
  readonly code = 'OUTPUT_DIR_NOT_OURS';
}

/**
 * Replaces `dir` with exactly `files`. Files are written to `.<name>.tmp-<random>` next to
 * `dir`, the old folder is renamed aside, the new one renamed in, and the old one removed. On
 * an error before the swap `dir` is untouched (and not created when it did not exist).
 */
export async function writeCompileOutput(
  dir: string,
  files: readonly EmittedFile[],
): Promise<void> {
  const target = path.resolve(dir);
  await assertReplaceable(target);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = randomBytes(6).toString('hex');
  const staging = path.join(parent, `.${path.basename(target)}.tmp-${suffix}`);
  const retired = path.join(parent, `.${path.basename(target)}.old-${suffix}`);
  try {
    await mkdir(staging);
    for (const file of files) {
      const destination = path.join(staging, ...file.path.split('/'));
      if (!destination.startsWith(staging + path.sep)) {
        throw new Error(`output path escapes the output folder: ${file.path}`);
      }
      await mkdir(path.dirname(destination), { recursive: true });
      await writeFile(destination, file.contents);
    }
    const hadTarget = existsSync(target);
    if (hadTarget) await rename(target, retired);
    try {
      await rename(staging, target);
    } catch (error) {
      if (hadTarget) await rename(retired, target);
      throw error;
    }
    if (hadTarget) await rm(retired, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** What a compile writes at the top of its folder, whatever its options (`--types ts|js`). */
function isCompileOutputName(name: string): boolean {
  return (
    name === BUNDLE_DIR || name === BUNDLE_ARCHIVE || /^rolecall\.gen\.(ts|js|d\.ts)$/.test(name)
  );
}

/**
 * Refuses to replace a folder that holds anything a compile did not write: a project folder
 * with a `bundle/` of its own (or the grants file itself) is never wiped.
 */
async function assertReplaceable(target: string): Promise<void> {
  if (!existsSync(target)) return;
  if (!(await stat(target)).isDirectory()) {
    throw new OutputDirError(`${target} exists and is not a folder`);
  }
  const foreign = (await readdir(target)).filter((name) => !isCompileOutputName(name));
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', …' : '');
  throw new OutputDirError(
    `${target} holds files a compile did not write (${shown}), and compile replaces the whole folder; choose an empty or new folder`,
  );
}
