// Property tests of the engine's total-function promise: for any JSON object input every
// entrypoint answers a well-shaped value in WASM (never undefined, never a throw), and the real
// OPA gives the same canonical JSON for a sample of generated inputs (one `opa eval` of batch).
import { buildDataDocument } from '../../core/data-document.js';
import fc from 'fast-check';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGrants } from '../../compiler/resolve/index.js';
import type { ResolvedPolicy } from '../../compiler/types.js';
import { canonicalJson } from '../contract/canonical.js';
import { writeBundleDir, type BundleDir } from '../support/bundle-dir.js';
import { DECISION_REASONS, QUERY_REASONS } from '../support/reason-codes.js';
import { loadEngineWasm } from '../support/wasm.js';
import { evaluateEngineWasm } from '../support/wasm-evaluate.js';
import { evaluateBatchWithOpa } from '../support/opa-eval.js';

// Strings stay well-formed: a lone surrogate never reaches an engine (the SDK pre-check).
const text = fc.string({ maxLength: 8 });
const json = fc.jsonValue({ maxDepth: 3 });
const teams = fc.array(fc.constantFrom('red', 'blue', 'green'), { maxLength: 3 });
const permissionIds = fc.constantFrom('send-audio', 'send-video', 'join-call', 'end-call-owner');
const modifiers = fc.array(
  fc.oneof(
    permissionIds,
    permissionIds.map((id) => `!${id}`),
  ),
  { maxLength: 3 },
);

function sometimes(arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 15, arbitrary }, { weight: 1, arbitrary: json });
}

const subject = sometimes(
  fc.record(
    {
      id: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('alice', 'bob') }, text),
      role: fc.constantFrom('user', 'admin', 'anonymous', 'guest', 'nobody'),
      teams: fc.oneof(teams, fc.constant(null)),
      call_role: fc.constantFrom('call_member', 'host', 'stage'),
      call_grants: modifiers,
    },
    { requiredKeys: ['id', 'role'] },
  ),
);

const resource = sometimes(
  fc.oneof(
    fc.constant({ kind: 'app' }),
    fc.record(
      {
        kind: fc.constant('call'),
        call_type: fc.constantFrom('default', 'livestream', 'audio_room', 'nope'),
        id: fc.constantFrom('weekly', 'example'),
        team: fc.oneof(fc.constantFrom('red', 'blue'), fc.constant(null)),
        created_by_id: fc.constantFrom('alice', 'bob'),
        config_overrides: fc.oneof(
          fc.constant(null),
          fc.record({ grants: fc.dictionary(fc.constantFrom('user', 'call_member'), modifiers) }),
        ),
      },
      { requiredKeys: ['kind', 'call_type', 'id'] },
    ),
    fc.record(
      { kind: fc.constant('user'), id: fc.constantFrom('alice', 'bob'), teams, role: text },
      { requiredKeys: ['kind', 'id'] },
    ),
  ),
);

const filterKey = fc.constantFrom(
  'name',
  'teams',
  'team',
  '$and',
  '$or',
  '$nor',
  '$in',
  '$eq',
  '$where',
  '$regex',
);
const filter: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constantFrom('red', 'blue', null), json),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(filterKey, tie('node'), { maxKeys: 3 }),
  ),
})).node;

const filterObject = fc.dictionary(filterKey, filter, { maxKeys: 3 });

const decisionInput = sometimes(
  fc.record(
    {
      subject,
      action: sometimes(
        fc.constantFrom(
          'SendAudio',
          'SendVideo',
          'JoinCall',
          'ReadCall',
          'UpdateUser',
          'CreateCall',
          'EndCall',
          'SearchUser',
          'Nope',
        ),
      ),
      resource,
      changes: fc.oneof(
        { weight: 3, arbitrary: fc.constant(['name']) },
        {
          weight: 1,
          arbitrary: fc.array(
            fc.constantFrom('role', 'teams', 'team', 'config_overrides', 'created_by_id'),
          ),
        },
      ),
      context: sometimes(fc.constantFrom({ side: 'server' }, { side: 'client' }, {})),
    },
    { requiredKeys: ['subject', 'action', 'resource'] },
  ),
);

