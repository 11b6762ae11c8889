// Adversarial checks of recent changes: queryCalls paging over readable calls (ties, unreadable
// runs, tenants), the authenticated /bundle.tar.gz and /data.json, the two-part capabilities
// engine against one decision per action (WASM and the real opa), a policy load that fails
// (UI hints fail closed) and then succeeds, and `rolecall diff --live` with wrong and right credentials.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpaOrThrow } from '../scripts/opa.js';
import {
  createClient,
  createServerClient,
  RolecallNetworkError,
  type VideoClient,
} from '../sdk/clients/index.js';
import { createServerToken, createUserToken } from '../sdk/clients/token.js';
import type { EvaluatorError } from '../sdk/errors.js';
import type { Decision } from '../sdk/types.js';
import { WasmEvaluator } from '../sdk/wasm-evaluator.js';
import { resolveActor } from '../server/actor.js';
import { Decider } from '../server/decider.js';
import { queryCalls } from '../server/services/calls.js';
import { buildContractBundle, type ContractBundle } from './contract/fixture.js';
import { runCli } from './support/cli-io.js';
import { opaEvalValue } from './support/opa-eval.js';
import {
  API_KEY,
  API_SECRET,
  BACKENDS,
  rejection,
  expectStreamError,
  startTestServer,
  type TestServer,
} from './support/server.js';
import { DEFAULT_SCAN_LIMIT } from '../server/services/allowed-page.js';

const idsOf = (answer: { calls: { call: { id: string } }[] }): string[] =>
  answer.calls.map((entry) => entry.call.id);

/** Every page of `limit` from offset 0 until a short page, concatenated. */
async function allPages(
  client: VideoClient,
  limit: number,
  sort?: { field: string; direction: 1 | -1 }[],
): Promise<string[][]> {
  const pages: string[][] = [];
  for (let offset = 0; ; offset += limit) {
    const page = idsOf(
      await client.video.queryCalls({ ...(sort === undefined ? {} : { sort }), limit, offset }),
    );
    pages.push(page);
    if (page.length < limit) return pages;
  }
}

describe.each(BACKENDS)('queryCalls paging under ties and unreadable runs on %s', (backend) => {
  let test: TestServer;
  let viewer: VideoClient;
  // 24 calls: ids ending in 0, 3, 6, 9 of each tens are `default` (readable), others `backstage`.
  const ids = Array.from({ length: 24 }, (_, index) => `t${String(index).padStart(2, '0')}`);
  const isReadable = (id: string): boolean => Number(id.slice(1)) % 3 === 0;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'viewer' }, { id: 'owner' }]);
    await test.admin.createCallType({ name: 'backstage', grants: { admin: ['read-call'] } });
    // Created in an order unrelated to the ids, so no column but the tie-break orders them.
    for (const id of [...ids].reverse()) {
      await test.admin
        .call(isReadable(id) ? 'default' : 'backstage', id)
        .getOrCreate({ data: { created_by_id: 'owner' } });
    }
    // Every call has the same created_at: the default order is decided by the tie-break alone.
    await test.server.db.query(
      "UPDATE calls SET created_at = TIMESTAMPTZ '2026-01-01T00:00:00Z', updated_at = TIMESTAMPTZ '2026-01-01T00:00:00Z'",
    );
    viewer = await test.clientFor('viewer');
  });
  afterAll(async () => {
    await test.close();
  });

  const sorts: [string, { field: string; direction: 1 | -1 }[] | undefined][] = [
    ['the default order (all created_at equal)', undefined],
    ['created_at descending (all equal)', [{ field: 'created_at', direction: -1 }]],
    ['updated_at ascending (all equal)', [{ field: 'updated_at', direction: 1 }]],
    ['created_by_id (one value)', [{ field: 'created_by_id', direction: 1 }]],
    ['ended_at (all null)', [{ field: 'ended_at', direction: -1 }]],
  ];
  it.each(sorts)('pages by %s are disjoint, full and cover the readable calls', async (_, sort) => {
    const everything = idsOf(
      await viewer.video.queryCalls({ ...(sort === undefined ? {} : { sort }), limit: 100 }),
    );
    expect([...everything].sort()).toEqual(ids.filter(isReadable));
    for (const limit of [1, 3]) {
      const pages = await allPages(viewer, limit, sort);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
      // Same order as one big page: no call twice, none missed, across chunk boundaries.
      expect(pages.flat()).toEqual(everything);
    }
  });

  it('an offset at or past the readable calls answers an empty page, not unreadable ones', async () => {
    const readableCount = ids.filter(isReadable).length;
    for (const offset of [readableCount, readableCount + 1, ids.length, 10_000]) {
      expect(idsOf(await viewer.video.queryCalls({ limit: 5, offset }))).toEqual([]);
    }
  });
});

