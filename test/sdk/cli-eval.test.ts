// `rolecall eval --engine wasm|opa`: the CLI runs the SDK evaluators, so the bundle in-process
// and a real OPA server serving the same bundle print the same answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECISION_CASES, INVALID_INPUTS, QUERY_FILTER_CASES } from '../contract/cases.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';
import { runCli } from '../support/cli-io.js';
import { findFreePort, startOpaServer, type OpaServer } from '../support/opa-server.js';

let bundle: ContractBundle;
let server: OpaServer;

beforeAll(async () => {
  bundle = await buildContractBundle();
  server = await startOpaServer(bundle.bundlePath);
});

afterAll(async () => {
  await server.stop();
  await bundle.cleanup();
});

function evalCli(args: string[], stdin: string) {
  return runCli(['eval', ...args, '--input', '-'], bundle.dir, stdin);
}

describe('rolecall eval --engine', () => {
  const decisions = JSON.stringify([
    ...DECISION_CASES.map((c) => c.input),
    ...INVALID_INPUTS.map((c) => c.input),
  ]);
  const filters = JSON.stringify(QUERY_FILTER_CASES.map((c) => c.input));

  it.each([
    ['rolecall/decision', decisions],
    ['rolecall/allow', decisions],
    ['rolecall/capabilities', decisions],
    ['rolecall/query_filter', filters],
  ])('%s: wasm and opa print the same answers', async (entrypoint, stdin) => {
    const wasm = await evalCli(['bundle.tar.gz', '--entrypoint', entrypoint], stdin);
    const opa = await evalCli(
      ['--engine', 'opa', '--url', server.url, '--entrypoint', entrypoint],
      stdin,
    );
    expect(wasm.code).toBe(0);
    expect(opa).toEqual(wasm);
    expect(JSON.parse(wasm.stdout)).toHaveLength((JSON.parse(stdin) as unknown[]).length);
  });

  it('an unreachable OPA exits 1 with the typed error code and prints no answer', async () => {
    const port = await findFreePort();
    const result = await evalCli(['--engine', 'opa', '--url', `http://127.0.0.1:${port}`], '{}');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('EVALUATOR_UNAVAILABLE');
  });

  it.each([
    [['--engine', 'opa']],
    [['bundle.tar.gz', '--url', 'http://127.0.0.1:1']],
    [['bundle.tar.gz', '--engine', 'cedar']],
    [['--engine', 'opa', '--url', 'not a url']],
  ])('usage error (exit 2): %j', async (args) => {
    expect((await evalCli(args, '{}')).code).toBe(2);
  });
});
