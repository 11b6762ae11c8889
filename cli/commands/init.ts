// `rolecall init [DIR]`: writes a grants-repo template (grants file, policy tests, CI workflow,
// README, .gitignore; package.json named after DIR) into DIR; refuses, writing nothing, when any of those files already exists.
import { lstatSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../compiler/assets.js';
import { defineCommand, parseCommandArgs } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from '../io.js';

const templateDir = path.join(packageRoot, 'templates', 'init');

/**
 * Where a template file goes: npm leaves `.gitignore` files out of published packages, so the
 * template ships it as `gitignore`.
 */
function destinationName(file: string): string {
  return file === 'gitignore' ? '.gitignore' : file;
}

/** An npm package name from the folder's name (lower case, URL-safe), `grants` if none is left. */
export function packageNameFor(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._~-]+/, '')
    .slice(0, 214)
    .replace(/[._~-]+$/, '');
  return name === '' || name === 'node_modules' || name === 'favicon.ico' ? 'grants' : name;
}

/** The template's bytes, with package.json named after the target folder. */
async function templateContent(file: string, target: string): Promise<Buffer | string> {
  const content = await readFile(path.join(templateDir, file));
  if (file !== 'package.json') return content;
  const manifest = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
  return `${JSON.stringify({ ...manifest, name: packageNameFor(path.basename(target)) }, null, 2)}\n`;
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, relative)));
    else files.push(relative);
  }
  return files.sort();
}

export const spec = defineCommand({
  usage: '[DIR]',
  summary:
    'Writes a grants-repo template into DIR (default: here): grants file, policy tests, CI workflow, README, .gitignore, package.json; never overwrites.',
  options: {},
  flags: {},
});

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { positionals } = parseCommandArgs(argv, spec.options);
  if (positionals.length > 1) throw new UsageError('usage: rolecall init [DIR]');
  const target = path.resolve(io.cwd, positionals[0] ?? '.');
  const files = await listFiles(templateDir);
  const existing = files.filter((file) => isTaken(path.join(target, destinationName(file))));
  if (existing.length > 0) {
    io.stderr(
      `rolecall init: refusing to overwrite ${existing.map((file) => path.join(target, destinationName(file))).join(', ')}\n` +
        'nothing was written; run it in a new directory or move those files away\n',
    );
    return EXIT_FAILURE;
  }
  for (const file of files) {
    const destination = path.join(target, destinationName(file));
    await mkdir(path.dirname(destination), { recursive: true });
    // `wx` fails instead of overwriting a file created since the check above.
    await writeFile(destination, await templateContent(file, target), { flag: 'wx' });
    io.stdout(`created ${path.relative(io.cwd, destination) || destination}\n`);
  }
  io.stdout('\nnext: npm install, then npm run check && npm test; push to run the CI workflow\n');
  return EXIT_OK;
}

/** Anything at `file`, a dangling symlink included (existsSync follows links and says no). */
function isTaken(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
