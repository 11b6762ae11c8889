// `rolecall init [DIR]`: writes a grants-repo template (grants file, policy tests, CI workflow,
// README) into DIR; refuses, writing nothing, when any of those files already exists.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../compiler/assets.js';
import { parseCommandArgs } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from '../io.js';

const templateDir = path.join(packageRoot, 'templates', 'init');

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

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { positionals } = parseCommandArgs(argv, {});
  if (positionals.length > 1) throw new UsageError('usage: rolecall init [DIR]');
  const target = path.resolve(io.cwd, positionals[0] ?? '.');
  const files = await listFiles(templateDir);
  const existing = files.filter((file) => existsSync(path.join(target, file)));
  if (existing.length > 0) {
    io.stderr(
      `rolecall init: refusing to overwrite ${existing.map((file) => path.join(target, file)).join(', ')}\n` +
        'nothing was written; run it in a new directory or move those files away\n',
    );
    return EXIT_FAILURE;
  }
  for (const file of files) {
    const destination = path.join(target, file);
    await mkdir(path.dirname(destination), { recursive: true });
    // `wx` fails instead of overwriting a file created since the check above.
    await writeFile(destination, await readFile(path.join(templateDir, file)), { flag: 'wx' });
    io.stdout(`created ${path.relative(io.cwd, destination) || destination}\n`);
  }
  io.stdout('\nnext: npm install, then npm run check && npm test; push to run the CI workflow\n');
  return EXIT_OK;
}
