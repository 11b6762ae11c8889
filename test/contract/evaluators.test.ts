// One contract suite, run against every evaluator: JsEvaluator (from data.json, the bundle
// archive and the folder on disk), WasmEvaluator (from the bundle archive and from policy.wasm +
// data.json) and OpaEvaluator against a real `opa run -s` on 127.0.0.1.
import { canonicalJson as canonicalize } from './canonical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evaluator } from '../../sdk/evaluator.js';
import { OpaEvaluator } from '../../sdk/opa-evaluator.node.js';
import { PolicyClient } from '../../sdk/policy-client.js';
import type { Decision } from '../../sdk/types.js';
import { JsEvaluator } from '../../sdk/js-evaluator.js';
import { loadJsEvaluator, loadWasmEvaluator } from '../../sdk/load-evaluator.node.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import { startOpaServer, type OpaServer } from '../support/opa-server.js';
import { CAPABILITIES_CASE, DECISION_CASES, INVALID_INPUTS, QUERY_FILTER_CASES } from './cases.js';
import { buildContractBundle, type ContractBundle } from './fixture.js';

let bundle: ContractBundle;
let server: OpaServer;
let revision: string;
const evaluators = new Map<string, Evaluator>();

beforeAll(async () => {
  bundle = await buildContractBundle();
  revision = (JSON.parse(bundle.dataJson) as { rolecall_data: { revision: string } }).rolecall_data
    .revision;
  server = await startOpaServer(bundle.bundlePath);
  evaluators.set('js (data.json)', JsEvaluator.fromData(bundle.dataJson));
  evaluators.set('js (bundle.tar.gz bytes)', JsEvaluator.fromBundle(bundle.bundleBytes));
  evaluators.set('js (bundle folder on disk)', await loadJsEvaluator(bundle.bundleDir));
  evaluators.set('wasm (bundle.tar.gz bytes)', await WasmEvaluator.fromBundle(bundle.bundleBytes));
  evaluators.set(
    'wasm (policy.wasm + data.json)',
    await WasmEvaluator.fromWasm(bundle.wasm, bundle.dataJson),
  );
  evaluators.set('wasm (bundle folder on disk)', await loadWasmEvaluator(bundle.bundleDir));
  evaluators.set('opa server', new OpaEvaluator({ url: server.url, timeoutMs: 10_000 }));
});

afterAll(async () => {
  for (const evaluator of evaluators.values()) await evaluator.close();
  await server.stop();
  await bundle.cleanup();
});

const EVALUATOR_NAMES = [
  'js (data.json)',
  'js (bundle.tar.gz bytes)',
  'js (bundle folder on disk)',
  'wasm (bundle.tar.gz bytes)',
  'wasm (policy.wasm + data.json)',
  'wasm (bundle folder on disk)',
  'opa server',
];

function evaluatorNamed(name: string): Evaluator {
  const evaluator = evaluators.get(name);
  if (evaluator === undefined) throw new Error(`no evaluator ${name}`);
  return evaluator;
}

function grantTriples(decision: Decision) {
  return decision.grants.map(({ scope, role, permission }) => ({ scope, role, permission }));
}

