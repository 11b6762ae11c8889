// What `npm pack` ships and what installing it pulls in: a LICENSE, no source maps that point at
// unshipped sources, no engine tests, the init template's .gitignore; and every production
// dependency (the whole tree) runs on the Node versions `engines` promises.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/assets.js';

const run = promisify(execFile);

interface PackedFile {
  path: string;
}

async function packedFiles(): Promise<string[]> {
  // --ignore-scripts: list what is there (the test command built dist/ first).
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: packageRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { files: PackedFile[] }[];
  return (packed?.files ?? []).map((file) => file.path);
}

interface TreeNode {
  version?: string;
  path?: string;
  dependencies?: Record<string, TreeNode>;
}

/** Every package of the production dependency tree, by folder. */
function walk(node: TreeNode, into: Map<string, string>): void {
  for (const [name, child] of Object.entries(node.dependencies ?? {})) {
    if (child.path !== undefined && !into.has(child.path)) {
      into.set(child.path, name);
      walk(child, into);
    }
  }
}

describe('the published package', () => {
  it('ships a LICENSE and the CLI, and no source maps, engine tests or test files', async () => {
    const files = await packedFiles();
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('templates/init/gitignore');
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => file.endsWith('_test.rego'))).toEqual([]);
    expect(files.filter((file) => /\.test\.[jt]s$/.test(file))).toEqual([]);
    const license = await readFile(path.join(packageRoot, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
  });

  it('every production dependency runs on the Node versions engines promises', async () => {
    const manifest = JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    const oldest = semver.minVersion(manifest.engines.node);
    expect(oldest?.version).toBeDefined();
    const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--json', '--long'], {
      cwd: packageRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    const packages = new Map<string, string>();
    walk(JSON.parse(stdout) as TreeNode, packages);
    expect(packages.size).toBeGreaterThan(10);
    const refused: string[] = [];
    for (const [folder, name] of packages) {
      const own = JSON.parse(await readFile(path.join(folder, 'package.json'), 'utf8')) as {
        version: string;
        engines?: { node?: string };
      };
      const range = own.engines?.node;
      if (range !== undefined && !semver.satisfies(oldest?.version ?? '', range)) {
        refused.push(`${name}@${own.version} needs node ${range}`);
      }
    }
    expect(refused).toEqual([]);
  });
});
