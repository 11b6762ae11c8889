// Bounds of what a client sends and stores: depth, key count and size of `custom`,
// `settings_override` and whole bodies, lengths of names and lists. A value past a bound is a
// 400 naming the limit and the JSON path, refused before any decision, so nothing stored can make
// a later answer fail: the listings that would include it keep answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken } from '../../sdk/clients/index.js';
import { BODY_LIMITS, STORED_VALUE_LIMITS } from '../../server/schemas/json-bounds.js';
import {
  API_SECRET,
  BACKENDS,
  sendJson,
  startTestServer,
  usersQueryPath,
  type Answer,
  type TestServer,
} from '../support/server.js';

/** `{a: {a: … {} }}`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level += 1) value = { a: value };
  return value;
}

/** The JSON text of `nested(levels)`, built as text: too deep for JSON.stringify's stack. */
function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

describe.each(BACKENDS)('input bounds (%s)', (backend) => {
  let test: TestServer;
  let alice: string;
  let carol: string;
  let server: string;
  const decisionLines: string[] = [];

  const send = (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    rawBody?: string,
  ): Promise<Answer> => sendJson(test, token, method, path, body, rawBody);

  /** Stream's partial update of one user: `PATCH /api/v2/users {users: [{id, set}]}`. */
  const patchUser = (token: string, id: string, set: unknown): Promise<Answer> =>
    send(token, 'PATCH', '/api/v2/users', { users: [{ id, set }] });

  /** Every listing that would include alice's data answers 200, for teammates and the back end. */
  async function expectListingsAnswer(): Promise<void> {
    for (const token of [alice, carol, server]) {
      expect((await send(token, 'GET', usersQueryPath({}))).status).toBe(200);
      expect((await send(token, 'POST', '/api/v2/video/calls', {})).status).toBe(200);
    }
  }

  async function storedCustom(id: string): Promise<unknown> {
    const rows = await test.server.db.query<{ custom: unknown }>(
      'SELECT custom FROM users WHERE id = $1',
      [id],
    );
    return rows[0]?.custom;
  }

  beforeAll(async () => {
    test = await startTestServer(backend, {
      logs: {
        write: (line) => {
          if (line.includes('"msg":"decision"')) decisionLines.push(line);
        },
      },
    });
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([
      { id: 'alice', teams: ['red'], custom: { note: 'kept' } },
      { id: 'carol', teams: ['red'] },
    ]);
    await test.admin
      .call('default', 'red-call')
      .getOrCreate({ data: { team: 'red', created_by_id: 'alice' } });
    alice = await test.admin.createToken('alice');
    carol = await test.admin.createToken('carol');
    server = await createServerToken(API_SECRET);
  });
  afterAll(async () => {
    await test.close();
  });

  it('refuses a custom nested 4,110 levels deep, and every listing still answers', async () => {
    const answer = await send(
      alice,
      'PATCH',
      '/api/v2/users',
      undefined,
      `{"users":[{"id":"alice","set":{"custom":${nestedJson(4110)}}}]}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body['reason']).toBe('JSON_TOO_DEEP');
    expect(String(answer.body['message'])).toMatch(
      new RegExp(
        `^body\\.users\\[0\\]\\.set\\.custom(\\.a)+ nests deeper than ${String(BODY_LIMITS.depth)} levels$`,
      ),
    );
    const created = await send(
      alice,
      'POST',
      '/api/v2/video/call/default/deep-call',
      undefined,
      `{"data":{"team":"red","custom":${nestedJson(4110)}}}`,
    );
    expect([created.status, created.body['reason']]).toEqual([400, 'JSON_TOO_DEEP']);
    expect(await storedCustom('alice')).toEqual({ note: 'kept' });
    expect(await test.server.db.query("SELECT id FROM calls WHERE id = 'deep-call'")).toEqual([]);
    await expectListingsAnswer();
  });

  it('stores a custom at the depth limit and refuses one level more, naming the path', async () => {
    const atLimit = nested(STORED_VALUE_LIMITS.depth);
    expect((await patchUser(alice, 'alice', { custom: atLimit })).status).toBe(200);
    expect(await storedCustom('alice')).toEqual(atLimit);
    await expectListingsAnswer();
    const over = await patchUser(alice, 'alice', {
      custom: nested(STORED_VALUE_LIMITS.depth + 1),
    });
    expect(over.status).toBe(400);
    expect(over.body['reason']).toBe('JSON_TOO_DEEP');
    expect(over.body['message']).toBe(
      `users[0].set.custom${'.a'.repeat(STORED_VALUE_LIMITS.depth)} nests deeper than ${String(STORED_VALUE_LIMITS.depth)} levels`,
    );
    expect(await storedCustom('alice')).toEqual(atLimit);
  });

  it('refuses a custom too large or with too many keys, in calls and users alike', async () => {
    const large = { blob: 'x'.repeat(STORED_VALUE_LIMITS.bytes) };
    const manyKeys = Object.fromEntries(
      Array.from({ length: STORED_VALUE_LIMITS.keys + 1 }, (_unused, index) => [
        `k${String(index)}`,
        1,
      ]),
    );
    const cases: [string, string, unknown, string, string][] = [
      [
        'PATCH',
        '/api/v2/users',
        { users: [{ id: 'alice', set: { custom: large } }] },
        'JSON_TOO_LARGE',
        'users[0].set.custom is ',
      ],
      [
        'PATCH',
        '/api/v2/users',
        { users: [{ id: 'alice', set: { custom: manyKeys } }] },
        'JSON_TOO_MANY_KEYS',
        'users[0].set.custom has more than 256 keys',
      ],
      [
        'POST',
        '/api/v2/video/call/default/big-call',
        { data: { team: 'red', custom: large } },
        'JSON_TOO_LARGE',
        'data.custom is ',
      ],
      [
        'POST',
        '/api/v2/video/call/default/big-call',
        { data: { team: 'red', settings_override: manyKeys } },
        'JSON_TOO_MANY_KEYS',
        'data.settings_override has more than 256 keys',
      ],
      [
        'PATCH',
        '/api/v2/video/call/default/red-call',
        { custom: large },
        'JSON_TOO_LARGE',
        'custom is ',
      ],
      [
        'PATCH',
        '/api/v2/video/call/default/red-call',
        { settings_override: { deep: nested(STORED_VALUE_LIMITS.depth) } },
        'JSON_TOO_DEEP',
        'settings_override.deep.a',
      ],
    ];
    const before = await test.server.db.query(
      'SELECT id, custom, settings_override FROM calls ORDER BY id',
    );
    for (const [method, path, body, code, message] of cases) {
      const answer = await send(alice, method, path, body);
      expect([answer.status, answer.body['reason']], `${method} ${path}`).toEqual([400, code]);
      expect(String(answer.body['message']), `${method} ${path}`).toContain(message);
    }
    expect(
      await test.server.db.query('SELECT id, custom, settings_override FROM calls ORDER BY id'),
    ).toEqual(before);
    await expectListingsAnswer();
  });

  it('refuses a whole upsert when one user is past a bound, naming which one', async () => {
    const answer = await send(server, 'POST', '/api/v2/users', {
      users: [
        { id: 'fine', teams: ['red'] },
        { id: 'too-deep', teams: ['red'], custom: nested(STORED_VALUE_LIMITS.depth + 1) },
      ],
    });
    expect([answer.status, answer.body['reason']]).toEqual([400, 'JSON_TOO_DEEP']);
    expect(String(answer.body['message'])).toMatch(/^users\[1\]\.custom\.a/);
    expect(
      await test.server.db.query("SELECT id FROM users WHERE id IN ('fine', 'too-deep')"),
    ).toEqual([]);
  });

  it('refuses text with a lone surrogate anywhere in a body or a query, and stores nothing', async () => {
    const lone = (where: string, what = 'text') =>
      `${where} has ${what} with a lone surrogate (\\ud800–\\udfff not in a pair); send well-formed Unicode`;
    // JSON's escapes spell them (JSON.stringify writes `\ud800`); a driver would store U+FFFD.
    const refusals: [Promise<Answer>, string][] = [
      [
        send(server, 'POST', '/api/v2/users', { users: [{ id: 'lone1', name: '\ud800x' }] }),
        lone('body.users[0].name'),
      ],
      [
        send(server, 'POST', '/api/v2/users', {
          users: [{ id: 'lone2', custom: { '\udc00': 1 } }],
        }),
        lone('body.users[0].custom', 'a key'),
      ],
      [
        patchUser(server, 'alice', { teams: ['red', 'b\udbff'] }),
        lone('body.users[0].set.teams[1]'),
      ],
      [
        send(alice, 'GET', usersQueryPath({ filter_conditions: { name: '\udfff' } })),
        lone('body.filter_conditions.name'),
      ],
    ];
    for (const [request, message] of refusals) {
      const answer = await request;
      expect([answer.status, answer.body['reason'], answer.body['message']]).toEqual([
        400,
        'INVALID_REQUEST',
        message,
      ]);
    }
    const stored = await test.server.db.query('SELECT id FROM users WHERE id IN ($1, $2)', [
      'lone1',
      'lone2',
    ]);
    expect(stored).toEqual([]);
    const aliceTeams = await test.server.db.query<{ teams: unknown }>(
      'SELECT teams FROM users WHERE id = $1',
      ['alice'],
    );
    expect(JSON.stringify(aliceTeams)).not.toContain('\\udbff');
    // A surrogate pair is text like any other.
    expect((await patchUser(server, 'alice', { name: 'Alice 😀' })).status).toBe(200);
  });

  it('refuses a number JSON cannot hold (1e400 reads as Infinity), instead of storing null', async () => {
    const answer = await send(
      server,
      'POST',
      '/api/v2/users',
      undefined,
      '{"users": [{"id": "huge", "custom": {"n": [1, 1e400]}}]}',
    );
    expect([answer.status, answer.body['reason'], answer.body['message']]).toEqual([
      400,
      'INVALID_REQUEST',
      'body.users[0].custom.n[1] is a number beyond what JSON numbers hold (it reads as Infinity); send it as a string',
    ]);
    expect(await test.server.db.query("SELECT id FROM users WHERE id = 'huge'")).toEqual([]);
  });

  it("refuses a users map whose key is not the user's id", async () => {
    const answer = await send(server, 'POST', '/api/v2/users', {
      users: { u8: { id: 'u8' }, u9: { id: 'u10' } },
    });
    expect([answer.status, answer.body['reason'], answer.body['message']]).toEqual([
      400,
      'INVALID_REQUEST',
      'users["u9"] has id "u10"; the key must be the user\'s id',
    ]);
    const stored = await test.server.db.query(
      "SELECT id FROM users WHERE id IN ('u8', 'u9', 'u10')",
    );
    expect(stored).toEqual([]);
  });

  it('refuses bodies past the body bounds: depth, keys of one object, size', async () => {
    const wide = Object.fromEntries(
      Array.from({ length: BODY_LIMITS.keysPerObject + 1 }, (_unused, index) => [
        `k${String(index)}`,
        1,
      ]),
    );
    const tooWide = `body.filter_conditions has ${String(BODY_LIMITS.keysPerObject + 1)} keys; at most ${String(BODY_LIMITS.keysPerObject)}`;
    const calls = await send(alice, 'POST', '/api/v2/video/calls', { filter_conditions: wide });
    expect([calls.status, calls.body['reason']]).toEqual([400, 'JSON_TOO_MANY_KEYS']);
    expect(calls.body['message']).toBe(tooWide);
    // queryUsers' payload (a query parameter) has the same bounds as a body. Only what a query
    // must escape is escaped, so the request line stays under Node's 16 KiB header limit.
    const payload = JSON.stringify({ filter_conditions: wide }).replace(/[%"&+# ]/g, (char) =>
      encodeURIComponent(char),
    );
    const users = await send(alice, 'GET', `/api/v2/users?payload=${payload}`);
    expect([users.status, users.body['reason']]).toEqual([400, 'JSON_TOO_MANY_KEYS']);
    expect(users.body['message']).toBe(tooWide);
    const deepArray = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const deep = await send(alice, 'POST', '/api/v2/video/calls', undefined, deepArray);
    expect([deep.status, deep.body['reason']]).toEqual([400, 'JSON_TOO_DEEP']);
    const deepPayload = await send(
      alice,
      'GET',
      `/api/v2/users?payload=${'%5B'.repeat(40)}${'%5D'.repeat(40)}`,
    );
    expect([deepPayload.status, deepPayload.body['reason']]).toEqual([400, 'JSON_TOO_DEEP']);
    const huge = await send(
      alice,
      'POST',
      '/api/v2/video/calls',
      undefined,
      `{"x":"${'y'.repeat(BODY_LIMITS.bytes)}"}`,
    );
    expect([huge.status, huge.body['reason']]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  it('bounds names and lists', async () => {
    const longName = await patchUser(alice, 'alice', { name: 'n'.repeat(1025) });
    expect([longName.status, longName.body['reason']]).toEqual([400, 'STRING_TOO_LONG']);
    const permissions = await send(
      server,
      'POST',
      '/api/v2/video/call/default/red-call/user_permissions',
      {
        user_id: 'alice',
        grant_permissions: Array.from({ length: 1001 }, () => 'send-audio'),
      },
    );
    expect([permissions.status, permissions.body['reason']]).toEqual([400, 'TOO_MANY_ITEMS']);
    const removals = await send(server, 'POST', '/api/v2/video/call/default/red-call/members', {
      remove_members: Array.from({ length: 101 }, (_unused, index) => `u${String(index)}`),
    });
    expect([removals.status, removals.body['reason']]).toEqual([400, 'TOO_MANY_ITEMS']);
  });

  it('refuses values past a bound before any decision is made', async () => {
    const decisionsBefore = decisionLines.length;
    for (const [method, path, body] of [
      [
        'PATCH',
        '/api/v2/users',
        { users: [{ id: 'alice', set: { custom: nested(STORED_VALUE_LIMITS.depth + 1) } }] },
      ],
      [
        'POST',
        '/api/v2/video/call/default/x-call',
        { data: { custom: { blob: 'x'.repeat(20_000) } } },
      ],
      ['PATCH', '/api/v2/video/call/default/red-call', { custom: nested(40) }],
    ] as const) {
      expect((await send(carol, method, path, body)).status).toBe(400);
    }
    expect(decisionLines.length).toBe(decisionsBefore);
  });
});
