// What `npm pack` ships for each package and what installing it pulls in: a LICENSE, no source
// maps that point at unshipped sources, no engine tests, the init template's .gitignore; the
// SDK package holds only core/ and sdk/ with exactly the npm packages they import, pinned as the
// root pins them; rolecall's SDK entries re-export it; and every production dependency (the
// whole tree) runs on the Node versions `engines` promises.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/assets.js';
import { PACKAGE_DIRS, run } from './packed.js';

interface PackedFile {
  path: string;
}

async function packedFiles(name: keyof typeof PACKAGE_DIRS = 'rolecall'): Promise<string[]> {
  // --ignore-scripts: list what is there (the test command built dist/ first).
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: PACKAGE_DIRS[name],
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as { files: PackedFile[] }[];
  return (packed?.files ?? []).map((file) => file.path);
}

interface Manifest {
  name: string;
  version: string;
  type?: string;
  sideEffects?: boolean;
  engines: { node: string };
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
}

async function manifest(name: keyof typeof PACKAGE_DIRS): Promise<Manifest> {
  return JSON.parse(
    await readFile(path.join(PACKAGE_DIRS[name], 'package.json'), 'utf8'),
  ) as Manifest;
}

/** The npm packages the .ts files below `dir` import (node:* and relative imports aside). */
async function importedPackages(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = await readFile(path.join(entry.parentPath, entry.name), 'utf8');
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (fileName.startsWith('.') || fileName.startsWith('node:')) continue;
      const parts = fileName.split('/');
      names.add(fileName.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? fileName));
    }
  }
  return names;
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

describe('the published rolecall package', () => {
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

  it("re-exports @rolecall/sdk as its SDK entries, depending on the SDK's exact version", async () => {
    const [root, sdk, files] = await Promise.all([
      manifest('rolecall'),
      manifest('@rolecall/sdk'),
      packedFiles(),
    ]);
    expect(root.dependencies['@rolecall/sdk']).toBe(sdk.version);
    for (const [entry, target] of [
      ['.', '@rolecall/sdk'],
      ['./browser', '@rolecall/sdk/browser'],
      ['./node', '@rolecall/sdk/node'],
    ] as const) {
      const exported = root.exports[entry];
      if (typeof exported !== 'object') throw new Error(`rolecall has no exports["${entry}"]`);
      for (const file of [exported.types, exported.default]) {
        expect(files).toContain(file.replace(/^\.\//, ''));
        const text = await readFile(path.join(packageRoot, file), 'utf8');
        expect(text).toContain(`export * from '${target}';`);
      }
    }
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

describe('the published @rolecall/sdk package', () => {
  it('ships its LICENSE, README and the compiled core/ and sdk/, nothing else', async () => {
    const files = await packedFiles('@rolecall/sdk');
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(files).toContain('dist/sdk/index.js');
    expect(files).toContain('dist/core/contract.js');
    const others = files.filter(
      (file) =>
        !['LICENSE', 'README.md', 'package.json'].includes(file) &&
        !/^dist\/(core|sdk)\/.+\.(js|d\.ts)$/.test(file),
    );
    expect(others).toEqual([]);
    expect(files.filter((file) => /\.test\.[jt]s$/.test(file))).toEqual([]);
    expect(await readFile(path.join(PACKAGE_DIRS['@rolecall/sdk'], 'LICENSE'), 'utf8')).toBe(
      await readFile(path.join(packageRoot, 'LICENSE'), 'utf8'),
    );
  });

  it('is an ESM package with typed entries, without side effects, on the same Node as rolecall', async () => {
    const [root, sdk, files] = await Promise.all([
      manifest('rolecall'),
      manifest('@rolecall/sdk'),
      packedFiles('@rolecall/sdk'),
    ]);
    expect(sdk.name).toBe('@rolecall/sdk');
    expect(sdk.version).toBe(root.version);
    expect(sdk.type).toBe('module');
    expect(sdk.sideEffects).toBe(false);
    expect(sdk.engines).toEqual(root.engines);
    expect(Object.keys(sdk.exports).sort()).toEqual(['.', './browser', './node', './package.json']);
    for (const entry of ['.', './browser', './node']) {
      const exported = sdk.exports[entry];
      if (typeof exported !== 'object') throw new Error(`@rolecall/sdk has no exports["${entry}"]`);
      expect(Object.keys(exported)).toEqual(['types', 'default']);
      expect(files).toContain(exported.types.replace(/^\.\//, ''));
      expect(files).toContain(exported.default.replace(/^\.\//, ''));
    }
  });

  it('depends on exactly the packages core/ and sdk/ import, pinned as rolecall pins them', async () => {
    const [root, sdk] = await Promise.all([manifest('rolecall'), manifest('@rolecall/sdk')]);
    const imported = new Set([
      ...(await importedPackages(path.join(packageRoot, 'core'))),
      ...(await importedPackages(path.join(packageRoot, 'sdk'))),
    ]);
    expect(Object.keys(sdk.dependencies).sort()).toEqual([...imported].sort());
    for (const [name, version] of Object.entries(sdk.dependencies)) {
      expect(semver.valid(version), `${name}@${version} is not an exact version`).not.toBeNull();
      expect(root.dependencies[name], name).toBe(version);
    }
  });
});
