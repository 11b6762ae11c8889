// Shared by the install tests: `npm pack` of this checkout's two packages (rolecall and
// @rolecall/sdk, from the dist/ the test command built), a fresh ESM project, `npm install` of
// tarballs into it with the registry's dependencies, and what that install costs on disk.
import { execFile } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../compiler/assets.js';

export const run = promisify(execFile);
export const INSTALL_TIMEOUT_MS = 300_000;
const BUFFER = 64 * 1024 * 1024;

/** The folder of each published package in this checkout. */
export const PACKAGE_DIRS = {
  rolecall: packageRoot,
  '@rolecall/sdk': path.join(packageRoot, 'packages', 'sdk'),
} as const;

/** Packs one package into `destination`; returns the tarball's path. */
export async function pack(name: keyof typeof PACKAGE_DIRS, destination: string): Promise<string> {
  // --ignore-scripts: pack the dist/ the test command built instead of rebuilding it here.
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', destination],
    { cwd: PACKAGE_DIRS[name], maxBuffer: BUFFER },
  );
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (packed === undefined) throw new Error(`npm pack of ${name} reported no tarball`);
  return path.join(destination, packed.filename);
}

/** A new, empty ESM project at `dir`. */
export async function newProject(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: path.basename(dir), private: true, type: 'module' }),
  );
  return dir;
}

/** `npm install` of the tarballs (their dependencies from the registry); returns npm's output. */
export async function install(project: string, tarballs: readonly string[]): Promise<string> {
  const installed = await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], {
    cwd: project,
    timeout: INSTALL_TIMEOUT_MS,
    maxBuffer: BUFFER,
  });
  return `${installed.stdout}${installed.stderr}`;
}

/** Bytes of every file below `dir` (what `du -b` counts for files, without block rounding). */
async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export interface InstallCost {
  /** Installed packages (folders below node_modules), nested copies included. */
  packages: string[];
  bytes: number;
}

/** What the project's node_modules holds: every installed package, and its size on disk. */
export async function installCost(project: string): Promise<InstallCost> {
  const { stdout } = await run('npm', ['ls', '--all', '--parseable'], {
    cwd: project,
    maxBuffer: BUFFER,
  });
  const packages = [
    ...new Set(
      stdout
        .split('\n')
        .filter((line) => line.includes('node_modules'))
        .map((line) => path.relative(path.join(project, 'node_modules'), line)),
    ),
  ].sort();
  return { packages, bytes: await sizeOf(path.join(project, 'node_modules')) };
}

/** "8 packages, 4.7 MB" (MB = 10^6 bytes), as the README states the figures. */
export function describeCost(cost: InstallCost): string {
  return `${String(cost.packages.length)} packages, ${(cost.bytes / 1e6).toFixed(1)} MB`;
}

/** The repository's own tsc (the temporary projects install no TypeScript). */
export const TSC = path.join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** tsc's report for `tsc -p tsconfig` in `cwd`: empty when the project type-checks. */
export async function typeCheck(cwd: string, tsconfig: string): Promise<string> {
  const checked = await run(process.execPath, [TSC, '-p', tsconfig], { cwd }).catch(
    (error: unknown) => error as { stdout: string; code: number },
  );
  return 'code' in checked ? checked.stdout || `tsc exited ${String(checked.code)}` : '';
}
