// The two-part capabilities rule against one decision per call-level action, on inputs crafted
// to hit each shortcut it takes, in WASM and in the real opa.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpaOrThrow } from '../../scripts/opa.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';
import { opaEvalValue } from '../support/opa-eval.js';

// Capabilities must equal, for every input, the plain permissions of the call-level actions
// whose single decision allows. Crafted inputs target each shortcut the two-part rule takes.
const ENGINE_GRANTS = `version: 1
app:
  multi_tenant_enabled: true
  grants:
    user: [query-calls-same-team]
roles:
  stage_manager: { level: call }
permissions:
  - id: end-call-same-team
    action: EndCall
    same_team: true
    name: End call in own team
  - id: pin-owner
    action: PinForEveryone
    owner: true
    name: Pin in own calls
call_types:
  default:
    grants:
      user: [read-call, join-call, create-call, end-call-same-team, pin-owner]
      call_member: [read-call, join-call, send-audio, send-video]
      stage_manager: [mute-users]
  livestream:
    grants:
      user: [read-call]
calls:
  "livestream:example":
    config_overrides:
      grants:
        user: ["!read-call", create-reaction, end-call-owner]
`;

function callInput(
  subject: Record<string, unknown>,
  resource: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    subject,
    resource: { kind: 'call', call_type: 'default', id: 'c1', created_by_id: 'owner', ...resource },
    ...extra,
  };
}

const rita = { id: 'rita', role: 'user', teams: ['red'] };
const CRAFTED: [string, Record<string, unknown>][] = [
  ['a plain user in its team', callInput(rita, { team: 'red' })],
  [
    'the owner in its team (owner permissions)',
    callInput(rita, { team: 'red', created_by_id: 'rita' }),
  ],
  ['another team', callInput(rita, { team: 'blue', created_by_id: 'rita' })],
  ['a call without a team', callInput(rita, {})],
  [
    'a teamless user on a teamless call',
    callInput({ id: 'tom', role: 'user', teams: [] }, { created_by_id: 'tom' }),
  ],
  [
    'call_grants revoking the type grants and granting a custom permission',
    callInput(
      {
        ...rita,
        call_role: 'call_member',
        call_grants: ['!read-call', '!join-call', 'end-call-same-team', 'kick-user'],
      },
      { team: 'red' },
    ),
  ],
  [
    'config_overrides granting a CreateCall-only permission and revoking others',
    callInput(rita, {
      team: 'red',
      config_overrides: { grants: { user: ['create-call', '!read-call', 'screenshare'] } },
    }),
  ],
  [
    'config_overrides granting a role the subject has not',
    callInput(rita, { team: 'red', config_overrides: { grants: { admin: ['end-call'] } } }),
  ],
  ['YAML call overrides', callInput(rita, { call_type: 'livestream', id: 'example', team: 'red' })],
  [
    'YAML call overrides, owner',
    callInput(rita, { call_type: 'livestream', id: 'example', team: 'red', created_by_id: 'rita' }),
  ],
  ['anonymous', callInput({ id: '!anon', role: 'anonymous', teams: [] }, { call_grants: [] })],
  [
    'anonymous with a member write grant',
    callInput(
      {
        id: '!anon',
        role: 'anonymous',
        teams: [],
        call_role: 'call_member',
        call_grants: ['end-call'],
      },
      {},
    ),
  ],
  ['a call-level role only', callInput({ ...rita, call_role: 'stage_manager' }, { team: 'red' })],
  ['server side', callInput(rita, { team: 'blue' }, { context: { side: 'server' } })],
  [
    'server side with a malformed subject',
    callInput({ id: 5 }, {}, { context: { side: 'server' } }),
  ],
  [
    'client side with changes',
    callInput(rita, { team: 'red' }, { changes: ['config_overrides', 'team'] }),
  ],
  ['an unknown role', callInput({ id: 'x', role: 'ghost', teams: ['red'] }, { team: 'red' })],
  ['an unknown call type', callInput(rita, { call_type: 'nope', team: 'red' })],
  ['an action that is ignored', callInput(rita, { team: 'red' }, { action: 'NoSuchAction' })],
  ['a malformed resource', callInput(rita, { team: 7 })],
];

