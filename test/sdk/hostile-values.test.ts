// What an odd or hostile JavaScript value does to an evaluator: at most a deny, and the same
// answer from every engine. A runtime polluted with enumerable keys on Object.prototype can
// neither add a field to an input nor rewrite what is serialized, an input that throws when read is INVALID_INPUT (one hole in a batch too), and data
// without its tenant setting keeps tenants apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, QueryFilterResult } from '../../core/contract.js';
import { JsEvaluator } from '../../sdk/js-evaluator.js';
import { PolicyClient } from '../../sdk/policy-client.js';
import { hasResultShape } from '../../sdk/result-shape.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import { canonicalJson } from '../contract/canonical.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';

const alice = { id: 'alice', role: 'user', teams: ['red'] };
/** town_hall grants users only read and join; its stage_manager call role may mute. */
const muteInTownHall = {
  subject: alice,
  action: 'MuteUsers',
  resource: { kind: 'call' as const, call_type: 'town_hall', id: 'keynote', team: 'red' },
};
/** A call without a team is outside the teams of a subject who has some. */
const joinTeamless = {
  subject: alice,
  action: 'JoinCall',
  resource: { kind: 'call' as const, call_type: 'default', id: 'standup' },
};

/** Runs `body` with Object.prototype[key] = value (assigned, or defined non-enumerable). */
async function withPollution<T>(
  key: string,
  value: unknown,
  enumerable: boolean,
  body: () => Promise<T>,
): Promise<T> {
  Object.defineProperty(Object.prototype, key, {
    value,
    enumerable,
    configurable: true,
    writable: true,
  });
  try {
    return await body();
  } finally {
    Reflect.deleteProperty(Object.prototype, key);
  }
}

