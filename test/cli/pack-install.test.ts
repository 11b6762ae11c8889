// The package as a user gets it: `npm pack`, installed from the tarball into a fresh project
// with the registry's dependencies. The SDK imports from ESM and decides, a strict TypeScript
// file type-checks against the generated names (a misspelt role, action or call type does
// not), and `npx rolecall init` + `check` + `test` + `diff` work in a new grants repo.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/assets.js';

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 300_000;

/** Bytes of every file below `dir` (what `du` would count, without block rounding). */
async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

describe('the packed package, installed into a new project', () => {
  let work: string;
  let project: string;
  let bin: string;
  let installLog: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-install-'));
    // dist/ and policy.wasm come from the build the test command runs first.
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
      { cwd: packageRoot, maxBuffer: 64 * 1024 * 1024 },
    );
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    project = path.join(work, 'app');
    await run('mkdir', ['-p', project]);
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module' }),
    );
    const installed = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', path.join(work, packed?.filename ?? '')],
      { cwd: project, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
    );
    installLog = `${installed.stdout}${installed.stderr}`;
    bin = path.join(project, 'node_modules', '.bin', 'rolecall');
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('installs without engine warnings and reports what it costs', async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--parseable'], {
      cwd: project,
      maxBuffer: 64 * 1024 * 1024,
    });
    const packages = new Set(stdout.split('\n').filter((line) => line.includes('node_modules')));
    const bytes = await sizeOf(path.join(project, 'node_modules'));
    // The README's install table states these; this prints them for each run.
    console.info(
      `installed: ${String(packages.size)} packages, ${(bytes / 1024 / 1024).toFixed(1)} MB`,
    );
    expect(packages.size).toBeGreaterThan(1);
    // No dependency asks for a newer Node than rolecall's engines (npm warns EBADENGINE).
    expect(installLog).not.toContain('EBADENGINE');
  });

  it('imports the SDK from ESM and decides with the JS engine', async () => {
    await writeFile(
      path.join(project, 'rolecall.yaml'),
      'version: 1\napp:\n  multi_tenant_enabled: true\n',
    );
    await run(bin, ['compile', 'rolecall.yaml', '-o', 'out'], { cwd: project });
    const script = `
      import { readFileSync } from 'node:fs';
      import { JsEvaluator, PolicyClient } from 'rolecall';
      const evaluator = JsEvaluator.fromData(readFileSync('out/bundle/data.json'));
      const client = new PolicyClient(evaluator, { id: 'ann', role: 'user', teams: ['red'] });
      const call = { kind: 'call', call_type: 'default', id: 'weekly', team: 'red' };
      const blue = { ...call, team: 'blue' };
      console.log(client.canSync('CreateCall', call), client.canSync('CreateCall', blue));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: project,
    });
    expect(stdout.trim()).toBe('true false');
  });

  it('runs init, check, test and diff in a new grants repo with the installed CLI', async () => {
    await run(bin, ['init', 'grants'], { cwd: project });
    const repo = path.join(project, 'grants');
    expect((await run(bin, ['check', 'rolecall.yaml'], { cwd: repo })).stdout).toContain(
      '0 errors',
    );
    const tested = await run(bin, ['test', 'rolecall.test.yaml'], { cwd: repo });
    expect(tested.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    const diffed = await run(bin, ['diff', 'rolecall.yaml', 'rolecall.yaml'], { cwd: repo });
    expect(diffed.stdout).toContain('No permission changes.');
    expect((await run(bin, ['--version'], { cwd: repo })).stdout).toMatch(/^rolecall \d/);
  });

  it('type-checks strict TypeScript against the generated names; misspellings fail', async () => {
    const repo = path.join(project, 'grants');
    await run(bin, ['compile', 'rolecall.yaml', '-o', 'out'], { cwd: repo });
    // Every misspelt name carries @ts-expect-error: tsc fails if one of them type-checks.
    await writeFile(
      path.join(repo, 'check-types.ts'),
      `import { JsEvaluator } from 'rolecall';
import { createPolicyClient, type CallType } from './out/rolecall.gen.js';

const evaluator = JsEvaluator.fromData({});
const client = createPolicyClient(evaluator, { id: 'ann', role: 'user', teams: ['red'] });
const callType: CallType = 'default';
void client.can('JoinCall', { kind: 'call', call_type: callType, id: 'weekly' });
// @ts-expect-error a misspelt action
void client.can('JoinCal', { kind: 'call', call_type: 'default', id: 'weekly' });
// @ts-expect-error a misspelt call type
void client.can('JoinCall', { kind: 'call', call_type: 'defualt', id: 'weekly' });
// @ts-expect-error a misspelt role
createPolicyClient(evaluator, { id: 'ann', role: 'usr', teams: [] });
// @ts-expect-error a call role used as the user role
createPolicyClient(evaluator, { id: 'ann', role: 'call_member', teams: [] });
`,
    );
    await writeFile(
      path.join(repo, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          skipLibCheck: true,
          allowImportingTsExtensions: false,
        },
        files: ['check-types.ts'],
      }),
    );
    // The repository's own tsc, resolving 'rolecall' from the installed copy.
    const tsc = path.join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: repo,
    }).catch((error: unknown) => error as { stdout: string; code: number });
    expect('code' in checked ? checked.stdout : '').toBe('');
  });
});
