// The SDK as an app developer gets it: @rolecall/sdk packed and installed alone into a fresh
// project with the registry's dependencies. It stays within the budget (at most 10 packages and
// 5 MB on disk, none of the CLI's), decides from Node over a data.json the CLI compiled, and its
// types (with the generated rolecall.gen.ts) resolve under moduleResolution node16 and bundler.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/assets.js';
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

const MAX_PACKAGES = 10;
const MAX_BYTES = 5_000_000;
/** What only the CLI, compiler or server need: none of it may reach an SDK-only app. */
const CLI_ONLY = ['rolecall', '@electric-sql/pglite', 'ts-morph', 'fastify', 'pg', 'tar', 'ajv'];

const EXAMPLE = path.join(packageRoot, 'examples', 'video-saas');

describe('@rolecall/sdk, installed alone into a new project', () => {
  let work: string;
  let project: string;
  let installLog: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-sdk-install-'));
    const tarball = await pack('@rolecall/sdk', work);
    project = await newProject(path.join(work, 'app'));
    installLog = await install(project, [tarball]);
    // The grants repo's side: this checkout's CLI compiles the example into the app's out/.
    await run(process.execPath, [
      path.join(packageRoot, 'dist', 'cli', 'main.js'),
      'compile',
      path.join(EXAMPLE, 'rolecall.yaml'),
      '-o',
      path.join(project, 'out'),
    ]);
    await copyFile(path.join(EXAMPLE, 'decisions.json'), path.join(project, 'decisions.json'));
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it(`costs at most ${String(MAX_PACKAGES)} packages and 5 MB, none of the CLI's`, async () => {
    const cost = await installCost(project);
    // The README's install table states these; this prints them for each run.
    console.info(`@rolecall/sdk alone: ${describeCost(cost)} (${cost.packages.join(', ')})`);
    expect(cost.packages).toContain('@rolecall/sdk');
    expect(cost.packages.length).toBeLessThanOrEqual(MAX_PACKAGES);
    expect(cost.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(cost.packages.filter((name) => CLI_ONLY.includes(name))).toEqual([]);
    expect(installLog).not.toContain('EBADENGINE');
  });

  it('decides in Node with the JS evaluator over data.json, as WASM does over the bundle', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { JsEvaluator, PolicyClient, createServerClient } from '@rolecall/sdk';
      import { JsEvaluator as BrowserJsEvaluator } from '@rolecall/sdk/browser';
      import { OpaEvaluator, loadWasmEvaluator } from '@rolecall/sdk/node';
      const inputs = JSON.parse(readFileSync('decisions.json', 'utf8'));
      const js = JsEvaluator.fromData(readFileSync('out/bundle/data.json'));
      const wasm = await loadWasmEvaluator('out');
      const reasons = async (evaluator) => {
        const answers = [];
        for (const input of inputs) answers.push((await evaluator.evaluate('rolecall/decision', input)).reason);
        return answers;
      };
      const client = new PolicyClient(js, { id: 'maya', role: 'user', teams: ['acme'] });
      const call = { kind: 'call', call_type: 'default', id: 'standup', team: 'acme' };
      const fromBundle = BrowserJsEvaluator.fromBundle(readFileSync('out/bundle.tar.gz'));
      const admin = createServerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', secret: 's'.repeat(32) });
      console.log(JSON.stringify({
        js: await reasons(js),
        wasm: await reasons(wasm),
        bundle: await reasons(fromBundle),
        createCall: [client.canSync('CreateCall', call), client.canSync('CreateCall', { ...call, team: 'other' })],
        same: BrowserJsEvaluator === JsEvaluator,
        token: (await admin.createToken('bob')).split('.').length,
        opa: typeof new OpaEvaluator({ url: 'http://127.0.0.1:9' }).evaluate,
      }));
      await wasm.close();
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: project,
    });
    const reasons = [
      'GRANTED',
      'REVOKED',
      'TEAM_MISMATCH',
      'TEAM_REQUIRED',
      'FORBIDDEN_FIELD',
      'ANONYMOUS_READ_ONLY',
    ];
    expect(JSON.parse(stdout)).toEqual({
      js: reasons,
      wasm: reasons,
      bundle: reasons,
      createCall: [true, false],
      same: true,
      token: 3,
      opa: 'function',
    });
  });

  it('type-checks strictly under moduleResolution node16 and bundler, with the generated names', async () => {
    // The generated file imports '@rolecall/sdk' only, so the SDK alone type-checks it. Each
    // misspelt name carries @ts-expect-error: tsc fails if one of them type-checks (or if the
    // SDK's types resolve to `any`).
    const generated = await readFile(path.join(project, 'out', 'rolecall.gen.ts'), 'utf8');
    expect(generated).toContain("from '@rolecall/sdk';");
    const shared = `
import { createPolicyClient, type CallType } from './out/rolecall.gen.js';

const evaluator = JsEvaluator.fromData({});
const client = createPolicyClient(evaluator, { id: 'maya', role: 'user', teams: ['acme'] });
const callType: CallType = 'default';
void client.can('JoinCall', { kind: 'call', call_type: callType, id: 'standup' });
// @ts-expect-error a misspelt action
void client.can('JoinCal', { kind: 'call', call_type: 'default', id: 'standup' });
// @ts-expect-error a misspelt call type
void client.can('JoinCall', { kind: 'call', call_type: 'defualt', id: 'standup' });
// @ts-expect-error a misspelt role
createPolicyClient(evaluator, { id: 'maya', role: 'usr', teams: [] });
export const untyped = new PolicyClient(evaluator, { id: 'maya', role: 'any-role', teams: [] });
export const decision: Promise<Decision> = evaluator.evaluate('rolecall/decision', {});
// @ts-expect-error allow is a boolean
export const allow: Promise<string> = decision.then((answer) => answer.allow);
`;
    await writeFile(
      path.join(project, 'node-app.ts'),
      `import { JsEvaluator, PolicyClient, EvaluatorError, type Decision } from '@rolecall/sdk';
import { OpaEvaluator, loadJsEvaluator } from '@rolecall/sdk/node';
export const opa = new OpaEvaluator({ url: 'http://127.0.0.1:8181' });
export const loaded: Promise<JsEvaluator> = loadJsEvaluator('out');
export const failed = (error: unknown): boolean => error instanceof EvaluatorError;
${shared}`,
    );
    await writeFile(
      path.join(project, 'browser-app.ts'),
      `import { JsEvaluator, PolicyClient, WasmEvaluator, createClient, type Decision } from '@rolecall/sdk/browser';
export const wasm: (bytes: Uint8Array) => Promise<WasmEvaluator> = (bytes) => WasmEvaluator.fromBundle(bytes);
export const video = createClient({ baseUrl: 'https://video.example', apiKey: 'k', token: 't' });
${shared}`,
    );
    const strict = { strict: true, noEmit: true, target: 'es2022', skipLibCheck: true };
    await writeFile(
      path.join(project, 'tsconfig.node16.json'),
      JSON.stringify({
        compilerOptions: {
          ...strict,
          module: 'node16',
          moduleResolution: 'node16',
          // A Node app has @types/node; the repository's copy stands in for the app's.
          typeRoots: [path.join(packageRoot, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['node-app.ts'],
      }),
    );
    await writeFile(
      path.join(project, 'tsconfig.bundler.json'),
      JSON.stringify({
        compilerOptions: {
          ...strict,
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['es2022', 'dom'],
          types: [],
        },
        files: ['browser-app.ts'],
      }),
    );
    expect(await typeCheck(project, 'tsconfig.node16.json')).toBe('');
    expect(await typeCheck(project, 'tsconfig.bundler.json')).toBe('');
  });
});