describe('capabilities against one decision per action on crafted inputs', () => {
  let bundle: ContractBundle;
  let evaluator: WasmEvaluator;
  let callLevel: [string, string][];

  beforeAll(async () => {
    bundle = await buildContractBundle(ENGINE_GRANTS);
    evaluator = await WasmEvaluator.fromBundle(bundle.bundleBytes);
    const data = JSON.parse(bundle.dataJson) as {
      rolecall_data: { actions: Record<string, { level: string; permission: string }> };
    };
    callLevel = Object.entries(data.rolecall_data.actions)
      .filter(([, action]) => action.level === 'call')
      .map(([name, action]): [string, string] => [name, action.permission]);
  });
  afterAll(async () => {
    await evaluator.close();
    await bundle.cleanup();
  });

  async function byDecisions(input: Record<string, unknown>): Promise<string[]> {
    const allowed = new Set<string>();
    for (const [action, permission] of callLevel) {
      const decision = await evaluator.evaluate('rolecall/decision', { ...input, action });
      if (decision.allow) allowed.add(permission);
    }
    return [...allowed].sort();
  }

  it('WASM capabilities equal the per-action decisions, and some inputs grant something', async () => {
    const answers: Record<string, string[]> = {};
    for (const [name, input] of CRAFTED) {
      const capabilities = await evaluator.evaluate('rolecall/capabilities', input);
      expect(capabilities, name).toEqual(await byDecisions(input));
      answers[name] = capabilities;
    }
    // The crafted inputs reach the paths they aim at (a check of the test itself).
    const plain = answers['a plain user in its team'];
    expect(plain).toContain('end-call'); // through the custom end-call-same-team
    expect(plain).not.toContain('pin-for-everyone'); // pin-owner needs ownership
    expect(answers['the owner in its team (owner permissions)']).toContain('pin-for-everyone');
    expect(answers['another team']).toEqual([]);
    const revoking =
      answers['call_grants revoking the type grants and granting a custom permission'];
    expect(revoking).not.toContain('read-call');
    expect(revoking).toContain('kick-user');
    const overriding =
      answers['config_overrides granting a CreateCall-only permission and revoking others'];
    expect(overriding).toContain('screenshare');
    expect(overriding).not.toContain('read-call');
    expect(answers['YAML call overrides']).toEqual(['create-reaction']);
    expect(answers['YAML call overrides, owner']).toContain('end-call');
    expect(answers['anonymous with a member write grant']).not.toContain('end-call');
    expect(answers['server side']).toEqual([...new Set(callLevel.map(([, p]) => p))].sort());
    expect(answers['a call-level role only']).toContain('mute-users');
    expect(answers['client side with changes']).toEqual([]);
  });

  it('the real opa agrees with WASM on capabilities and on the per-action decisions', async () => {
    // One opa run: for each case, capabilities and the permissions whose decision allows.
    const query = `[pair |
      some x in input.cases
      capabilities := data.rolecall.capabilities with input as x
      decided := sort({p |
        some a, d in data.rolecall_data.actions
        d.level == "call"
        r := data.rolecall.decision with input as object.union(x, {"action": a})
        r.allow == true
        p := d.permission
      })
      pair := [capabilities, decided]
    ]`;
    const stdout = await runOpaOrThrow(
      ['eval', '--bundle', bundle.bundleDir, '--stdin-input', '--format', 'json', query],
      { input: JSON.stringify({ cases: CRAFTED.map(([, input]) => input) }) },
    );
    const results = opaEvalValue(stdout) as [string[], string[]][];
    expect(results).toHaveLength(CRAFTED.length);
    for (const [index, [name, input]] of CRAFTED.entries()) {
      const [capabilities, decided] = results[index] ?? [];
      expect(capabilities, name).toEqual(decided);
      expect(capabilities, name).toEqual(await evaluator.evaluate('rolecall/capabilities', input));
    }
  });
});