describe.each(BACKENDS)('queryCalls limit 1 behind a long unreadable run on %s', (backend) => {
  let test: TestServer;
  let viewer: VideoClient;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'viewer' }, { id: 'owner' }]);
    await test.admin.createCallType({ name: 'backstage', grants: { admin: ['read-call'] } });
    // 130 unreadable calls sort before the two readable ones: more than two 50-row chunks.
    for (let index = 0; index < 130; index += 1) {
      await test.admin
        .call('backstage', `a${String(index).padStart(3, '0')}`)
        .getOrCreate({ data: { created_by_id: 'owner' } });
    }
    for (const id of ['z1', 'z2']) {
      await test.admin.call('default', id).getOrCreate({ data: { created_by_id: 'owner' } });
    }
    viewer = await test.clientFor('viewer');
  });
  afterAll(async () => {
    await test.close();
  });

  it('finds the readable calls one per page, past several chunks of refused rows', async () => {
    const byId = [{ field: 'id', direction: 1 as const }];
    expect(idsOf(await viewer.video.queryCalls({ sort: byId, limit: 1 }))).toEqual(['z1']);
    expect(idsOf(await viewer.video.queryCalls({ sort: byId, limit: 1, offset: 1 }))).toEqual([
      'z2',
    ]);
    expect(idsOf(await viewer.video.queryCalls({ sort: byId, limit: 1, offset: 2 }))).toEqual([]);
    const descending = [{ field: 'id', direction: -1 as const }];
    expect(idsOf(await viewer.video.queryCalls({ sort: descending, limit: 100 }))).toEqual([
      'z2',
      'z1',
    ]);
  });
});

describe.each(BACKENDS)("a tenant's pages on %s", (backend) => {
  let test: TestServer;
  let red: VideoClient;
  let blue: VideoClient;
  const redCalls = ['r0', 'r1', 'r2', 'r3', 'r4'];
  const blueCalls = Array.from({ length: 60 }, (_, index) => `b${String(index).padStart(2, '0')}`);

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([
      { id: 'rita', teams: ['red'] },
      { id: 'bert', teams: ['blue'] },
    ]);
    // Blue calls interleave with and outnumber red ones in every order.
    for (const id of blueCalls) {
      await test.admin
        .call('default', id)
        .getOrCreate({ data: { created_by_id: 'bert', team: 'blue' } });
    }
    for (const id of redCalls) {
      await test.admin
        .call('default', id)
        .getOrCreate({ data: { created_by_id: 'rita', team: 'red' } });
    }
    await test.server.db.query("UPDATE calls SET created_at = TIMESTAMPTZ '2026-01-01T00:00:00Z'");
    red = await test.clientFor('rita');
    blue = await test.clientFor('bert');
  });
  afterAll(async () => {
    await test.close();
  });

  it('never holds another team’s call unless it names that team, whatever the offset or sort', async () => {
    const pages = await allPages(red, 2);
    expect(pages.flat().sort()).toEqual(redCalls);
    for (const offset of [5, 6, 30, 64, 65]) {
      expect(idsOf(await red.video.queryCalls({ limit: 100, offset }))).toEqual([]);
    }
    // Naming blue with the builtin any-team query-calls lists blue's readable calls, paged like
    // any other listing (DESIGN §5, Listing); a strict tenant grant refuses it (redteam-server).
    const asking = await red.video.queryCalls({
      filter_conditions: { team: 'blue' },
      limit: 100,
    });
    expect([...idsOf(asking)].sort()).toEqual(blueCalls);
    const byTeam = await red.video.queryCalls({
      sort: [{ field: 'team', direction: 1 }],
      limit: 100,
    });
    expect([...idsOf(byTeam)].sort()).toEqual(redCalls);
    const bluePages = await allPages(blue, 7);
    expect(bluePages.flat().sort()).toEqual(blueCalls);
  });
});

