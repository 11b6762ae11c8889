import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import { packageRoot } from '../../compiler/assets.js';
import { compileGrants, writeCompileOutput } from '../../compiler/compile/index.js';
import type { EmittedFile } from '../../compiler/types.js';
import { runOpaOrThrow } from '../../scripts/opa.js';
import { captureCliIo, spawnCli } from '../support/cli-io.js';
import { opaEvalValue } from '../support/opa-eval.js';

const goldenRoot = path.join(packageRoot, 'test', 'golden');
const updateGolden = process.env['UPDATE_GOLDEN'] === '1';

const GOOD = `version: 1
roles:
  stage_manager: { level: call }
call_types:
  town_hall:
    grants:
      stage_manager: [read-call, join-call, send-audio]
`;
const BROKEN = `version: 1
call_types:
  town_hall:
    grants:
      stage_manager: [read-call, join-cal]
`;

/** Every file under `dir` (relative path → bytes as base64), to compare trees byte for byte. */
async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of names) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    snapshot[path.relative(dir, full)] = (await readFile(full)).toString('base64');
  }
  return snapshot;
}

function text(file: EmittedFile | undefined): string {
  if (file === undefined) throw new Error('file not emitted');
  return typeof file.contents === 'string'
    ? file.contents
    : new TextDecoder().decode(file.contents);
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-compile-'));
  await writeFile(path.join(workDir, 'good.yaml'), GOOD);
  await writeFile(path.join(workDir, 'broken.yaml'), BROKEN);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('compileGrants', () => {
  it('emits the bundle folder, the archive and the types, in path order', async () => {
    const result = await compileGrants({ file: 'good.yaml', text: GOOD });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const paths = result.value.files.map((file) => file.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual(
      expect.arrayContaining([
        'bundle.tar.gz',
        'bundle/.manifest',
        'bundle/data.json',
        'bundle/policy.wasm',
        'bundle/rolecall/decision.rego',
        'rolecall.gen.ts',
      ]),
    );
    expect(paths.some((name) => name.endsWith('_test.rego'))).toBe(false);
  });

  it('is deterministic: the same file gives byte-identical output', async () => {
    const first = await compileGrants({ file: 'good.yaml', text: GOOD });
    const second = await compileGrants({ file: 'good.yaml', text: GOOD });
    if (!first.ok || !second.ok) throw new Error('compile failed');
    expect(second.value.files.length).toBe(first.value.files.length);
    second.value.files.forEach((file, index) => {
      const other = first.value.files[index];
      expect(other?.path).toBe(file.path);
      expect(Buffer.from(file.contents).equals(Buffer.from(other?.contents ?? ''))).toBe(true);
    });
  });

  it('compiles a file with warnings and hands the warnings back', async () => {
    const withWarning = `${GOOD}calls:\n  'town_hall:quiet':\n    config_overrides:\n      grants:\n        user: []\n`;
    const result = await compileGrants({ file: 'warn.yaml', text: withWarning });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['EMPTY_OVERRIDE']);
  });

  it('returns the diagnostics and no files for a broken file', async () => {
    const result = await compileGrants({ file: 'broken.yaml', text: BROKEN });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((diagnostic) => diagnostic.code)).toContain('UNKNOWN_PERMISSION');
  });
});

