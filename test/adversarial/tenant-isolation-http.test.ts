// Attacks on the reference server's tenant isolation as a client of tenant "red" (alice), with no
// token or with crafted tokens. Every test asserts the safe answer and that no row of tenant
// "blue" leaks or changes.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../../sdk/clients/index.js';
import {
  API_KEY,
  API_SECRET,
  callPath,
  expectStreamError,
  startTestServer,
  usersQueryPath,
  type TestServer,
} from '../support/server.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

const BLUE_USERS = ['bob', 'bobby'];
const BLUE_CALL = 'blue-call';

describe('red-team: a client of tenant red against tenant blue', () => {
  let test: TestServer;
  let alice: string;
  let judge: string;

  async function send(
    method: string,
    path: string,
    options: {
      token?: string | undefined;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(`${test.url}${path}${separator}api_key=${API_KEY}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const answer = {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
    // Every refusal is Stream's error body: its numeric code, StatusCode and rolecall's reason.
    if (answer.status >= 400) expectStreamError(answer.status, answer.body);
    return answer;
  }

  /** Stream's partial update of one user: `PATCH /api/v2/users {users: [{id, set, unset}]}`. */
  const patchUser = (token: string, id: string, change: unknown): Promise<Answer> =>
    send('PATCH', '/api/v2/users', {
      token,
      body: {
        users: [{ id, ...(typeof change === 'object' && change !== null ? change : {}) }],
      },
    });

  const asAlice = (method: string, path: string, body?: unknown): Promise<Answer> =>
    send(method, path, { token: alice, ...(body === undefined ? {} : { body }) });

  /** Everything stored about users, calls and members, to prove an attack changed nothing. */
  async function snapshot(): Promise<string> {
    const db = test.server.db;
    const users = await db.query(
      'SELECT id, name, role, teams, custom, deleted_at FROM users ORDER BY id',
    );
    const calls = await db.query(
      'SELECT call_type, id, team, created_by_id, custom, settings_override, config_overrides, ended_at FROM calls ORDER BY call_type, id',
    );
    const members = await db.query(
      'SELECT call_type, call_id, user_id, role, grants FROM call_members ORDER BY call_type, call_id, user_id',
    );
    return JSON.stringify({ users, calls, members });
  }

  /** No blue user id, blue call id or blue team appears anywhere in an answer. */
  function expectNoBlue(answer: Answer): void {
    const text = JSON.stringify(answer.body);
    for (const id of [...BLUE_USERS, BLUE_CALL, 'blue']) expect(text).not.toContain(`"${id}"`);
    expect(text).not.toContain('blue secret');
  }

  async function userIds(filter: unknown, extra: Record<string, unknown> = {}): Promise<Answer> {
    return asAlice('GET', usersQueryPath({ filter_conditions: filter, ...extra }));
  }

  async function callIds(filter: unknown, extra: Record<string, unknown> = {}): Promise<Answer> {
    return asAlice('POST', '/api/v2/video/calls', { filter_conditions: filter, ...extra });
  }

  const idsOf = (answer: Answer, key: 'users' | 'calls'): string[] =>
    ((answer.body[key] ?? []) as { id?: string; call?: { id: string } }[])
      .map((row) => row.id ?? row.call?.id ?? '')
      .sort();

  beforeAll(async () => {
    test = await startTestServer('pglite');
    // A tenant setup: users search and query within their own teams only.
    await test.admin.updateApp({
      multi_tenant_enabled: true,
      grants: { user: ['query-calls-same-team', 'search-user-same-team', 'update-user-owner'] },
    });
    await test.admin.createRole('nobody');
    await test.admin.upsertUsers([
      { id: 'alice', name: 'Alice', teams: ['red'] },
      { id: 'carol', name: 'Carol', teams: ['red'] },
      { id: 'judge', name: 'Judge', role: 'nobody', teams: ['red'] },
      { id: 'boss', name: 'Boss', role: 'admin', teams: ['red'] },
      { id: 'bob', name: 'Bob', teams: ['blue'], custom: { note: 'blue secret' } },
      { id: 'bobby', name: "B%_'\\ Ünïcode", teams: ['blue'] },
      { id: 'gone', name: 'Gone', teams: ['red'] },
    ]);
    await test.admin.call('default', 'red-call').getOrCreate({
      data: { team: 'red', created_by_id: 'alice', members: [{ user_id: 'carol' }] },
    });
    await test.admin.call('default', BLUE_CALL).getOrCreate({
      data: {
        team: 'blue',
        created_by_id: 'bob',
        members: [{ user_id: 'bob' }, { user_id: 'bobby' }],
        custom: { note: 'blue secret' },
      },
    });
    alice = await test.admin.createToken('alice');
    judge = await test.admin.createToken('judge');
    const goneToken = await test.admin.createToken('gone');
    await test.admin.deleteUser('gone');
    goneTokenValue = goneToken;
  });
  let goneTokenValue = '';
  afterAll(async () => {
    await test.close();
  });

  describe('tokens', () => {
    it('refuses alg none, with or without a signature', async () => {
      const header = base64url({ alg: 'none', typ: 'JWT' });
      for (const token of [
        `${header}.${base64url({ server: true })}.`,
        `${header}.${base64url({ user_id: 'bob' })}.`,
        `${header}.${base64url({ server: true })}`,
      ]) {
        const answer = await send('GET', '/api/v2/app', { token });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
      }
    });

    it('refuses an HS256 token signed with the API key as secret', async () => {
      const key = new TextEncoder().encode(API_KEY.padEnd(32, API_KEY));
      for (const secret of [new TextEncoder().encode(API_KEY), key]) {
        const token = await new SignJWT({ server: true })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(secret);
        const answer = await send('GET', '/api/v2/app', { token });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
      }
    });

    it('refuses a server token forged with the signature of a user token', async () => {
      const [header, , signature] = alice.split('.');
      for (const payload of [{ server: true }, { server: true, user_id: 'alice' }]) {
        const token = `${header ?? ''}.${base64url(payload)}.${signature ?? ''}`;
        const answer = await send('GET', '/api/v2/app', { token });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
      }
    });

    it('a user token that also claims server stays a user token', async () => {
      const token = await new SignJWT({ server: true, user_id: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(API_SECRET));
      const answer = await send('GET', '/api/v2/app', { token });
      expect([answer.status, answer.body['reason']]).toEqual([403, 'SERVER_ONLY']);
    });

    it('refuses a server claim that is not exactly true', async () => {
      for (const server of ['true', 1, [true], { value: true }]) {
        const token = await new SignJWT({ server })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(API_SECRET));
        const answer = await send('GET', '/api/v2/app', { token });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
      }
    });

    it('refuses user_id claims that are not a non-empty string', async () => {
      for (const userId of ['', 42, ['alice'], { id: 'alice' }, null]) {
        const token = await new SignJWT({ user_id: userId })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(API_SECRET));
        const answer = await send('GET', '/api/v2/rolecall/me', { token });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
      }
    });

    it('refuses other HMAC algorithms signed with the right secret', async () => {
      for (const alg of ['HS384', 'HS512']) {
        const token = await new SignJWT({ server: true })
          .setProtectedHeader({ alg })
          .sign(new TextEncoder().encode(API_SECRET.padEnd(64, 'x')));
        const answer = await send('GET', '/api/v2/app', { token });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
      }
    });

    it('refuses a token whose exp is in the past, for users and the server', async () => {
      const issuedAt = Math.floor(Date.now() / 1000) - 7200;
      for (const token of [
        await createUserToken('alice', API_SECRET, { issuedAt, expiresInSeconds: 10 }),
        await createServerToken(API_SECRET, { issuedAt, expiresInSeconds: 10 }),
      ]) {
        const answer = await send('GET', '/api/v2/rolecall/me', { token });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'TOKEN_EXPIRED']);
      }
    });

    it('refuses a token that is not valid yet (nbf in the future)', async () => {
      const token = await new SignJWT({ user_id: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setNotBefore(Math.floor(Date.now() / 1000) + 3600)
        .sign(new TextEncoder().encode(API_SECRET));
      const answer = await send('GET', '/api/v2/rolecall/me', { token });
      expect(answer.status).toBe(401);
    });

    it('refuses the token of a deleted user, and the deleted user stays deleted', async () => {
      const before = await snapshot();
      const me = await send('GET', '/api/v2/rolecall/me', { token: goneTokenValue });
      expect([me.status, me.body['reason']]).toEqual([401, 'UNKNOWN_USER']);
      const upsert = await send('POST', '/api/v2/users', {
        token: goneTokenValue,
        body: { users: [{ id: 'gone', teams: ['red'] }] },
      });
      expect(upsert.status).toBe(401);
      expect(await snapshot()).toBe(before);
    });

    it('refuses a token for a user id that never existed', async () => {
      const token = await createUserToken('nobody-at-all', API_SECRET);
      const answer = await send('GET', '/api/v2/rolecall/me', { token });
      expect([answer.status, answer.body['reason']]).toEqual([401, 'UNKNOWN_USER']);
    });

    it('refuses a huge token without crashing', async () => {
      const token = await new SignJWT({ user_id: 'alice', pad: 'x'.repeat(12_000) })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('wrong-secret-wrong-secret-wrong'));
      const answer = await send('GET', '/api/v2/rolecall/me', { token });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      const garbage = await send('GET', '/api/v2/rolecall/me', { token: 'a'.repeat(12_000) });
      expect([garbage.status, garbage.body['reason']]).toEqual([401, 'AUTH_INVALID']);
    });

    it('refuses every tenant endpoint without a token or with a wrong scheme', async () => {
      for (const [method, path] of [
        ['GET', usersQueryPath({ filter_conditions: {} })],
        ['POST', '/api/v2/video/calls'],
        ['GET', callPath('default', BLUE_CALL)],
        ['PATCH', '/api/v2/users'],
        ['POST', '/api/v2/users/delete'],
      ] as const) {
        const body = path === '/api/v2/users' ? { users: [{ id: 'bob', set: {} }] } : {};
        const answer = await send(method, path, method === 'GET' ? {} : { body });
        expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_MISSING']);
      }
      const basic = await fetch(`${test.url}/api/v2/rolecall/me?api_key=${API_KEY}`, {
        headers: { authorization: `Basic ${Buffer.from(`x:${API_SECRET}`).toString('base64')}` },
      });
      expect(basic.status).toBe(401);
    });
  });

  describe('anonymous requests (stream-auth-type: anonymous)', () => {
    const anonymous = { 'stream-auth-type': 'anonymous' };

    it('read no row of any tenant', async () => {
      for (const answer of [
        await send('GET', usersQueryPath({ filter_conditions: {} }), { headers: anonymous }),
        await send('GET', usersQueryPath({ filter_conditions: { teams: 'blue' } }), {
          headers: anonymous,
        }),
        await send('GET', usersQueryPath({ filter_conditions: { id: { $in: BLUE_USERS } } }), {
          headers: anonymous,
        }),
        await send('POST', '/api/v2/video/calls', { headers: anonymous, body: {} }),
        await send('POST', '/api/v2/video/calls', {
          headers: anonymous,
          body: { filter_conditions: { team: 'blue' } },
        }),
        await send('GET', callPath('default', BLUE_CALL), { headers: anonymous }),
        await send('GET', callPath('default', 'red-call'), { headers: anonymous }),
        await send('GET', '/api/v2/rolecall/me', { headers: anonymous }),
      ]) {
        expect([200, 400, 403, 404]).toContain(answer.status);
        expectNoBlue(answer);
        const text = JSON.stringify(answer.body);
        for (const id of ['alice', 'carol', 'red-call']) expect(text).not.toContain(`"${id}"`);
      }
    });

    it('write nothing and reach no server-only endpoint', async () => {
      const before = await snapshot();
      const revision = test.server.live.revision;
      for (const [method, path, body] of [
        ['POST', '/api/v2/users', { users: [{ id: 'mallory', teams: ['blue'] }] }],
        ['POST', '/api/v2/users', { users: [{ id: 'bob', name: 'pwned' }] }],
        ['PATCH', '/api/v2/users', { users: [{ id: 'bob', set: { name: 'pwned' } }] }],
        ['POST', '/api/v2/users/delete', { user_ids: ['bob'] }],
        ['POST', callPath('default', 'anon-call'), { data: { team: 'blue' } }],
        ['POST', callPath('default', BLUE_CALL), { data: { team: 'blue' } }],
        ['PATCH', callPath('default', BLUE_CALL), { custom: { pwned: true } }],
        ['POST', callPath('default', BLUE_CALL, '/join'), undefined],
        ['POST', callPath('default', BLUE_CALL, '/members'), { remove_members: ['bob'] }],
        ['PATCH', '/api/v2/app', { multi_tenant_enabled: false }],
        ['GET', '/api/v2/rolecall/grants', undefined],
        ['PUT', '/api/v2/video/calltypes/default', { grants: { anonymous: ['update-call'] } }],
      ] as const) {
        const answer = await send(method, path, {
          headers: anonymous,
          ...(body === undefined ? {} : { body }),
        });
        expect([400, 401, 403, 404], `${method} ${path}`).toContain(answer.status);
        expectNoBlue(answer);
      }
      expect(test.server.live.revision).toBe(revision);
      expect(await snapshot()).toBe(before);
    });
  });

  describe('queryUsers', () => {
    it('injects the team condition: a plain query sees red users only', async () => {
      const answer = await userIds({});
      expect(answer.status).toBe(200);
      expect(idsOf(answer, 'users')).toEqual(['alice', 'boss', 'carol', 'judge']);
    });

    it('refuses naming the blue team, or all teams', async () => {
      for (const teams of [
        'blue',
        { $eq: 'blue' },
        { $in: ['red', 'blue'] },
        { $contains: 'blue' },
        { $nin: ['red'] },
        { $ne: 'red' },
        {},
        { $exists: true },
      ]) {
        const answer = await userIds({ teams });
        expect(answer.status, JSON.stringify(teams)).toBe(403);
        expect(answer.body['reason']).toBe('CROSS_TEAM_QUERY');
      }
    });

    it('cannot escape the team filter through $or / $and / $nor', async () => {
      for (const filter of [
        { $or: [{ id: 'bob' }, { id: 'alice' }] },
        { $or: [{ teams: 'blue' }, { teams: 'red' }] },
        { $nor: [{ teams: 'red' }] },
        { $and: [{ teams: { $in: ['blue'] } }] },
        { $or: [{ teams: {} }] },
        { id: { $in: BLUE_USERS } },
        { id: 'bob' },
        { name: 'Bob' },
        { teams: 'red', $or: [{ id: 'bob' }, { teams: 'blue' }] },
      ]) {
        const answer = await userIds(filter);
        expect([200, 403]).toContain(answer.status);
        expectNoBlue(answer);
      }
    });

    it('treats SQL wildcards, quotes and backslashes in $autocomplete as text', async () => {
      for (const prefix of ['%', '_', "'", '\\', "b%' OR '1'='1", '%%', '\\%', 'ü', '%b']) {
        const answer = await userIds({ name: { $autocomplete: prefix } });
        expect(answer.status).toBe(200);
        expectNoBlue(answer);
      }
      // The wildcard is literal: '%' matches nobody in red, 'a' matches Alice.
      expect(idsOf(await userIds({ name: { $autocomplete: '%' } }), 'users')).toEqual([]);
      expect(idsOf(await userIds({ name: { $autocomplete: '_' } }), 'users')).toEqual([]);
      expect(idsOf(await userIds({ name: { $autocomplete: 'al' } }), 'users')).toEqual(['alice']);
    });

    it('refuses SQL in field names, operators and sort keys', async () => {
      for (const filter of [
        { 'id; DROP TABLE users; --': 'x' },
        { "id' OR '1'='1": 'x' },
        { 'teams) OR (1=1': 'x' },
        { custom: { note: 'blue secret' } },
        { deleted_at: { $exists: true } },
        { constructor: 'x' },
        { id: { $regex: '.*' } },
        { id: { 'OR 1=1': 'x' } },
        { $where: 'true' },
        { id: { $eq: { $ne: null } } },
        { id: { $in: [{ $ne: null }] } },
        { id: ['bob'] },
        { id: 42 },
        { created_at: { $gt: "1970-01-01' OR '1'='1" } },
      ]) {
        const answer = await asAlice(
          'GET',
          usersQueryPath({ filter_conditions: JSON.parse(JSON.stringify(filter)) as unknown }),
        );
        expect(answer.status, JSON.stringify(filter)).toBe(400);
        expect(answer.body['reason']).toBe('INVALID_FILTER');
      }
      const rawProto = await send(
        'GET',
        `/api/v2/users?payload=${encodeURIComponent('{"filter_conditions":{"__proto__":{"id":"bob"}}}')}`,
        { token: alice },
      );
      expect(rawProto.status).toBe(400);
      expectNoBlue(rawProto);
      for (const sort of [
        [{ field: 'id; DROP TABLE users', direction: 1 }],
        [{ field: 'teams', direction: 1 }],
        [{ field: 'custom', direction: 1 }],
        [{ field: 'id', direction: '1; DROP TABLE users' }],
        [{ field: 'id', direction: 2 }],
        [{ field: '__proto__' }],
        [{ field: 'constructor' }],
        'id',
        { field: 'id' },
      ]) {
        const answer = await userIds({}, { sort });
        expect([answer.status, answer.body['reason']], JSON.stringify(sort)).toEqual([
          400,
          'INVALID_SORT',
        ]);
      }
      const count = await test.server.db.query('SELECT count(*)::int AS n FROM users');
      expect(count[0]).toEqual({ n: 7 });
    });

    it('refuses bad limits and offsets and never pages into blue', async () => {
      for (const extra of [
        { limit: -1 },
        { limit: 0 },
        { limit: 101 },
        { limit: '10; DROP TABLE users' },
        { limit: 1.5 },
        { offset: -1 },
        { offset: '0' },
        { offset: 1e9 },
        { limit: [5] },
      ]) {
        const answer = await userIds({}, extra);
        expect([answer.status, answer.body['reason']], JSON.stringify(extra)).toEqual([
          400,
          'INVALID_REQUEST',
        ]);
      }
      for (let offset = 0; offset < 6; offset++) {
        const answer = await userIds({}, { limit: 1, offset });
        expect(answer.status).toBe(200);
        expectNoBlue(answer);
      }
    });

    it('a request-body subject or teams does not change who decides', async () => {
      const answer = await asAlice(
        'GET',
        `${usersQueryPath({
          filter_conditions: {},
          subject: { id: 'bob', teams: ['blue'], role: 'admin' },
          teams: ['blue'],
          context: { side: 'server' },
        })}&subject=bob&teams=blue&side=server`,
      );
      expect(answer.status).toBe(200);
      expectNoBlue(answer);
    });
  });

  describe('queryCalls', () => {
    it('sees red calls only, whatever the filter', async () => {
      const plain = await callIds({});
      expect(plain.status).toBe(200);
      expect(idsOf(plain, 'calls')).toEqual(['red-call']);
      for (const filter of [
        { id: BLUE_CALL },
        { cid: `default:${BLUE_CALL}` },
        { created_by_id: 'bob' },
        { members: 'bob' },
        { members: { $in: BLUE_USERS } },
        { $or: [{ team: 'blue' }, { id: BLUE_CALL }] },
        { $nor: [{ team: 'red' }] },
        { team: null },
        { team: { $in: ['red'] }, $or: [{ team: 'blue' }] },
        { id: { $autocomplete: 'blue' } },
        { id: { $autocomplete: '%' } },
        { id: { $autocomplete: '_' } },
        { created_at: { $gt: '1970-01-01T00:00:00Z' } },
      ]) {
        const answer = await callIds(filter);
        expect([200, 403], JSON.stringify(filter)).toContain(answer.status);
        expectNoBlue(answer);
      }
    });

    it('refuses naming the blue team or all teams', async () => {
      for (const team of [
        'blue',
        { $in: ['blue', 'red'] },
        { $ne: 'red' },
        { $nin: ['red'] },
        {},
      ]) {
        const answer = await callIds({ team });
        expect([answer.status, answer.body['reason']], JSON.stringify(team)).toEqual([
          403,
          'CROSS_TEAM_QUERY',
        ]);
      }
    });

    it('refuses members operators that are not membership, and SQL in sort keys', async () => {
      for (const filter of [
        { members: { $gt: '' } },
        { members: { $exists: true } },
        { members: { $autocomplete: 'b' } },
        { members: 42 },
        { members: { $in: 'bob' } },
        { config_overrides: { $exists: true } },
        { custom: { note: 'blue secret' } },
      ]) {
        const answer = await callIds(filter);
        expect([answer.status, answer.body['reason']], JSON.stringify(filter)).toEqual([
          400,
          'INVALID_FILTER',
        ]);
      }
      for (const sort of [
        [{ field: 'members' }],
        [{ field: "team', 1); --" }],
        [{ field: 'cid', direction: 'DESC' }],
      ]) {
        const answer = await callIds({}, { sort });
        expect([answer.status, answer.body['reason']]).toEqual([400, 'INVALID_SORT']);
      }
    });

    it('a page never holds a blue call, at any offset or sort', async () => {
      for (const sort of [undefined, [{ field: 'team', direction: -1 }], [{ field: 'cid' }]]) {
        for (let offset = 0; offset < 3; offset++) {
          const answer = await callIds({}, { limit: 1, offset, ...(sort ? { sort } : {}) });
          expect(answer.status).toBe(200);
          expectNoBlue(answer);
        }
      }
    });
  });

  describe('users by id', () => {
    it('updating a blue user answers exactly like a missing user, and changes nothing', async () => {
      const before = await snapshot();
      const blue = await patchUser(alice, 'bob', { set: { name: 'pwned' } });
      const missing = await patchUser(alice, 'no-such-user', { set: { name: 'pwned' } });
      expect(blue.status).toBe(404);
      expect([blue.body['reason'], missing.body['reason']]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      expect(blue.body['message']).toBe(
        String(missing.body['message']).replace('no-such-user', 'bob'),
      );
      expect(await snapshot()).toBe(before);
    });

    it('upserting a blue user answers exactly like upserting a missing user', async () => {
      const before = await snapshot();
      const blue = await asAlice('POST', '/api/v2/users', {
        users: [{ id: 'bob', name: 'pwned' }],
      });
      const missing = await asAlice('POST', '/api/v2/users', {
        users: [{ id: 'no-such-user', name: 'pwned' }],
      });
      expect(blue.status).toBeGreaterThanOrEqual(400);
      expect([blue.status, blue.body['reason']]).toEqual([missing.status, missing.body['reason']]);
      expect(blue.body['message']).toBe(
        String(missing.body['message']).replaceAll('no-such-user', 'bob'),
      );
      expect(await snapshot()).toBe(before);
    });

    it('cannot create users (a client cannot pick its tenant) nor revive a deleted one', async () => {
      const before = await snapshot();
      for (const users of [
        [{ id: 'mallory', teams: ['blue'] }],
        [{ id: 'gone', teams: ['red'] }],
        [{ id: 'alice', name: 'Alice' }, { id: 'mallory' }],
      ]) {
        const answer = await asAlice('POST', '/api/v2/users', { users });
        expect([answer.status, answer.body['reason']]).toEqual([403, 'SERVER_ONLY']);
      }
      expect(await snapshot()).toBe(before);
    });

    it('cannot change its own role or teams, by PATCH or by upsert', async () => {
      const before = await snapshot();
      for (const set of [{ role: 'admin' }, { teams: ['red', 'blue'] }, { teams: ['blue'] }]) {
        const answer = await patchUser(alice, 'alice', { set });
        expect(answer.status, JSON.stringify(set)).toBe(403);
      }
      const unset = await patchUser(alice, 'alice', { unset: ['teams'] });
      expect(unset.status).toBe(403);
      for (const user of [
        { id: 'alice', role: 'admin' },
        { id: 'alice', teams: ['blue'] },
      ]) {
        const answer = await asAlice('POST', '/api/v2/users', { users: [user] });
        expect(answer.status, JSON.stringify(user)).toBe(403);
      }
      expect(await snapshot()).toBe(before);
    });

    it('refuses unexpected body shapes and fields on users', async () => {
      const before = await snapshot();
      for (const body of [
        { set: { deleted_at: null } },
        { set: { created_at: '1970-01-01' } },
        { set: { name: ['x'] } },
        { set: { name: { $ne: null } } },
        { set: { custom: 'x' } },
        { set: [] },
        { unset: ['role'] },
        { unset: ['deleted_at'] },
      ]) {
        const answer = await patchUser(alice, 'alice', body);
        expect([400, 403], JSON.stringify(body)).toContain(answer.status);
      }
      const proto = await send('PATCH', '/api/v2/users', {
        token: alice,
        rawBody: '{"users":[{"id":"alice","set":{"__proto__":{"role":"admin"}}}]}',
      });
      expect(proto.status).toBe(400);
      const array = await send('POST', '/api/v2/users', {
        token: alice,
        rawBody: '[{"id":"bob"}]',
      });
      expect(array.status).toBe(400);
      expect(await snapshot()).toBe(before);
    });

    it('ids with path tricks reach no other user', async () => {
      const before = await snapshot();
      for (const id of [
        'bob/../alice',
        '../bob',
        'bob\u0000',
        "bob'--",
        "' OR 1=1",
        'b%',
        'bob ',
        'BOB',
      ]) {
        const answer = await patchUser(alice, id, { set: { name: 'pwned' } });
        expect([400, 404], id).toContain(answer.status);
        expectNoBlue(answer);
      }
      expect(await snapshot()).toBe(before);
    });

    it('cannot delete a user', async () => {
      const before = await snapshot();
      for (const id of ['bob', 'alice', 'no-such-user']) {
        const answer = await asAlice('POST', '/api/v2/users/delete', { user_ids: [id] });
        expect([answer.status, answer.body['reason']]).toEqual([403, 'SERVER_ONLY']);
      }
      expect(await snapshot()).toBe(before);
    });
  });

  describe('calls by id', () => {
    const blueAndMissing = async (
      method: string,
      suffix: string,
      body?: unknown,
    ): Promise<[Answer, Answer]> => [
      await asAlice(method, `/api/v2/video/call/default/${BLUE_CALL}${suffix}`, body),
      await asAlice(method, `/api/v2/video/call/default/no-such-call${suffix}`, body),
    ];

    function expectSame404(blue: Answer, missing: Answer): void {
      expect(blue.status).toBe(404);
      expect([missing.status, missing.body['reason']]).toEqual([404, blue.body['reason']]);
      expect(blue.body['message']).toBe(
        String(missing.body['message']).replace('no-such-call', BLUE_CALL),
      );
      expectNoBlue(blue);
    }

    it('get, join, update, members and permissions on a blue call answer like a missing call', async () => {
      const before = await snapshot();
      expectSame404(...(await blueAndMissing('GET', '')));
      expectSame404(...(await blueAndMissing('POST', '/join')));
      expectSame404(...(await blueAndMissing('PATCH', '', { custom: { pwned: true } })));
      expectSame404(
        ...(await blueAndMissing('POST', '/members', { update_members: [{ user_id: 'alice' }] })),
      );
      expectSame404(...(await blueAndMissing('POST', '/members', { remove_members: ['bob'] })));
      expectSame404(
        ...(await blueAndMissing('POST', '/user_permissions', {
          user_id: 'bob',
          revoke_permissions: ['send-audio'],
        })),
      );
      expect(await snapshot()).toBe(before);
    });

    it('a role without any grant still gets 404 (not 403) for a blue call or user', async () => {
      const before = await snapshot();
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['POST', '', {}],
        ['POST', '/join', undefined],
        ['PATCH', '', { custom: {} }],
        ['POST', '/members', { remove_members: ['bob'] }],
        ['POST', '/user_permissions', { user_id: 'bob', grant_permissions: ['send-audio'] }],
      ] as const) {
        const blue = await send(method, `/api/v2/video/call/default/${BLUE_CALL}${suffix}`, {
          token: judge,
          ...(body === undefined ? {} : { body }),
        });
        const missing = await send(method, `/api/v2/video/call/default/no-such-call${suffix}`, {
          token: judge,
          ...(body === undefined ? {} : { body }),
        });
        // For a missing call POST '' would create: compare get-like answers only.
        if (!(method === 'POST' && suffix === '')) {
          expect([blue.status, blue.body['reason']], `${method} ${suffix}`).toEqual([
            missing.status,
            missing.body['reason'],
          ]);
        }
        expect(blue.status, `${method} ${suffix}`).toBe(404);
      }
      const blueUser = await patchUser(judge, 'bob', { set: { name: 'x' } });
      const missingUser = await patchUser(judge, 'no-such-user', { set: { name: 'x' } });
      expect([blueUser.status, blueUser.body['reason']]).toEqual([
        missingUser.status,
        missingUser.body['reason'],
      ]);
      expect(await snapshot()).toBe(before);
    });

    it('creating a call with the id of a blue call answers 404 and takes nothing over', async () => {
      const before = await snapshot();
      for (const data of [
        {},
        { team: 'red' },
        { team: 'blue' },
        { team: 'red', members: [{ user_id: 'alice', role: 'admin' }] },
      ]) {
        const answer = await asAlice('POST', `/api/v2/video/call/default/${BLUE_CALL}`, { data });
        expect([answer.status, answer.body['reason']], JSON.stringify(data)).toEqual([
          404,
          'NOT_FOUND',
        ]);
        expectNoBlue(answer);
      }
      expect(await snapshot()).toBe(before);
    });

    it('cannot create a call in the blue team, for another creator, or with blue members', async () => {
      const before = await snapshot();
      const blueTeam = await asAlice('POST', '/api/v2/video/call/default/new-1', {
        data: { team: 'blue' },
      });
      expect(blueTeam.status).toBe(403);
      const creator = await asAlice('POST', '/api/v2/video/call/default/new-2', {
        data: { team: 'red', created_by_id: 'carol' },
      });
      expect([creator.status, creator.body['reason']]).toEqual([403, 'SERVER_ONLY']);
      const blueMember = await asAlice('POST', '/api/v2/video/call/default/new-3', {
        data: { team: 'red', members: [{ user_id: 'bob' }] },
      });
      const missingMember = await asAlice('POST', '/api/v2/video/call/default/new-3', {
        data: { team: 'red', members: [{ user_id: 'no-such-user' }] },
      });
      expect([blueMember.status, blueMember.body['reason']]).toEqual([400, 'UNKNOWN_USER']);
      expect([missingMember.status, missingMember.body['reason']]).toEqual([400, 'UNKNOWN_USER']);
      const role = await asAlice('POST', '/api/v2/video/call/default/new-4', {
        data: { team: 'red', members: [{ user_id: 'carol', role: 'admin' }] },
      });
      expect(role.status).toBeGreaterThanOrEqual(400);
      expect(await snapshot()).toBe(before);
    });

    it('ignores or refuses server-only body fields on create', async () => {
      const answer = await asAlice('POST', '/api/v2/video/call/default/red-new', {
        data: {
          team: 'red',
          config_overrides: { grants: { user: ['update-call', 'remove-call-member'] } },
          role: 'admin',
          teams: ['blue'],
          call_role: 'admin',
          subject: { id: 'bob', role: 'admin' },
        },
        call_role: 'admin',
      });
      expect(answer.status).toBe(201);
      const rows = await test.server.db.query<{
        team: string;
        config_overrides: unknown;
        created_by_id: string;
      }>("SELECT team, config_overrides, created_by_id FROM calls WHERE id = 'red-new'");
      expect(rows).toEqual([{ team: 'red', config_overrides: null, created_by_id: 'alice' }]);
      const members = await test.server.db.query(
        "SELECT user_id, role FROM call_members WHERE call_id = 'red-new'",
      );
      expect(members).toEqual([]);
      const me = await test.server.db.query("SELECT role, teams FROM users WHERE id = 'alice'");
      expect(me).toEqual([{ role: 'user', teams: ['red'] }]);
    });

    it('cannot move its own call to blue, hand it over, or set its own overrides', async () => {
      const before = await snapshot();
      for (const body of [
        { team: 'blue' },
        { team: null },
        { created_by_id: 'bob' },
        { created_by_id: 'carol' },
        { config_overrides: { grants: { user: ['update-call'] } } },
        { config_overrides: null },
      ]) {
        const answer = await asAlice('PATCH', '/api/v2/video/call/default/red-call', body);
        expect([answer.status, answer.body['reason']], JSON.stringify(body)).toEqual([
          403,
          'SERVER_ONLY',
        ]);
      }
      for (const body of [{ call_role: 'admin' }, { members: [] }, { id: 'x' }, [], 'x']) {
        const answer = await asAlice('PATCH', '/api/v2/video/call/default/red-call', body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
      }
      expect(await snapshot()).toBe(before);
    });

    it('cannot give itself or a member a call role, nor change per-member grants', async () => {
      const before = await snapshot();
      for (const member of [
        { user_id: 'alice', role: 'admin' },
        { user_id: 'carol', role: 'call_member' },
        { user_id: 'alice', role: 'host' },
      ]) {
        const answer = await asAlice('POST', '/api/v2/video/call/default/red-call/members', {
          update_members: [member],
        });
        expect([400, 403], JSON.stringify(member)).toContain(answer.status);
      }
      for (const body of [
        { user_id: 'alice', grant_permissions: ['send-audio', 'update-call'] },
        { user_id: 'carol', revoke_permissions: ['send-audio'] },
      ]) {
        const answer = await asAlice(
          'POST',
          '/api/v2/video/call/default/red-call/user_permissions',
          body,
        );
        expect(answer.status, JSON.stringify(body)).toBe(403);
      }
      expect(await snapshot()).toBe(before);
    });

    it('cannot add a blue user to its own call', async () => {
      const before = await snapshot();
      const blue = await asAlice('POST', '/api/v2/video/call/default/red-call/members', {
        update_members: [{ user_id: 'bob' }],
      });
      expect(await snapshot()).toBe(before);
      const missing = await asAlice('POST', '/api/v2/video/call/default/red-call/members', {
        update_members: [{ user_id: 'no-such-user' }],
      });
      expect([blue.status, blue.body['reason']]).toEqual([missing.status, missing.body['reason']]);
      expect(blue.status).toBeGreaterThanOrEqual(400);
      expect(await snapshot()).toBe(before);
    });

    it('path tricks in call type and id reach no blue call', async () => {
      const before = await snapshot();
      for (const path of [
        `/api/v2/video/call/default/${BLUE_CALL}%2F..`,
        `/api/v2/video/call/default%3A${BLUE_CALL}/x`,
        `/api/v2/video/call/default:${BLUE_CALL}/x`,
        `/api/v2/video/call/default/..%2F${BLUE_CALL}`,
        `/api/v2/video/call/default/../default/${BLUE_CALL}`,
        `/api/v2/video/call/default/%27%20OR%20%271%27%3D%271`,
        `/api/v2/video/call/default%27--/${BLUE_CALL}`,
        `/api/v2/video/call/default/${BLUE_CALL}%00`,
        `/api/v2/video/call/default/${BLUE_CALL.toUpperCase()}`,
        `/api/v2/video/call/DEFAULT/${BLUE_CALL}`,
      ]) {
        for (const method of ['GET', 'POST', 'PATCH']) {
          const answer = await asAlice(method, path, method === 'GET' ? undefined : {});
          expect([400, 403, 404], `${method} ${path}`).toContain(answer.status);
          expectNoBlue(answer);
        }
      }
      expect(await snapshot()).toBe(before);
    });

    it('unexpected JSON types in call bodies are 400, never 500', async () => {
      const before = await snapshot();
      for (const body of [
        { data: [] },
        { data: 'x' },
        { data: { team: ['red'] } },
        { data: { team: 42 } },
        { data: { team: { $ne: null } } },
        { data: { members: 'alice' } },
        { data: { members: [{ user_id: ['alice'] }] } },
        { data: { members: [{ user_id: 'alice', role: ['admin'] }] } },
        { data: { custom: [] } },
        { data: { created_by_id: { $ne: null } } },
      ]) {
        const answer = await asAlice('POST', '/api/v2/video/call/default/typed-call', body);
        expect([400, 403], JSON.stringify(body)).toContain(answer.status);
      }
      for (const body of [
        { update_members: { user_id: 'alice' } },
        { remove_members: 'bob' },
        { remove_members: [42] },
      ]) {
        const answer = await asAlice('POST', '/api/v2/video/call/default/red-call/members', body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
      }
      const proto = await send('POST', '/api/v2/video/call/default/typed-call-2', {
        token: alice,
        rawBody: '{"data":{"team":"red","__proto__":{"created_by_id":"bob"}}}',
      });
      if (proto.status === 201) {
        const rows = await test.server.db.query(
          "SELECT created_by_id FROM calls WHERE id = 'typed-call-2'",
        );
        expect(rows).toEqual([{ created_by_id: 'alice' }]);
      } else {
        expect(proto.status).toBe(400);
      }
      const notJson = await send('POST', '/api/v2/video/call/default/typed-call', {
        token: alice,
        rawBody: '{',
      });
      expect(notJson.status).toBe(400);
      const after = JSON.parse(await snapshot()) as { calls: { id: string }[] };
      expect(after.calls.filter((call) => call.id === 'typed-call')).toEqual([]);
      expect(JSON.parse(before)).toMatchObject({
        users: (JSON.parse(await snapshot()) as { users: unknown }).users,
      });
    });
  });

  describe('other roles of tenant red', () => {
    it('a role without grants and a red admin cannot probe blue user ids by upsert', async () => {
      const before = await snapshot();
      for (const token of [judge, await test.admin.createToken('boss')]) {
        const blue = await send('POST', '/api/v2/users', {
          token,
          body: { users: [{ id: 'bob', name: 'pwned' }] },
        });
        const missing = await send('POST', '/api/v2/users', {
          token,
          body: { users: [{ id: 'no-such-user', name: 'pwned' }] },
        });
        expect(blue.status).toBeGreaterThanOrEqual(400);
        expect([blue.status, blue.body['reason']]).toEqual([
          missing.status,
          missing.body['reason'],
        ]);
      }
      expect(await snapshot()).toBe(before);
    });

    it('a red admin gets 404 for blue calls and users, and changes nothing', async () => {
      const boss = await test.admin.createToken('boss');
      const before = await snapshot();
      for (const [method, path, body] of [
        ['GET', `/api/v2/video/call/default/${BLUE_CALL}`, undefined],
        ['PATCH', `/api/v2/video/call/default/${BLUE_CALL}`, { custom: { pwned: true } }],
        ['POST', `/api/v2/video/call/default/${BLUE_CALL}/members`, { remove_members: ['bob'] }],
        [
          'POST',
          `/api/v2/video/call/default/${BLUE_CALL}/user_permissions`,
          { user_id: 'bob', revoke_permissions: ['send-audio'] },
        ],
        ['PATCH', '/api/v2/users', { users: [{ id: 'bob', set: { name: 'pwned' } }] }],
      ] as const) {
        const answer = await send(method, path, {
          token: boss,
          ...(body === undefined ? {} : { body }),
        });
        expect([answer.status, answer.body['reason']], `${method} ${path}`).toEqual([
          404,
          'NOT_FOUND',
        ]);
      }
      expect(await snapshot()).toBe(before);
    });

    it('a user without teams cannot probe blue calls or users either', async () => {
      await test.admin.upsertUsers([{ id: 'drifter', teams: [] }]);
      const drifter = await test.admin.createToken('drifter');
      for (const [method, suffix] of [
        ['GET', ''],
        ['POST', '/join'],
      ] as const) {
        const blue = await send(method, `/api/v2/video/call/default/${BLUE_CALL}${suffix}`, {
          token: drifter,
        });
        const missing = await send(method, `/api/v2/video/call/default/no-such-call${suffix}`, {
          token: drifter,
        });
        expect([blue.status, blue.body['reason']]).toEqual([404, 'NOT_FOUND']);
        expect([missing.status, missing.body['reason']]).toEqual([404, 'NOT_FOUND']);
      }
      const users = await send('GET', usersQueryPath({}), { token: drifter });
      expect(users.status).toBe(200);
      expectNoBlue(users);
      const calls = await send('POST', '/api/v2/video/calls', { token: drifter, body: {} });
      expect(calls.status).toBe(200);
      expectNoBlue(calls);
      await test.admin.deleteUser('drifter');
    });

    it('the back end still updates any user by upsert', async () => {
      await test.admin.upsertUsers([{ id: 'bobby', name: 'Bobby' }]);
      const rows = await test.server.db.query("SELECT name, teams FROM users WHERE id = 'bobby'");
      expect(rows).toEqual([{ name: 'Bobby', teams: ['blue'] }]);
    });
  });

  describe('values the database cannot hold', () => {
    it('a NUL character anywhere is a 400, never a 500, and changes nothing', async () => {
      const before = await snapshot();
      const nul = 'a\u0000b';
      const answers = [
        await asAlice('GET', `/api/v2/video/call/default/${BLUE_CALL}%00`),
        await asAlice('GET', '/api/v2/video/call/default/x%00y'),
        await asAlice('POST', '/api/v2/video/call/default%00/x', {}),
        await userIds({ id: nul }),
        await userIds({ name: { $autocomplete: nul } }),
        await userIds({ id: { $in: ['alice', nul] } }),
        await callIds({ members: nul }),
        await callIds({ id: { $gt: nul } }),
        await patchUser(alice, 'alice', { set: { name: nul } }),
        await patchUser(alice, 'alice', { set: { custom: { [nul]: nul } } }),
        await asAlice('PATCH', '/api/v2/video/call/default/red-call', { custom: { note: nul } }),
        await asAlice('POST', '/api/v2/video/call/default/nul-call', { data: { team: nul } }),
        await asAlice('POST', '/api/v2/video/call/default/red-call/members', {
          remove_members: [nul],
        }),
      ];
      for (const [index, answer] of answers.entries()) {
        expect([400, 403, 404], String(index)).toContain(answer.status);
        expectNoBlue(answer);
      }
      expect(await snapshot()).toBe(before);
    });

    it('dates PostgreSQL cannot compare are a 400', async () => {
      for (const value of ['275760-09-13T00:00:00Z', '+275760-09-13T00:00:00.000Z', 'March 7']) {
        const answer = await userIds({ created_at: { $gt: value } });
        expect([200, 400], value).toContain(answer.status);
        expectNoBlue(answer);
      }
    });

    it('an id in set is ignored: the change id names the user', async () => {
      const answer = await patchUser(alice, 'alice', { set: { id: 'bob', name: 'Alice' } });
      expect(answer.status).toBe(200);
      const users = answer.body['users'] as Record<string, { id: string }>;
      expect(Object.keys(users)).toEqual(['alice']);
      expect(users['alice']?.id).toBe('alice');
      const bob = await test.server.db.query("SELECT name FROM users WHERE id = 'bob'");
      expect(bob).toEqual([{ name: 'Bob' }]);
    });
  });

  describe('server-only endpoints', () => {
    it('a user token cannot read or change app grants, roles or call types', async () => {
      const before = await snapshot();
      const revision = test.server.live.revision;
      for (const [method, path, body] of [
        ['GET', '/api/v2/rolecall/grants', undefined],
        ['GET', '/api/v2/app', undefined],
        ['PATCH', '/api/v2/app', { multi_tenant_enabled: false }],
        ['GET', '/api/v2/roles', undefined],
        ['POST', '/api/v2/roles', { name: 'evil' }],
        ['DELETE', '/api/v2/roles/nobody', undefined],
        ['GET', '/api/v2/video/calltypes/default', undefined],
        ['PUT', '/api/v2/video/calltypes/default', { grants: { user: ['update-call'] } }],
        ['POST', '/api/v2/users/delete', { user_ids: ['bob'] }],
      ] as const) {
        const answer = await asAlice(method, path, body);
        expect([answer.status, answer.body['reason']], `${method} ${path}`).toEqual([
          403,
          'SERVER_ONLY',
        ]);
      }
      expect(test.server.live.revision).toBe(revision);
      expect(await snapshot()).toBe(before);
    });
  });

  describe('with the builtin any-team grants (search-user, query-calls)', () => {
    beforeAll(async () => {
      await test.admin.updateApp({ grants: null });
    });

    it('a red user may search blue users by naming the team (the grant says any team)', async () => {
      const implicit = await userIds({});
      expect(idsOf(implicit, 'users')).toEqual(['alice', 'boss', 'carol', 'judge']);
      const explicit = await userIds({ teams: 'blue' });
      expect([explicit.status, idsOf(explicit, 'users')]).toEqual([200, BLUE_USERS]);
    });

    it('and lists blue calls only when asked by team (DESIGN §5 Listing), never by id', async () => {
      // No team field: the injected filter keeps alice inside red.
      expectNoBlue(await callIds({}));
      // Naming blue (or all teams) with the any-team query-calls grant lists blue's calls that
      // alice's role may read (seed 000: "{team: {}} queries calls of all teams").
      for (const filter of [{ team: 'blue' }, { team: {} }, { team: { $in: ['red', 'blue'] } }]) {
        const answer = await callIds(filter);
        expect(answer.status, JSON.stringify(filter)).toBe(200);
        expect(idsOf(answer, 'calls'), JSON.stringify(filter)).toContain(BLUE_CALL);
      }
      // Reading, joining or acting on that call by id stays team-bound: 404, as for a missing one.
      const blue = await asAlice('GET', `/api/v2/video/call/default/${BLUE_CALL}`);
      expect(blue.status).toBe(404);
      const join = await asAlice('POST', `/api/v2/video/call/default/${BLUE_CALL}/join`, {});
      expect(join.status).toBe(404);
      // Once .app grants only the same-team variant, naming blue is a refusal again.
      await test.admin.updateApp({
        grants: { user: ['query-calls-same-team', 'search-user-same-team'] },
      });
      const refused = await callIds({ team: 'blue' });
      expect([refused.status, refused.body['reason']]).toEqual([403, 'CROSS_TEAM_QUERY']);
      await test.admin.updateApp({ grants: null });
    });
  });
});