describe.each(BACKENDS)('the bundle and data.json need credentials on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'alice' }, { id: 'gone' }]);
    await test.admin.deleteUser('gone');
  });
  afterAll(async () => {
    await test.close();
  });

  async function get(
    pathName: string,
    headers: Record<string, string>,
    query = '',
  ): Promise<{ status: number; code: unknown }> {
    const response = await fetch(`${test.url}${pathName}${query}`, { headers });
    const type = response.headers.get('content-type') ?? '';
    const body: unknown = type.includes('json')
      ? await response.json()
      : await response.arrayBuffer();
    if (response.status >= 400) expectStreamError(response.status, body);
    // rolecall's reason of a refusal (Stream's error body also has its numeric code).
    const code = response.status >= 400 ? (body as { reason?: unknown }).reason : undefined;
    return { status: response.status, code };
  }

  /** An unsigned JWT (`alg: none`) naming `payload`. */
  function unsignedToken(payload: Record<string, unknown>): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
  }

  it.each(['/bundle.tar.gz', '/data.json'])(
    '%s refuses every forged or missing credential',
    async (pathName) => {
      const key = { 'x-api-key': API_KEY };
      const now = Math.floor(Date.now() / 1000);
      const refusals: [Record<string, string>, string, string][] = [
        [{}, '', 'API_KEY_INVALID'],
        [{ authorization: `Bearer ${await createServerToken(API_SECRET)}` }, '', 'API_KEY_INVALID'],
        [
          { 'x-api-key': 'other-key', authorization: await createServerToken(API_SECRET) },
          '',
          'API_KEY_INVALID',
        ],
        [key, '', 'AUTH_MISSING'],
        [{ ...key, authorization: unsignedToken({ server: true }) }, '', 'AUTH_INVALID'],
        [{ ...key, authorization: unsignedToken({ user_id: 'alice' }) }, '', 'AUTH_INVALID'],
        [
          {
            ...key,
            authorization: await createServerToken('another-secret-long-enough-for-hs256'),
          },
          '',
          'AUTH_INVALID',
        ],
        [
          {
            ...key,
            authorization: await createUserToken('alice', API_SECRET, {
              issuedAt: now - 3600,
              expiresInSeconds: 60,
            }),
          },
          '',
          'TOKEN_EXPIRED',
        ],
        [{ ...key, authorization: await createUserToken('gone', API_SECRET) }, '', 'UNKNOWN_USER'],
        [
          { ...key, authorization: await createUserToken('nobody', API_SECRET) },
          '',
          'UNKNOWN_USER',
        ],
        // Two api_key query values are not one key.
        [
          { authorization: await createServerToken(API_SECRET) },
          `?api_key=${API_KEY}&api_key=${API_KEY}`,
          'API_KEY_INVALID',
        ],
      ];
      for (const [headers, query, code] of refusals) {
        expect(await get(pathName, headers, query), JSON.stringify({ headers, query })).toEqual({
          status: 401,
          code,
        });
      }
    },
  );

  it.each(['/bundle.tar.gz', '/data.json'])(
    '%s answers a user, the server and an api_key query; the ETag is no bypass',
    async (pathName) => {
      const userToken = await createUserToken('alice', API_SECRET);
      const serverToken = await createServerToken(API_SECRET);
      const user = await fetch(`${test.url}${pathName}`, {
        headers: { 'x-api-key': API_KEY, authorization: `Bearer ${userToken}` },
      });
      expect(user.status).toBe(200);
      const etag = user.headers.get('etag');
      expect(etag).toBeTruthy();
      await user.arrayBuffer();
      expect(
        (await get(pathName, { authorization: serverToken }, `?api_key=${API_KEY}`)).status,
      ).toBe(200);
      // A known ETag without credentials must not learn whether the grants changed.
      expect(await get(pathName, { 'if-none-match': etag ?? '' })).toEqual({
        status: 401,
        code: 'API_KEY_INVALID',
      });
      expect(await get(pathName, { 'x-api-key': API_KEY, 'if-none-match': etag ?? '' })).toEqual({
        status: 401,
        code: 'AUTH_MISSING',
      });
      expect(
        (
          await get(pathName, {
            'x-api-key': API_KEY,
            authorization: serverToken,
            'if-none-match': etag ?? '',
          })
        ).status,
      ).toBe(304);
    },
  );

  it('data.json carries an index that agrees with its permissions', async () => {
    const response = await fetch(`${test.url}/data.json`, {
      headers: { 'x-api-key': API_KEY, authorization: await createServerToken(API_SECRET) },
    });
    const document = (await response.json()) as {
      rolecall_data: {
        permissions: Record<string, { action: string }>;
        permissions_by_action: Record<string, string[]>;
      };
    };
    const { permissions, permissions_by_action: index } = document.rolecall_data;
    const fromIndex = Object.entries(index).flatMap(([action, ids]) =>
      ids.map((id) => `${action} ${id}`),
    );
    const fromPermissions = Object.entries(permissions).map(
      ([id, { action }]) => `${action} ${id}`,
    );
    expect(fromIndex.sort()).toEqual(fromPermissions.sort());
  });
});