describe('rolecall compile: atomic output', () => {
  it('leaves an earlier output byte-identical when a later compile fails', async () => {
    const io = captureCliIo(workDir);
    expect(await main(['compile', 'good.yaml', '-o', 'out'], io)).toBe(0);
    const before = await snapshotTree(path.join(workDir, 'out'));
    expect(Object.keys(before)).toContain('bundle.tar.gz');

    const failing = captureCliIo(workDir);
    expect(await main(['compile', 'broken.yaml', '-o', 'out'], failing)).toBe(1);
    expect(failing.out()).toContain('error UNKNOWN_PERMISSION');
    expect(await snapshotTree(path.join(workDir, 'out'))).toEqual(before);
    // No staging folders are left next to it either.
    expect((await readdir(workDir)).filter((name) => name.startsWith('.out'))).toEqual([]);
  });

  it('does not create the output folder when the compile fails', async () => {
    const io = captureCliIo(workDir);
    expect(await main(['compile', 'broken.yaml', '-o', 'never/made'], io)).toBe(1);
    expect(existsSync(path.join(workDir, 'never'))).toBe(false);
  });

  it('leaves the folder untouched when writing fails half way', async () => {
    const target = path.join(workDir, 'half');
    const io = captureCliIo(workDir);
    expect(await main(['compile', 'good.yaml', '-o', 'half'], io)).toBe(0);
    const before = await snapshotTree(target);
    const files: EmittedFile[] = [
      { path: 'bundle.tar.gz', contents: 'new' },
      { path: '../escape.txt', contents: 'outside' },
    ];
    await expect(writeCompileOutput(target, files)).rejects.toThrow(/escapes/);
    expect(await snapshotTree(target)).toEqual(before);
    expect(existsSync(path.join(workDir, 'escape.txt'))).toBe(false);
  });

  it('replaces an earlier output completely on success', async () => {
    const target = path.join(workDir, 'replace');
    expect(await main(['compile', 'good.yaml', '-o', 'replace'], captureCliIo(workDir))).toBe(0);
    await writeFile(path.join(target, 'bundle', 'stale.rego'), 'package stale\n');
    expect(await main(['compile', 'good.yaml', '-o', 'replace'], captureCliIo(workDir))).toBe(0);
    expect(existsSync(path.join(target, 'bundle', 'stale.rego'))).toBe(false);
    expect(existsSync(path.join(target, 'bundle', 'data.json'))).toBe(true);
  });

  it('refuses to replace a folder that holds something else', async () => {
    const target = path.join(workDir, 'precious');
    await mkdir(target);
    await writeFile(path.join(target, 'notes.txt'), 'keep me');
    const io = captureCliIo(workDir);
    expect(await main(['compile', 'good.yaml', '-o', 'precious'], io)).toBe(2);
    expect(io.err()).toContain('holds files a compile did not write (notes.txt)');
    expect(await readFile(path.join(target, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('never wipes a project folder that has a bundle/ of its own, nor the grants file', async () => {
    const project = path.join(workDir, 'project');
    await mkdir(path.join(project, 'bundle'), { recursive: true });
    await writeFile(
      path.join(project, 'rolecall.yaml'),
      await readFile(path.join(workDir, 'good.yaml')),
    );
    await writeFile(path.join(project, 'notes.txt'), 'keep me');
    const io = captureCliIo(project);
    expect(await main(['compile', 'rolecall.yaml', '-o', '.'], io)).toBe(2);
    expect(io.err()).toContain('holds files a compile did not write (notes.txt, rolecall.yaml)');
    expect((await readdir(project)).sort()).toEqual(['bundle', 'notes.txt', 'rolecall.yaml']);
  });

  it('exits 2 on a missing grants file or missing -o', async () => {
    expect(await main(['compile', 'nope.yaml', '-o', 'x'], captureCliIo(workDir))).toBe(2);
    expect(await main(['compile', 'good.yaml'], captureCliIo(workDir))).toBe(2);
    expect(existsSync(path.join(workDir, 'x'))).toBe(false);
  });

  it('prints the same diagnostics as rolecall check, in every format', async () => {
    for (const format of ['text', 'json', 'github']) {
      const check = captureCliIo(workDir);
      const compile = captureCliIo(workDir);
      expect(await main(['check', 'broken.yaml', '--format', format], check)).toBe(1);
      expect(await main(['compile', 'broken.yaml', '-o', 'o2', '--format', format], compile)).toBe(
        1,
      );
      expect(compile.out()).toBe(check.out());
    }
  });

  it('reports a grants file over 4 MiB as FILE_TOO_LARGE, like rolecall check', async () => {
    await writeFile(
      path.join(workDir, 'huge.yaml'),
      'version: 1\n' + '#'.repeat(5 * 1024 * 1024) + '\n',
    );
    const io = captureCliIo(workDir);
    expect(await main(['compile', 'huge.yaml', '-o', 'huge-out'], io)).toBe(1);
    expect(io.out()).toContain('huge.yaml:1:1: error FILE_TOO_LARGE');
    expect(existsSync(path.join(workDir, 'huge-out'))).toBe(false);
  });
});

describe('rolecall compile needs no opa', () => {
  it('compiles with an empty PATH and ROLECALL_OPA pointing nowhere', async () => {
    const child = spawnCli(['compile', 'good.yaml', '-o', 'no-opa'], {
      cwd: workDir,
      env: { PATH: '', ROLECALL_OPA: path.join(workDir, 'no-such-opa') },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output).toContain('compiled good.yaml');
    expect(code).toBe(0);
    expect(existsSync(path.join(workDir, 'no-opa', 'bundle.tar.gz'))).toBe(true);
  });
});

const goldenCases = existsSync(goldenRoot)
  ? (await readdir(goldenRoot)).filter((name) => name.startsWith('compile-')).sort()
  : [];

describe('golden compile outputs', () => {
  const cases = goldenCases;

  it('has golden cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const name of cases) {
    it(`${name}: data.json and rolecall.gen.ts match expected/`, async () => {
      const caseDir = path.join(goldenRoot, name);
      const source = await readFile(path.join(caseDir, 'rolecall.yaml'), 'utf8');
      const result = await compileGrants({ file: 'rolecall.yaml', text: source });
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics, null, 2));
      const byPath = new Map(result.value.files.map((file) => [file.path, file]));
      const outputs = {
        'data.json': text(byPath.get('bundle/data.json')),
        'rolecall.gen.ts': text(byPath.get('rolecall.gen.ts')),
      };
      const expectedDir = path.join(caseDir, 'expected');
      if (updateGolden) {
        await mkdir(expectedDir, { recursive: true });
        for (const [file, contents] of Object.entries(outputs)) {
          await writeFile(path.join(expectedDir, file), contents);
        }
      }
      for (const [file, contents] of Object.entries(outputs)) {
        expect(contents, `${name}/expected/${file}`).toBe(
          await readFile(path.join(expectedDir, file), 'utf8'),
        );
      }
    });
  }
});

describe('examples/video-saas/rolecall.yaml', () => {
  const example = path.join(packageRoot, 'examples', 'video-saas', 'rolecall.yaml');

  it('compiles, and the real OPA reads the bundle revision', async () => {
    const source = await readFile(example, 'utf8');
    const result = await compileGrants({ file: 'examples/video-saas/rolecall.yaml', text: source });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics, null, 2));
    expect(result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
    const target = path.join(workDir, 'video-saas');
    await writeCompileOutput(target, result.value.files);
    const stdout = await runOpaOrThrow([
      'eval',
      '-f',
      'json',
      '-b',
      path.join(target, 'bundle.tar.gz'),
      'data.rolecall_data.revision',
    ]);
    expect(opaEvalValue(stdout)).toBe(result.value.policy.revision);
    const types = await readFile(path.join(target, 'rolecall.gen.ts'), 'utf8');
    for (const role of Object.keys(result.value.policy.roles))
      expect(types).toContain(`'${role}',`);
  });
});

describe('rolecall compile: source names', () => {
  it('records the same sources and revision for ./FILE, FILE and an absolute path', async () => {
    const revisions = new Set<string>();
    for (const spelling of ['good.yaml', './good.yaml', path.join(workDir, 'good.yaml')]) {
      const io = captureCliIo(workDir);
      expect(await main(['compile', spelling, '-o', 'names'], io)).toBe(0);
      const data = await readFile(path.join(workDir, 'names', 'bundle', 'data.json'), 'utf8');
      expect(data).toContain('"good.yaml:7:');
      expect(data).not.toContain(workDir);
      const parsed = JSON.parse(data) as { rolecall_data: { revision: string } };
      revisions.add(parsed.rolecall_data.revision);
    }
    expect(revisions.size).toBe(1);
  });
});
