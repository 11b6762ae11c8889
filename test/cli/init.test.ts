// `rolecall init`: the grants-repo template passes `rolecall check` and `rolecall test` (with full
// coverage) out of the box, and init never overwrites a file.
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageNameFor } from '../../cli/commands/init.js';
import { main } from '../../cli/run.js';
import { captureCliIo } from '../support/cli-io.js';

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-init-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('rolecall init', () => {
  it('writes a template that passes check and test with full coverage', async () => {
    const io = captureCliIo(work);
    expect(await main(['init', 'grants-repo'], io)).toBe(0);
    const repo = path.join(work, 'grants-repo');
    expect(await listTree(repo)).toEqual([
      '.github/workflows/rolecall.yml',
      '.gitignore',
      'README.md',
      'package.json',
      'rolecall.test.yaml',
      'rolecall.yaml',
    ]);
    const check = captureCliIo(repo);
    expect(await main(['check', 'rolecall.yaml'], check)).toBe(0);
    expect(check.err()).not.toContain('error');
    const test = captureCliIo(repo);
    expect(await main(['test', 'rolecall.test.yaml', '--coverage-fail'], test)).toBe(0);
    expect(test.out()).toMatch(/^\d+ passed, 0 failed$/m);
    expect(test.out()).toContain('grants: 6/6 exercised (100%)');
  });

  it('ships a workflow that runs check, test and diff against the PR base', async () => {
    const repo = path.join(work, 'grants-repo');
    const workflow = parse(
      await readFile(path.join(repo, '.github', 'workflows', 'rolecall.yml'), 'utf8'),
    ) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const commands = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .map((step) => step.run ?? '')
      .join('\n');
    expect(commands).toContain('npx rolecall check rolecall.yaml');
    expect(commands).toContain('npx rolecall test rolecall.test.yaml');
    expect(commands).toMatch(
      /npx rolecall diff rolecall\.yaml --base "origin\/\$\{\{ github\.base_ref \}\}"/,
    );
  });

  it('names the package after the folder and keeps node_modules out of git', async () => {
    const repo = path.join(work, 'grants-repo');
    const manifest = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as {
      name: string;
    };
    expect(manifest.name).toBe('grants-repo');
    const ignored = (await readFile(path.join(repo, '.gitignore'), 'utf8')).split('\n');
    expect(ignored).toContain('node_modules/');
    expect(ignored).toContain('rolecall-junit.xml');
    expect(packageNameFor('My Grants_Repo!')).toBe('my-grants_repo');
    expect(packageNameFor('.hidden')).toBe('hidden');
    expect(packageNameFor('***')).toBe('grants');
  });

  it('targets the current Node LTS, reports JUnit, and comments even when tests fail', async () => {
    const repo = path.join(work, 'grants-repo');
    const workflow = parse(
      await readFile(path.join(repo, '.github', 'workflows', 'rolecall.yml'), 'utf8'),
    ) as {
      permissions: Record<string, string>;
      jobs: Record<
        string,
        { steps: { uses?: string; if?: string; run?: string; with?: Record<string, unknown> }[] }
      >;
    };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const uses = steps.flatMap((step) => (step.uses === undefined ? [] : [step.uses]));
    expect(uses).toContain('actions/checkout@v6');
    expect(uses).toContain('actions/setup-node@v6');
    const setupNode = steps.find((step) => step.uses?.startsWith('actions/setup-node'));
    expect(setupNode?.with?.['node-version']).toBe('lts/*');
    const report = steps.find((step) => step.uses?.startsWith('dorny/test-reporter'));
    expect(report?.with?.['path']).toBe('rolecall-junit.xml');
    expect(report?.if).toMatch(/^always\(\)/);
    expect(workflow.permissions['checks']).toBe('write');
    // The diff runs when earlier steps failed; the comment is skipped on forks and found by marker.
    const diff = steps.find((step) => step.run?.includes('npx rolecall diff'));
    expect(diff?.if).toMatch(/^always\(\) && github\.event_name == 'pull_request'/);
    const comment = steps.find((step) => step.run?.includes('gh pr comment'));
    expect(comment?.if).toContain('head.repo.full_name == github.repository');
    expect(comment?.run).toContain('<!-- rolecall-diff -->');
    expect(comment?.run).not.toContain('--edit-last');
  });

  it('refuses to overwrite any existing file and writes nothing', async () => {
    const dir = path.join(work, 'existing');
    const first = captureCliIo(work);
    expect(await main(['init', 'existing'], first)).toBe(0);
    await writeFile(path.join(dir, 'rolecall.yaml'), 'version: 1\n');
    await rm(path.join(dir, 'README.md'));
    const again = captureCliIo(work);
    expect(await main(['init', 'existing'], again)).toBe(1);
    expect(again.err()).toContain('refusing to overwrite');
    expect(await readFile(path.join(dir, 'rolecall.yaml'), 'utf8')).toBe('version: 1\n');
    // Nothing was written, not even the file that was missing.
    expect(await listTree(dir)).not.toContain('README.md');
  });

  it('counts a dangling symlink as taken, and names a path it cannot write, without a stack', async () => {
    const dir = path.join(work, 'linked');
    await mkdir(dir);
    await symlink(path.join(work, 'nowhere', 'package.json'), path.join(dir, 'package.json'));
    const linked = captureCliIo(work);
    expect(await main(['init', 'linked'], linked)).toBe(1);
    expect(linked.err()).toContain('refusing to overwrite');
    expect(await readdir(dir)).toEqual(['package.json']);
    await writeFile(path.join(work, 'afile'), 'x');
    const intoFile = captureCliIo(work);
    expect(await main(['init', 'afile'], intoFile)).toBe(2);
    expect(intoFile.err()).toMatch(/^rolecall init: cannot mkdir .*afile.*: ENOTDIR/);
  });

  it('exits 2 on usage errors', async () => {
    expect(await main(['init', 'a', 'b'], captureCliIo(work))).toBe(2);
    expect(await main(['init', '--force'], captureCliIo(work))).toBe(2);
  });
});