describe('a client whose first policy load fails', () => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer('pglite');
  });
  afterAll(async () => {
    await test.close();
  });

  it('loads the policy on a later call once the cause is gone', async () => {
    // The token names a user the back end has not created yet: the bundle is refused.
    const seen: EvaluatorError[] = [];
    const client = createClient({
      baseUrl: test.url,
      apiKey: API_KEY,
      token: await createUserToken('late', API_SECRET),
      onError: (error) => seen.push(error),
    });
    const call = { kind: 'call', call_type: 'default', id: 'c1', created_by_id: 'late' } as const;
    // UI hints fail closed while the policy cannot load, and report the server's refusal.
    expect(await client.can('ReadCall', call)).toBe(false);
    expect(await client.capabilities(call)).toEqual([]);
    expect(seen.map((error) => error.cause)).toMatchObject([
      { status: 401, code: 'UNKNOWN_USER' },
      { status: 401, code: 'UNKNOWN_USER' },
    ]);
    // A query is not a hint: it rejects with the server's error.
    expect(await rejection(() => client.queryUsers())).toMatchObject({
      status: 401,
      code: 'UNKNOWN_USER',
    });
    // Two calls sharing one failing load both fail closed, and neither caches it.
    const together = await Promise.all([client.can('ReadCall', call), client.capabilities(call)]);
    expect(together).toEqual([false, []]);
    await test.admin.upsertUsers([{ id: 'late' }]);
    expect(await client.can('ReadCall', call)).toBe(true);
    expect(await client.capabilities(call)).toContain('read-call');
  });
});

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

describe('rolecall diff --live', () => {
  let test: TestServer;
  let dir: string;

  beforeAll(async () => {
    test = await startTestServer('pglite');
    dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-redteam-diff-'));
    await writeFile(path.join(dir, 'rolecall.yaml'), 'version: 1\n');
  });
  afterAll(async () => {
    await test.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the refusal for a wrong key or secret, and reads the live grants with the right ones', async () => {
    const live = (key: string, secret: string) =>
      runCli(
        [
          'diff',
          'rolecall.yaml',
          '--live',
          test.url,
          '--api-key',
          key,
          '--api-secret',
          secret,
          '--format',
          'json',
        ],
        dir,
      );
    const wrongKey = await live('wrong', API_SECRET);
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toContain('401');
    expect(wrongKey.stderr).toContain('API_KEY_INVALID');
    const wrongSecret = await live(API_KEY, 'a-wrong-secret-that-is-long-enough-too');
    expect(wrongSecret.code).not.toBe(0);
    expect(wrongSecret.stderr).toContain('AUTH_INVALID');
    const right = await live(API_KEY, API_SECRET);
    expect(right.stderr).toBe('');
    expect(right.code).toBe(0);
    // The live document's derived index is not a grants change.
    expect(right.stdout).not.toContain('permissions_by_action');
  });
});