describe.each(EVALUATOR_NAMES)('%s', (name) => {
  it.each(DECISION_CASES)('decision: $name', async (testCase) => {
    const evaluator = evaluatorNamed(name);
    const decision = await evaluator.evaluate('rolecall/decision', testCase.input);
    expect({ allow: decision.allow, reason: decision.reason }).toEqual({
      allow: testCase.allow,
      reason: testCase.reason,
    });
    expect(decision.revision).toBe(revision);
    expect(decision.message).not.toBe('');
    if (testCase.grants !== undefined) expect(grantTriples(decision)).toEqual(testCase.grants);
    expect(await evaluator.evaluate('rolecall/allow', testCase.input)).toBe(testCase.allow);
  });

  it('reports where a grant came from in the grants file', async () => {
    const decision = await evaluatorNamed(name).evaluate(
      'rolecall/decision',
      DECISION_CASES[0]?.input,
    );
    expect(decision.grants[0]?.source).toMatch(/^rolecall\.yaml:\d+:\d+$/);
  });

  it.each(INVALID_INPUTS)('INVALID_INPUT for $name at every entrypoint', async ({ input }) => {
    const evaluator = evaluatorNamed(name);
    const decision = await evaluator.evaluate('rolecall/decision', input);
    expect(decision).toMatchObject({ allow: false, reason: 'INVALID_INPUT', revision, grants: [] });
    expect(decision.message).toMatch(/^invalid input: /);
    expect(await evaluator.evaluate('rolecall/allow', input)).toBe(false);
    expect(await evaluator.evaluate('rolecall/capabilities', input)).toEqual([]);
    expect(await evaluator.evaluate('rolecall/query_filter', input)).toMatchObject({
      allow: false,
      reason: 'INVALID_INPUT',
      filter: null,
      injected: false,
    });
  });

  it('answers a non-object input with the engine message itself', async () => {
    // `[]` reaches the engine, `null` is answered by the pre-check: both must read the same.
    const evaluator = evaluatorNamed(name);
    const fromEngine = await evaluator.evaluate('rolecall/decision', []);
    const fromPrecheck = await evaluator.evaluate('rolecall/decision', null);
    expect(canonicalize(fromPrecheck)).toBe(canonicalize(fromEngine));
    const engineFilter = await evaluator.evaluate('rolecall/query_filter', []);
    const precheckFilter = await evaluator.evaluate('rolecall/query_filter', '');
    expect(canonicalize(precheckFilter)).toBe(canonicalize(engineFilter));
  });

  it('capabilities: the sorted plain permission ids of allowed call actions', async () => {
    const capabilities = await evaluatorNamed(name).evaluate(
      'rolecall/capabilities',
      CAPABILITIES_CASE.input,
    );
    expect(capabilities).toEqual([...capabilities].sort());
    expect(capabilities).toEqual(expect.arrayContaining(CAPABILITIES_CASE.includes));
    for (const excluded of CAPABILITIES_CASE.excludes) expect(capabilities).not.toContain(excluded);
  });

  it.each(QUERY_FILTER_CASES)('query_filter: $name', async (testCase) => {
    const result = await evaluatorNamed(name).evaluate('rolecall/query_filter', testCase.input);
    expect(result).toMatchObject({
      allow: testCase.allow,
      reason: testCase.reason,
      filter: testCase.filter,
      injected: testCase.injected,
    });
  });

  it('batch: the same answers as one by one, in order, invalid items included', async () => {
    const evaluator = evaluatorNamed(name);
    const decisions = [
      ...DECISION_CASES.map((c) => c.input),
      ...INVALID_INPUTS.map((c) => c.input),
    ];
    const queryFilters = [
      ...QUERY_FILTER_CASES.map((c) => c.input),
      ...INVALID_INPUTS.map((c) => c.input),
    ];
    const batch = await evaluator.evaluateBatch({ decisions, query_filters: queryFilters });
    const single = {
      decisions: await Promise.all(
        decisions.map((i) => evaluator.evaluate('rolecall/decision', i)),
      ),
      query_filters: await Promise.all(
        queryFilters.map((i) => evaluator.evaluate('rolecall/query_filter', i)),
      ),
    };
    expect(canonicalize(batch)).toBe(canonicalize(single));
    expect(batch.decisions.map((d) => d.reason)).toEqual([
      ...DECISION_CASES.map((c) => c.reason),
      ...INVALID_INPUTS.map(() => 'INVALID_INPUT'),
    ]);
  });

  it('batch: only invalid items, and an empty batch', async () => {
    const evaluator = evaluatorNamed(name);
    const batch = await evaluator.evaluateBatch({ decisions: [null, 0], query_filters: [false] });
    expect(batch.decisions.map((d) => [d.reason, d.revision])).toEqual([
      ['INVALID_INPUT', revision],
      ['INVALID_INPUT', revision],
    ]);
    expect(batch.query_filters.map((q) => q.reason)).toEqual(['INVALID_INPUT']);
    expect(await evaluator.evaluateBatch({ decisions: [], query_filters: [] })).toEqual({
      decisions: [],
      query_filters: [],
    });
  });

  it('PolicyClient: can, decide, capabilities and queryFilter for one subject', async () => {
    const client = new PolicyClient(evaluatorNamed(name), {
      id: 'alice',
      role: 'user',
      teams: ['red'],
    });
    const call = { kind: 'call', call_type: 'default', id: 'red-weekly', team: 'red' } as const;
    expect(await client.can('SendVideo', call, { callRole: 'call_member' })).toBe(true);
    expect(await client.can('SendVideo', call)).toBe(false);
    expect(
      await client.can('SendVideo', call, { callRole: 'call_member', callGrants: ['!send-video'] }),
    ).toBe(false);
    const decision = await client.decide('UpdateCall', call, { changes: ['config_overrides'] });
    expect(decision.reason).toBe('SERVER_ONLY');
    expect(await client.capabilities(call, { callRole: 'call_member' })).toContain('send-audio');
    const filter = await client.queryFilter('calls', { type: 'default' });
    expect(filter).toMatchObject({ reason: 'INJECTED', filter: { team: { $in: ['red'] } } });
  });

  it('PolicyClient synchronous API: answers with a JsEvaluator, fails closed with any other', async () => {
    const evaluator = evaluatorNamed(name);
    const errors: string[] = [];
    const client = new PolicyClient(
      evaluator,
      { id: 'alice', role: 'user', teams: ['red'] },
      { onError: (error) => errors.push(error.code) },
    );
    const call = { kind: 'call', call_type: 'default', id: 'red-weekly', team: 'red' } as const;
    const member = { callRole: 'call_member' } as const;
    const canSync = client.canSync('SendVideo', call, member);
    const decideSync = client.decideSync('SendVideo', call, member);
    const capabilitiesSync = client.capabilitiesSync(call, member);
    if (name.startsWith('js')) {
      expect(canSync).toBe(true);
      expect(canonicalize(decideSync)).toBe(
        canonicalize(await client.decide('SendVideo', call, member)),
      );
      expect(capabilitiesSync).toEqual(await client.capabilities(call, member));
      expect(errors).toEqual([]);
    } else {
      expect([canSync, decideSync.allow, decideSync.reason, capabilitiesSync]).toEqual([
        false,
        false,
        'EVALUATOR_FAILED',
        [],
      ]);
      expect(errors).toEqual(['EVALUATOR_FAILED', 'EVALUATOR_FAILED', 'EVALUATOR_FAILED']);
    }
  });
});

it('every evaluator gives byte-identical canonical answers to the whole contract', async () => {
  const inputs = [
    ...DECISION_CASES.map((c) => c.input),
    ...INVALID_INPUTS.map((c) => c.input),
    CAPABILITIES_CASE.input,
  ];
  const answers = await Promise.all(
    EVALUATOR_NAMES.map(async (name) => {
      const evaluator = evaluatorNamed(name);
      return canonicalize({
        decisions: await Promise.all(inputs.map((i) => evaluator.evaluate('rolecall/decision', i))),
        capabilities: await Promise.all(
          inputs.map((i) => evaluator.evaluate('rolecall/capabilities', i)),
        ),
        filters: await Promise.all(
          QUERY_FILTER_CASES.map((c) => evaluator.evaluate('rolecall/query_filter', c.input)),
        ),
      });
    }),
  );
  for (const answer of answers.slice(1)) expect(answer).toBe(answers[0]);
});
