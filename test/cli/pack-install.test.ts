// The CLI package as a grants repo or a server gets it: rolecall packed and installed from its
// tarball into a fresh project with the registry's dependencies (@rolecall/sdk from its own
// tarball, as the registry will serve it). `npx rolecall` answers and compiles, the SDK entries
// re-export @rolecall/sdk's one copy (so `instanceof` holds across both names), `npx rolecall
// init` + `check` + `test` + `diff` work in a new grants repo, and a strict TypeScript file
// type-checks against the generated names (a misspelt role, action or call type does not).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INSTALL_TIMEOUT_MS,
  describeCost,
  install,
  installCost,
  newProject,
  pack,
  run,
  typeCheck,
} from './packed.js';

describe('the packed rolecall package, installed into a new project', () => {
  let work: string;
  let project: string;
  let bin: string;
  let installLog: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-install-'));
    const tarballs = [await pack('@rolecall/sdk', work), await pack('rolecall', work)];
    project = await newProject(path.join(work, 'app'));
    installLog = await install(project, tarballs);
    bin = path.join(project, 'node_modules', '.bin', 'rolecall');
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('installs without engine warnings, with one copy of the SDK, and reports what it costs', async () => {
    const cost = await installCost(project);
    // The README's install table states these; this prints them for each run.
    console.info(`rolecall (CLI, compiler, server, SDK): ${describeCost(cost)}`);
    expect(cost.packages.length).toBeGreaterThan(1);
    expect(cost.packages.filter((name) => name.endsWith('@rolecall/sdk'))).toEqual([
      '@rolecall/sdk',
    ]);
    // No dependency asks for a newer Node than rolecall's engines (npm warns EBADENGINE).
    expect(installLog).not.toContain('EBADENGINE');
  });

  it('answers npx rolecall --version and compiles with npx rolecall compile', async () => {
    const version = await run('npx', ['--no-install', 'rolecall', '--version'], { cwd: project });
    expect(version.stdout).toMatch(/^rolecall \d+\.\d+\.\d+/);
    await writeFile(
      path.join(project, 'rolecall.yaml'),
      'version: 1\napp:\n  multi_tenant_enabled: true\n',
    );
    const compiled = await run(
      'npx',
      ['--no-install', 'rolecall', 'compile', 'rolecall.yaml', '-o', 'out'],
      {
        cwd: project,
      },
    );
    expect(compiled.stdout).toContain('compiled rolecall.yaml → out');
  });

  it('imports the SDK from rolecall and decides, with the classes of @rolecall/sdk', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import * as cli from 'rolecall';
      import * as cliNode from 'rolecall/node';
      import * as cliBrowser from 'rolecall/browser';
      import * as sdk from '@rolecall/sdk';
      import * as sdkNode from '@rolecall/sdk/node';
      import * as sdkBrowser from '@rolecall/sdk/browser';
      const evaluator = cli.JsEvaluator.fromData(readFileSync('out/bundle/data.json'));
      const client = new cli.PolicyClient(evaluator, { id: 'ann', role: 'user', teams: ['red'] });
      const call = { kind: 'call', call_type: 'default', id: 'weekly', team: 'red' };
      const blue = { ...call, team: 'blue' };
      const sameExports = (a, b) =>
        Object.keys(a).length > 0 && Object.keys(a).length === Object.keys(b).length &&
        Object.entries(a).every(([name, value]) => b[name] === value);
      let caught;
      try { cli.JsEvaluator.fromData('not json'); } catch (error) { caught = error; }
      console.log(JSON.stringify({
        decisions: [client.canSync('CreateCall', call), client.canSync('CreateCall', blue)],
        same: [sameExports(cli, sdk), sameExports(cliNode, sdkNode), sameExports(cliBrowser, sdkBrowser)],
        instanceOf: caught instanceof sdk.BundleFormatError,
      }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: project,
    });
    expect(JSON.parse(stdout)).toEqual({
      decisions: [true, false],
      same: [true, true, true],
      instanceOf: true,
    });
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
    expect(await typeCheck(repo, 'tsconfig.json')).toBe('');
  });
});