const queryInput = sometimes(
  fc.record(
    {
      subject,
      action: sometimes(fc.constantFrom('QueryUsers', 'QueryCalls')),
      query: sometimes(fc.record({ filter_conditions: sometimes(filterObject) })),
      context: sometimes(fc.constantFrom({ side: 'server' }, { side: 'client' })),
    },
    { requiredKeys: ['subject', 'action'] },
  ),
);

// opa-wasm treats a non-object input as "no input"; the SDK pre-check answers those itself.
const objectInput = (arbitrary: fc.Arbitrary<unknown>) =>
  arbitrary.filter((value) => typeof value === 'object' && value !== null && !Array.isArray(value));

function expectDecisionShape(decision: unknown, revision: string): void {
  expect(decision).toEqual({
    allow: expect.any(Boolean) as unknown,
    reason: expect.toBeOneOf(DECISION_REASONS) as unknown,
    message: expect.any(String) as unknown,
    revision,
    grants: expect.any(Array) as unknown,
  });
}

function expectQueryShape(result: unknown): void {
  expect(result).toEqual({
    allow: expect.any(Boolean) as unknown,
    reason: expect.toBeOneOf(QUERY_REASONS) as unknown,
    message: expect.any(String) as unknown,
    injected: expect.any(Boolean) as unknown,
    filter: expect.toSatisfy((value) => typeof value === 'object') as unknown,
  });
  const { allow, filter } = result as { allow: boolean; filter: unknown };
  if (allow) expect(typeof filter).toBe('object');
  else expect(filter).toBeNull();
}

describe('engine on generated inputs', () => {
  let policy: ResolvedPolicy;
  let wasm: LoadedPolicy;
  let bundle: BundleDir | undefined;

  beforeAll(async () => {
    policy = resolveGrants({
      version: 1,
      app: { multi_tenant_enabled: true },
      calls: { 'default:example': { config_overrides: { grants: { user: ['!join-call'] } } } },
    });
    wasm = await loadEngineWasm(buildDataDocument(policy));
    bundle = await writeBundleDir(policy);
  });

  afterAll(async () => {
    await bundle?.remove();
  });

  it('every decision entrypoint answers a well-shaped value in WASM', () => {
    fc.assert(
      fc.property(objectInput(decisionInput), (input) => {
        const decision = evaluateEngineWasm(wasm, 'rolecall/decision', input);
        expectDecisionShape(decision, policy.revision);
        expect(evaluateEngineWasm(wasm, 'rolecall/allow', input)).toBe(
          (decision as { allow: boolean }).allow,
        );
        const capabilities = evaluateEngineWasm(wasm, 'rolecall/capabilities', input) as string[];
        expect(capabilities).toEqual([...new Set(capabilities)].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('query_filter answers a well-shaped value in WASM', () => {
    fc.assert(
      fc.property(objectInput(queryInput), (input) => {
        expectQueryShape(evaluateEngineWasm(wasm, 'rolecall/query_filter', input));
      }),
      { numRuns: 300 },
    );
  });

  it('batch answers every item, malformed items included', () => {
    fc.assert(
      fc.property(
        fc.array(decisionInput, { maxLength: 4 }),
        fc.array(queryInput, { maxLength: 4 }),
        (decisions, queryFilters) => {
          const batch = evaluateEngineWasm(wasm, 'rolecall/batch', {
            decisions,
            query_filters: queryFilters,
          }) as { decisions: unknown[]; query_filters: unknown[] };
          expect(batch.decisions).toHaveLength(decisions.length);
          expect(batch.query_filters).toHaveLength(queryFilters.length);
          for (const decision of batch.decisions) expectDecisionShape(decision, policy.revision);
          for (const result of batch.query_filters) expectQueryShape(result);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('OPA and WASM agree on a sample of generated inputs', async () => {
    if (bundle === undefined) throw new Error('no bundle');
    const batchInput = {
      decisions: fc.sample(decisionInput, { numRuns: 400, seed: 7 }),
      query_filters: fc.sample(queryInput, { numRuns: 400, seed: 11 }),
    };
    const fromOpa = await evaluateBatchWithOpa(bundle.dir, batchInput);
    const fromWasm = evaluateEngineWasm(wasm, 'rolecall/batch', batchInput);
    expect(canonicalJson(fromWasm)).toBe(canonicalJson(fromOpa));
  });
});