describe('hostile values', () => {
  let bundle: ContractBundle;
  let js: JsEvaluator;
  let wasm: WasmEvaluator;

  /** The decision of both local engines, which must agree. */
  async function decide(input: unknown): Promise<Decision> {
    const mine = js.evaluateSync('rolecall/decision', input);
    const theirs = await wasm.evaluate('rolecall/decision', input);
    expect(canonicalJson(mine)).toBe(canonicalJson(theirs));
    return mine;
  }

  beforeAll(async () => {
    bundle = await buildContractBundle();
    js = JsEvaluator.fromData(bundle.dataJson);
    wasm = await WasmEvaluator.fromBundle(bundle.bundleBytes);
  });
  afterAll(async () => {
    await wasm.close();
    await bundle.cleanup();
  });

  const pollutions: [string, unknown, object][] = [
    ['call_role', 'stage_manager', muteInTownHall],
    ['team', 'red', joinTeamless],
    ['call_grants', ['mute-users'], muteInTownHall],
  ];

  it.each(pollutions)('a polluted Object.prototype.%s adds no field', async (key, value, input) => {
    const clean = await decide(input);
    expect(clean.allow).toBe(false);
    // Meaningful: the same value given as a field would allow.
    const explicit = structuredClone(input) as Record<string, Record<string, unknown>>;
    const holder = key === 'team' ? explicit['resource'] : explicit['subject'];
    if (holder !== undefined) holder[key] = value;
    expect((await decide(explicit)).allow).toBe(true);
    // As prototype pollution happens (an assignment through a merged `__proto__`): enumerable.
    const polluted = await withPollution(key, value, true, () => decide(input));
    expect(polluted).toEqual(clean);
  });

  it('a polluted Object.prototype key adds no problem to an invalid input with grant overrides', async () => {
    const invalid = {
      ...muteInTownHall,
      subject: { role: 'user', teams: ['red'] },
      resource: {
        ...muteInTownHall.resource,
        config_overrides: { grants: { user: ['mute-users'] } },
      },
    };
    const clean = await decide(invalid);
    expect(clean.reason).toBe('INVALID_INPUT');
    expect(clean.message).not.toContain('config_overrides');
    // Enumerable and not a modifier list: for…in over the grants visits it.
    const polluted = await withPollution('stage_manager', 'not a list', true, () =>
      decide(invalid),
    );
    expect(polluted).toEqual(clean);
  });

  it('a toJSON on a built-in prototype makes every input INVALID_INPUT, never what it serializes', async () => {
    const stageManager = { ...muteInTownHall, subject: { ...alice, call_role: 'stage_manager' } };
    expect((await decide(stageManager)).allow).toBe(true);
    // Answers taken while polluted, compared after (the test's own serializer would call it).
    const hijacked = await withPollution(
      'toJSON',
      function hijack(this: Record<string, unknown>) {
        return this['id'] === 'alice' ? { ...this, call_role: 'stage_manager' } : this;
      },
      false,
      async () => [
        js.evaluateSync('rolecall/decision', muteInTownHall),
        await wasm.evaluate('rolecall/decision', muteInTownHall),
      ],
    );
    for (const decision of hijacked) {
      expect([decision.allow, decision.reason]).toEqual([false, 'INVALID_INPUT']);
    }
  });

  it('an input that throws when read is INVALID_INPUT, alone and in a batch with a hole', async () => {
    const throwing = {
      ...muteInTownHall,
      get resource(): never {
        throw new Error('boom');
      },
    };
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const unreadable = [throwing, { ...muteInTownHall, subject: revoked }];
    for (const input of unreadable) expect((await decide(input)).reason).toBe('INVALID_INPUT');

    // eslint-disable-next-line no-sparse-arrays -- the hole is the test
    const decisions = [, joinTeamless, throwing];
    for (const evaluator of [js, wasm]) {
      const answer = await evaluator.evaluateBatch({ decisions, query_filters: [] });
      expect(answer.decisions).toHaveLength(3);
      expect(0 in answer.decisions).toBe(true);
      expect(answer.decisions.map((decision) => decision.reason)).toEqual([
        'INVALID_INPUT',
        'TEAM_MISMATCH',
        'INVALID_INPUT',
      ]);
    }
  });

  it('PolicyClient answers a deny, never a throw, for an unreadable subject or null options', async () => {
    const subject = {
      id: 'alice',
      role: 'user',
      get teams(): never {
        throw new Error('boom');
      },
    };
    const client = new PolicyClient(js, subject);
    const resource = muteInTownHall.resource;
    expect(client.canSync('MuteUsers', resource)).toBe(false);
    expect(client.decideSync('MuteUsers', resource).reason).toBe('INVALID_INPUT');
    expect(await client.can('MuteUsers', resource)).toBe(false);
    expect(client.capabilitiesSync(resource)).toEqual([]);

    const member = new PolicyClient(js, alice);
    const nullOptions = null as unknown as Record<string, never>;
    expect(member.decideSync('JoinCall', resource, nullOptions)).toEqual(
      member.decideSync('JoinCall', resource),
    );
    expect(member.canSync('JoinCall', resource, nullOptions)).toBe(true);
  });

  it('data without a boolean multi_tenant_enabled keeps tenants apart in every local engine', async () => {
    const document = JSON.parse(bundle.dataJson) as { rolecall_data: Record<string, unknown> };
    const withSettings = (settings: unknown) => ({
      rolecall_data: { ...document.rolecall_data, settings },
    });
    const blueCall = { ...joinTeamless, resource: { ...joinTeamless.resource, team: 'blue' } };
    const clientQuery = {
      subject: alice,
      action: 'QueryCalls',
      query: { filter_conditions: {} },
    };
    try {
      // Meaningful: with the setting false, the blue call is reached.
      wasm.setData(withSettings({ multi_tenant_enabled: false }));
      js = JsEvaluator.fromData(withSettings({ multi_tenant_enabled: false }));
      expect((await decide(blueCall)).reason).not.toBe('TEAM_MISMATCH');
      for (const settings of [undefined, null, {}, { multi_tenant_enabled: 'false' }]) {
        wasm.setData(withSettings(settings));
        js = JsEvaluator.fromData(withSettings(settings));
        expect((await decide(blueCall)).reason, JSON.stringify(settings)).toBe('TEAM_MISMATCH');
        const filters: QueryFilterResult[] = [
          js.evaluateSync('rolecall/query_filter', clientQuery),
          await wasm.evaluate('rolecall/query_filter', clientQuery),
        ];
        for (const filter of filters) expect(filter.reason).toBe('INJECTED');
      }
    } finally {
      wasm.setData(bundle.dataJson);
      js = JsEvaluator.fromData(bundle.dataJson);
    }
  });

  it('refuses an engine answer whose allow contradicts its reason or its filter', () => {
    const decision = { allow: false, reason: 'NOT_GRANTED', message: '', revision: '', grants: [] };
    expect(hasResultShape('rolecall/decision', decision)).toBe(true);
    expect(hasResultShape('rolecall/decision', { ...decision, allow: true })).toBe(false);
    const filter = { allow: true, reason: 'INJECTED', filter: {}, injected: true, message: '' };
    expect(hasResultShape('rolecall/query_filter', filter)).toBe(true);
    expect(hasResultShape('rolecall/query_filter', { ...filter, filter: null })).toBe(false);
    expect(
      hasResultShape('rolecall/query_filter', { ...filter, allow: false, reason: 'NOT_GRANTED' }),
    ).toBe(false);
  });
});