describe.each(BACKENDS)('a call created while one queryCalls request pages on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'viewer' }, { id: 'owner' }]);
    await test.admin.createCallType({ name: 'backstage', grants: { admin: ['read-call'] } });
    // Newest first: 45 unreadable calls, then 25 readable ones; the first 50-row chunk ends
    // inside the readable run, so a page of 10 needs two chunks.
    const stamp = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z`;
    for (let index = 0; index < 70; index += 1) {
      const id = `k${String(index).padStart(2, '0')}`;
      await test.admin
        .call(index < 45 ? 'backstage' : 'default', id)
        .getOrCreate({ data: { created_by_id: 'owner' } });
      await test.server.db.query('UPDATE calls SET created_at = $1::timestamptz WHERE id = $2', [
        stamp(59 - Math.min(index, 59)),
        id,
      ]);
    }
  });
  afterAll(async () => {
    await test.close();
  });

  it('answers one consistent page: no call twice, none skipped', async () => {
    // A decider that, while the first chunk is being decided, lets another request create
    // the newest call: every later row moves one place down in the default order.
    // On PGlite a consistent read holds the only connection, so the write waits for it: the
    // decider gives the write a moment and goes on (it always finishes before the asserts).
    let write: Promise<unknown> | undefined;
    class InterleavingDecider extends Decider {
      override async decideMany(
        inputs: Parameters<Decider['decideMany']>[0],
        requestId?: string,
      ): Promise<Decision[]> {
        if (write === undefined) {
          write = createNewestCall();
          await Promise.race([write, delay(300)]);
        }
        return super.decideMany(inputs, requestId);
      }
    }
    const createNewestCall = async () => {
      await test.admin
        .call('backstage', 'newest')
        .getOrCreate({ data: { created_by_id: 'owner' } });
      await test.server.db.query(
        "UPDATE calls SET created_at = TIMESTAMPTZ '2026-01-02T00:00:00Z' WHERE id = 'newest'",
      );
    };
    const decider = new InterleavingDecider(test.server.live, pino({ level: 'silent' }));
    const actor = await resolveActor(test.server.db, { kind: 'user', userId: 'viewer' }, 'race');
    const context = {
      db: test.server.db,
      live: test.server.live,
      decider,
      actor,
      log: pino({ level: 'silent' }),
      limits: { queryScanLimit: DEFAULT_SCAN_LIMIT },
      issueUserToken: () => Promise.reject(new Error('no tokens in this test')),
    };
    const answer = await queryCalls(context, { limit: 10 });
    expect(write).toBeDefined();
    await write;
    const newest = await test.admin.video.queryCalls({ limit: 1 });
    expect(newest.calls.map((entry) => entry.call.id)).toEqual(['newest']);
    const ids = answer.calls.map((entry) => entry.call.id);
    // The calls readable when the request began, in order (k45…k54), each once.
    expect(ids).toEqual(Array.from({ length: 10 }, (_, index) => `k${String(45 + index)}`));
  });
});

describe.each(BACKENDS)('closing the server more than once on %s', (backend) => {
  it('concurrent and repeated close() calls all resolve, and the port is closed', async () => {
    const test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'someone' }]);
    const first = test.server.close();
    const second = test.server.close();
    // The same close, not a second run of it (a second pool.end() would reject).
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await test.server.close();
    await expect(fetch(`${test.url}/health`)).rejects.toThrow();
    await test.close();
  });
});

describe('errors of the token provider', () => {
  it('come back as themselves, not as a network failure', async () => {
    // An empty secret cannot sign a token: that is the caller's error, not the network's.
    const broken = createServerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', secret: '' });
    const error = await broken.getApp().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RolecallNetworkError);
    expect(String(error)).toMatch(/key/i);
  });
});
