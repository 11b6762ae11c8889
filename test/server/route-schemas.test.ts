// Request bodies and paths are checked by the routes' JSON Schemas (server/schemas/bodies.ts)
// after authentication and before any decision or SQL: each failure is Stream's 400 with the
// reason of the failing field and its JSON path, nothing is coerced, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken } from '../../sdk/clients/index.js';
import {
  API_KEY,
  API_SECRET,
  sendJson,
  startTestServer,
  usersQueryPath,
  type Answer,
  type TestServer,
} from '../support/server.js';

describe('route schemas', () => {
  let test: TestServer;
  let server: string;
  let alice: string;
  const decisionLines: string[] = [];

  const send = (token: string | undefined, method: string, path: string, body?: unknown) =>
    sendJson(test, token, method, path, body);

  beforeAll(async () => {
    test = await startTestServer('pglite', {
      logs: {
        write: (line) => {
          if (line.includes('"msg":"decision"')) decisionLines.push(line);
        },
      },
    });
    await test.admin.upsertUsers([{ id: 'alice', teams: ['red'] }]);
    server = await createServerToken(API_SECRET);
    alice = await test.admin.createToken('alice');
  });
  afterAll(async () => {
    await test.close();
  });

  const longTeam = 'x'.repeat(101);
  const refusals: [string, () => Promise<Answer>, string, string][] = [
    [
      'a team name too long, deep in a list',
      () =>
        send(server, 'PATCH', '/api/v2/users', {
          users: [{ id: 'alice', set: { teams: ['red', longTeam] } }],
        }),
      'TEAM_NAME_TOO_LONG',
      'users[0].set.teams[1] must be a team name of 1–100 characters',
    ],
    [
      'too many teams in Stream’s users map',
      () =>
        send(server, 'POST', '/api/v2/users', {
          users: { zed: { id: 'zed', teams: Array.from({ length: 251 }, (_, i) => `t${i}`) } },
        }),
      'TOO_MANY_TEAMS',
      'users.zed.teams must be a list of at most 250 team names',
    ],
    [
      'an unknown permission field, with the field it was meant to be',
      () =>
        send(server, 'POST', '/api/v2/permissions', {
          id: 'wave',
          action: 'SendReaction',
          same_tem: true,
        }),
      'UNKNOWN_KEY',
      '"same_tem" is not a field of this body; did you mean "same_team"?',
    ],
    [
      'a missing user id',
      () => send(alice, 'POST', '/api/v2/video/call/default/standup/block', {}),
      'INVALID_ID',
      'user_id is required',
    ],
    [
      'a call id outside Stream’s charset',
      () => send(alice, 'POST', '/api/v2/video/call/default/stand.up', {}),
      'INVALID_ID',
      'id must be 1–255 characters of letters, digits, @ _ -, optionally behind one team prefix "TEAM:"',
    ],
    [
      'a limit sent as text (never coerced)',
      () => send(alice, 'POST', '/api/v2/video/calls', { limit: '5' }),
      'INVALID_REQUEST',
      'limit must be an integer or null',
    ],
    [
      'a limit past the page size in queryUsers’ payload parameter',
      () => send(alice, 'GET', usersQueryPath({ limit: 1000 })),
      'INVALID_REQUEST',
      'limit must be an integer from 1 to 100',
    ],
    [
      'filter_conditions that are not an object',
      () => send(alice, 'POST', '/api/v2/video/calls', { filter_conditions: ['team'] }),
      'INVALID_FILTER',
      'filter_conditions must be an object or null',
    ],
    [
      'a body that is not an object',
      () => send(server, 'PATCH', '/api/v2/app', [true]),
      'INVALID_REQUEST',
      'body must be an object',
    ],
    [
      'a role level that does not exist',
      () => send(server, 'POST', '/api/v2/roles', { name: 'host', level: 'app' }),
      'INVALID_REQUEST',
      'level must be user or call',
    ],
    [
      'a field to unset that cannot be',
      () => send(server, 'PATCH', '/api/v2/users', { users: [{ id: 'alice', unset: ['role'] }] }),
      'INVALID_REQUEST',
      'users[0].unset[0] must be one of name, custom, teams, image, language',
    ],
    [
      'a list that is not a list, told its type',
      () =>
        send(server, 'PATCH', '/api/v2/users', { users: [{ id: 'alice', set: { teams: 'red' } }] }),
      'INVALID_TEAM',
      'users[0].set.teams must be a list',
    ],
    [
      'a team name of 100 emoji (200 UTF-16 units, as stored lengths count)',
      () =>
        send(server, 'PATCH', '/api/v2/users', {
          users: [{ id: 'alice', set: { teams: ['😀'.repeat(100)] } }],
        }),
      'TEAM_NAME_TOO_LONG',
      'users[0].set.teams[0] must be a team name of 1–100 characters',
    ],
    [
      'a name of 1,000 emoji',
      () =>
        send(server, 'PATCH', '/api/v2/users', {
          users: [{ id: 'alice', set: { name: '😀'.repeat(1000) } }],
        }),
      'STRING_TOO_LONG',
      'users[0].set.name must be a string of at most 1024 characters',
    ],
    [
      'a missing body where one is required',
      () => send(server, 'PATCH', '/api/v2/app'),
      'INVALID_REQUEST',
      'body must be an object',
    ],
    [
      'a call id one character too long (not a bare 414)',
      () => send(alice, 'POST', `/api/v2/video/call/default/${'a'.repeat(256)}`, {}),
      'INVALID_ID',
      'id must be 1–255 characters of letters, digits, @ _ -, optionally behind one team prefix "TEAM:"',
    ],
  ];

  it.each(refusals)(
    'refuses %s with its reason and path',
    async (_name, request, reason, message) => {
      const before = decisionLines.length;
      const answer = await request();
      expect([answer.status, answer.body['reason'], answer.body['message']]).toEqual([
        400,
        reason,
        message,
      ]);
      // Refused by the schema: the policy was never asked.
      expect(decisionLines.length).toBe(before);
    },
  );

  it('refuses a server-only endpoint to a client before it reads the body', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v2/users/delete', {}],
      ['PATCH', '/api/v2/app', { multi_tenant: true }],
      ['POST', '/api/v2/permissions', { same_tem: true }],
      ['PUT', '/api/v2/rolecall/call_overrides/default/x', []],
    ] as const) {
      const answer = await send(alice, method, path, body);
      expect([answer.status, answer.body['reason']], `${method} ${path}`).toEqual([
        403,
        'SERVER_ONLY',
      ]);
    }
  });

  it('reads queryUsers’ payload as Stream’s clients send it: null, or wrapped once more', async () => {
    const nobody = { filter_conditions: { id: 'nobody' } };
    const wrapped = await send(alice, 'GET', usersQueryPath({ payload: nobody }));
    expect([wrapped.status, wrapped.body['users']]).toEqual([200, []]);
    const plain = await send(alice, 'GET', usersQueryPath(nobody));
    expect([plain.status, plain.body['users']]).toEqual([200, []]);
    const none = await send(alice, 'GET', usersQueryPath(null));
    expect(none.status).toBe(200);
    expect((none.body['users'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('refuses a payload that would lose the query it wraps', async () => {
    const nobody = { filter_conditions: { id: 'nobody' } };
    for (const [payload, message] of [
      [{ payload: { payload: nobody } }, 'payload is wrapped in {payload: …} more than once'],
      [
        { payload: nobody, limit: 5 },
        'payload wraps the query in {payload: …}; move limit inside it',
      ],
      [{ payload: [] }, 'payload.payload must be an object'],
    ] as const) {
      const answer = await send(alice, 'GET', usersQueryPath(payload));
      expect([answer.status, answer.body['reason'], answer.body['message']]).toEqual([
        400,
        'INVALID_REQUEST',
        message,
      ]);
    }
    // A wrapped null is no query, like a null payload.
    const none = await send(alice, 'GET', usersQueryPath({ payload: null }));
    expect(none.status).toBe(200);
    expect((none.body['users'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('answers the router’s own refusals in Stream’s error body', async () => {
    // Past maxParamLength, longer than any id: the id's reason, not fastify's bare 414.
    const long = await send(alice, 'POST', `/api/v2/video/call/default/${'a'.repeat(1100)}`, {});
    expect([long.status, long.body['reason'], long.body['code']]).toEqual([400, 'INVALID_ID', 4]);
    expect(long.body['message']).toBe(
      'a path parameter is longer than 1024 characters as sent; ids are at most 255',
    );
    // A path that does not decode to UTF-8 (a lone surrogate's bytes, a cut escape).
    for (const id of ['%ED%A0%80', '%E0%A4%A']) {
      const bad = await send(alice, 'GET', `/api/v2/video/call/default/${id}`);
      expect([bad.status, bad.body['reason'], bad.body['message']], id).toEqual([
        400,
        'INVALID_REQUEST',
        'the path is not valid percent-encoded UTF-8',
      ]);
    }
    // A body of a type the server does not read: Stream's input error code, not -1. text/plain
    // too: fastify would parse it as a string by default.
    for (const type of ['text/json', 'text/plain']) {
      const response = await fetch(`${test.url}/api/v2/video/calls?api_key=${API_KEY}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, 'content-type': type },
        body: '{}',
      });
      const body = (await response.json()) as Record<string, unknown>;
      expect([response.status, body['code'], body['StatusCode']], type).toEqual([415, 4, 415]);
    }
  });

  it('refuses a body that is not UTF-8 instead of storing U+FFFD in its place', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('{"users":{"zoe":{"id":"zoe","name":"Zo'),
      Buffer.from([0xeb]),
      Buffer.from('"}}}'),
    ]);
    const response = await fetch(`${test.url}/api/v2/users?api_key=${API_KEY}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server}`, 'content-type': 'application/json' },
      body: latin1,
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect([response.status, body['reason'], body['message']]).toEqual([
      400,
      'INVALID_REQUEST',
      'the body is not UTF-8 text',
    ]);
    const stored = await test.server.db.query("SELECT id FROM users WHERE id = 'zoe'");
    expect(stored).toEqual([]);
  });

  it('takes a call id of exactly 255 characters', async () => {
    const id = `red:${'b'.repeat(251)}`;
    const created = await send(server, 'POST', `/api/v2/video/call/default/${id}`, {
      data: { created_by_id: 'alice' },
    });
    expect(created.status).toBe(201);
  });

  it('authenticates before it reads the body', async () => {
    const answer = await send(undefined, 'POST', '/api/v2/users', { users: 'nobody' });
    expect(answer.status).toBe(401);
    const forged = await send('not-a-token', 'PATCH', '/api/v2/app', [true]);
    expect(forged.status).toBe(401);
  });

  it('writes nothing when one item of a batch fails its schema', async () => {
    const answer = await send(server, 'POST', '/api/v2/users', {
      users: [
        { id: 'bea', teams: ['red'] },
        { id: 'cy', teams: ['red'], nickname: 'c' },
      ],
    });
    expect([answer.status, answer.body['reason']]).toEqual([400, 'UNKNOWN_KEY']);
    const rows = await test.server.db.query('SELECT id FROM users WHERE id = $1', ['bea']);
    expect(rows).toEqual([]);
  });

  it('takes what Stream’s clients send: no body, a null body, fields the server ignores', async () => {
    const created = await send(server, 'POST', '/api/v2/video/call/default/standup', {
      ring: true,
      data: { created_by_id: 'alice', video: true, starts_at: '2030-01-01T00:00:00Z' },
    });
    expect(created.status).toBe(201);
    const fetched = await sendJson(
      test,
      alice,
      'POST',
      '/api/v2/video/call/default/standup',
      undefined,
      '',
    );
    expect([fetched.status, fetched.body['created']]).toEqual([200, false]);
    const nullBody = await sendJson(
      test,
      alice,
      'POST',
      '/api/v2/video/call/default/standup',
      undefined,
      'null',
    );
    expect(nullBody.status).toBe(200);
    const upserted = await send(server, 'POST', '/api/v2/users', {
      users: { dee: { id: 'dee', teams: ['red', 'blue', 'red'] } },
    });
    expect(upserted.status).toBe(200);
    expect((upserted.body['users'] as Record<string, { teams: string[] }>)['dee']?.teams).toEqual([
      'blue',
      'red',
    ]);
  });
});
