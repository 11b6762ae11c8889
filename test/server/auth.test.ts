// Trying to break the reference server's authentication and trust model: every credential that is
// not a well-signed HS256 token for this app is a 401, and nothing in a body changes who decides.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../../sdk/clients/index.js';
import { startServer } from '../../server/index.js';
import {
  API_KEY,
  API_SECRET,
  expectStreamError,
  startTestServer,
  usersQueryPath,
  type TestServer,
} from '../support/server.js';

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

describe('reference server auth', () => {
  let test: TestServer;

  async function send(
    method: string,
    path: string,
    options: { token?: string; apiKey?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(
      `${test.url}${path}${separator}api_key=${options.apiKey ?? API_KEY}`,
      {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      },
    );
    const answer = {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    };
    if (answer.status >= 400) expectStreamError(answer.status, answer.body);
    return answer;
  }

  /** Stream's queryUsers: `GET /api/v2/users?payload=…`. */
  const QUERY_USERS = usersQueryPath({ filter_conditions: {} });

  beforeAll(async () => {
    test = await startTestServer('pglite');
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([
      { id: 'alice', teams: ['red'] },
      { id: 'bob', teams: ['blue'] },
      { id: 'gone', teams: ['red'] },
    ]);
    await test.admin.deleteUser('gone');
  });
  afterAll(async () => {
    await test.close();
  });

  it('refuses a request without a token', async () => {
    const answer = await send('GET', QUERY_USERS);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      code: 5,
      message: answer.body['message'],
      StatusCode: 401,
      duration: expect.any(String) as unknown,
      more_info: expect.any(String) as unknown,
      details: [],
      reason: 'AUTH_MISSING',
    });
    expect(typeof answer.body['message']).toBe('string');
  });

  it("takes Stream's auth headers: a bare token or Bearer, stream-auth-type jwt or anonymous", async () => {
    const token = await test.admin.createToken('alice');
    const url = `${test.url}/api/v2/rolecall/me?api_key=${API_KEY}`;
    for (const headers of [
      { authorization: token },
      { authorization: `Bearer ${token}` },
      { authorization: token, 'stream-auth-type': 'jwt' },
    ]) {
      const response = await fetch(url, { headers });
      const body = (await response.json()) as { user?: { id: string } };
      expect([response.status, body.user?.id], JSON.stringify(headers)).toEqual([200, 'alice']);
    }
    for (const [headers, reason] of [
      [{ authorization: token, 'stream-auth-type': 'anonymous' }, 'AUTH_INVALID'],
      [{ authorization: token, 'stream-auth-type': 'other' }, 'AUTH_INVALID'],
      [{ 'stream-auth-type': 'jwt' }, 'AUTH_MISSING'],
    ] as const) {
      const response = await fetch(url, { headers });
      const body = (await response.json()) as Record<string, unknown>;
      expect([response.status, body['reason']], JSON.stringify(headers)).toEqual([401, reason]);
      expectStreamError(401, body, reason);
    }
  });

  it('refuses a wrong API key even with a valid token', async () => {
    const token = await test.admin.createToken('alice');
    const answer = await send('GET', QUERY_USERS, { token, apiKey: 'other-key' });
    expect(answer.status).toBe(401);
    expect(answer.body['reason']).toBe('API_KEY_INVALID');
    expect(answer.body['code']).toBe(2);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await createUserToken('alice', 'not-the-secret-of-this-app-at-all');
    const answer = await send('GET', QUERY_USERS, { token });
    expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
  });

  it('refuses a token whose payload was edited after signing', async () => {
    const token = await createUserToken('alice', API_SECRET);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${base64url({ user_id: 'bob' })}.${signature}`;
    const answer = await send('GET', QUERY_USERS, { token: forged });
    expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
  });

  it('refuses an expired token', async () => {
    const issuedAt = Math.floor(Date.now() / 1000) - 3600;
    const token = await createUserToken('alice', API_SECRET, { issuedAt, expiresInSeconds: 60 });
    const answer = await send('GET', QUERY_USERS, { token });
    expect([answer.status, answer.body['reason'], answer.body['code']]).toEqual([
      401,
      'TOKEN_EXPIRED',
      40,
    ]);
  });

  it('refuses alg none, for a user and for the server', async () => {
    for (const payload of [{ user_id: 'alice' }, { server: true }]) {
      const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
      const answer = await send('GET', '/api/v2/app', { token });
      expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
    }
  });

  it('refuses another HMAC algorithm than HS256, even with the right secret', async () => {
    const token = await new SignJWT({ server: true })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(new TextEncoder().encode(API_SECRET));
    const answer = await send('GET', '/api/v2/app', { token });
    expect([answer.status, answer.body['reason']]).toEqual([401, 'AUTH_INVALID']);
  });

  it('refuses a token that names neither a user nor the server, and unknown or deleted users', async () => {
    const empty = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(API_SECRET));
    expect((await send('GET', '/api/v2/rolecall/me', { token: empty })).status).toBe(401);
    for (const userId of ['nobody', 'gone']) {
      const answer = await send('GET', '/api/v2/rolecall/me', {
        token: await test.admin.createToken(userId),
      });
      expect([answer.status, answer.body['reason']]).toEqual([401, 'UNKNOWN_USER']);
    }
  });

  it('refuses a user token on server-side endpoints', async () => {
    const token = await test.admin.createToken('alice');
    const attempts: [string, string, unknown?][] = [
      ['GET', '/api/v2/app'],
      ['PATCH', '/api/v2/app', { multi_tenant_enabled: false }],
      ['GET', '/api/v2/rolecall/grants'],
      ['GET', '/api/v2/roles'],
      ['POST', '/api/v2/roles', { name: 'villain' }],
      ['DELETE', '/api/v2/roles/admin'],
      ['GET', '/api/v2/video/calltypes/default'],
      ['PUT', '/api/v2/video/calltypes/default', { grants: null }],
      ['POST', '/api/v2/users/delete', { user_ids: ['bob'] }],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await send(method, path, { token, body });
      expect([method, path, answer.status, answer.body['reason'], answer.body['code']]).toEqual([
        method,
        path,
        403,
        'SERVER_ONLY',
        17,
      ]);
    }
    expect((await test.admin.getApp()).app.multi_tenant_enabled).toBe(true);
    expect((await test.admin.listRoles()).roles.map((role) => role.name)).not.toContain('villain');
  });

  it('ignores a subject, teams or side supplied in the body', async () => {
    const token = await test.admin.createToken('alice');
    const answer = await send(
      'GET',
      `${usersQueryPath({
        filter_conditions: {},
        subject: { id: 'bob', role: 'admin', teams: ['blue'] },
        user: { id: 'bob', teams: ['blue'] },
        user_id: 'bob',
        teams: ['blue'],
        context: { side: 'server' },
      })}&user_id=bob&teams=blue&side=server`,
      { token },
    );
    expect(answer.status).toBe(200);
    expect((answer.body['users'] as { id: string }[]).map((user) => user.id)).toEqual(['alice']);
    // A user token that also claims to be the server is still that user.
    const claims = await new SignJWT({ user_id: 'alice', server: true })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(API_SECRET));
    expect((await send('GET', '/api/v2/app', { token: claims })).status).toBe(403);
  });

  it('refuses a token issued in the future, past a leeway of 60 s for clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const issuedAt of [now + 3600, now + 10 * 365 * 86_400]) {
      for (const token of [
        await createUserToken('alice', API_SECRET, { issuedAt }),
        await createServerToken(API_SECRET, { issuedAt }),
      ]) {
        const answer = await send('GET', '/api/v2/rolecall/me', { token });
        expect([answer.status, answer.body['reason'], answer.body['code']]).toEqual([
          401,
          'TOKEN_NOT_YET_VALID',
          41,
        ]);
      }
    }
    const skewed = await createUserToken('alice', API_SECRET, { issuedAt: now + 30 });
    expect((await send('GET', '/api/v2/rolecall/me', { token: skewed })).status).toBe(200);
  });

  it('answers 401 for a signed token whose user_id is not an id (NUL, dots, slashes, too long)', async () => {
    for (const userId of [
      'alice\u0000',
      '\u0000',
      '..',
      '.',
      'a/b',
      'alice bob',
      'x'.repeat(256),
    ]) {
      const token = await new SignJWT({ user_id: userId })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .sign(new TextEncoder().encode(API_SECRET));
      for (const [method, path] of [
        ['GET', '/api/v2/rolecall/me'],
        ['GET', QUERY_USERS],
        ['POST', '/api/v2/video/calls'],
      ] as const) {
        const answer = await send(method, path, {
          token,
          ...(method === 'GET' ? {} : { body: {} }),
        });
        expect([answer.status, answer.body['reason']], JSON.stringify(userId)).toEqual([
          401,
          'AUTH_INVALID',
        ]);
      }
    }
  });

  it("a guest's token does not become the user the back end later creates with the guest's id", async () => {
    /** Stream's createGuest, as an anonymous client sends it. */
    const createGuest = async (id: string): Promise<string> => {
      const response = await fetch(`${test.url}/api/v2/guest?api_key=${API_KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stream-auth-type': 'anonymous' },
        body: JSON.stringify({ user: { id } }),
      });
      expect(response.status).toBe(201);
      return String(((await response.json()) as Record<string, unknown>)['access_token']);
    };
    const guestToken = await createGuest('carol');
    const asGuest = await send('GET', '/api/v2/rolecall/me', { token: guestToken });
    expect(asGuest.status).toBe(200);
    expect(asGuest.body['user']).toMatchObject({ id: 'carol', role: 'guest' });

    // The back end creates its user carol, not knowing a guest picked the id first.
    await test.admin.upsertUsers([{ id: 'carol', role: 'user', teams: ['red'] }]);
    for (const [method, path] of [
      ['GET', '/api/v2/rolecall/me'],
      ['GET', QUERY_USERS],
    ] as const) {
      const stale = await send(method, path, { token: guestToken });
      expect([stale.status, stale.body['reason']], path).toEqual([401, 'GUEST_TOKEN_OUTDATED']);
    }
    // carol's own token works; so does a guest's token while the user is still that guest.
    const asCarol = await send('GET', '/api/v2/rolecall/me', {
      token: await createUserToken('carol', API_SECRET),
    });
    expect(asCarol.status).toBe(200);
    expect(asCarol.body['user']).toMatchObject({ id: 'carol', role: 'user', teams: ['red'] });
    const stillGuest = await send('GET', QUERY_USERS, { token: await createGuest('visitor-7') });
    expect(stillGuest.status).toBe(200);
  });
});

describe('startServer credentials', () => {
  it('refuses what the CLI refuses: a secret under 16 characters, an empty key', async () => {
    await expect(startServer({ apiKey: API_KEY, apiSecret: 's', logs: 'silent' })).rejects.toThrow(
      'the API secret must have at least 16 characters',
    );
    await expect(
      startServer({ apiKey: API_KEY, apiSecret: 'fifteen-chars!!', logs: 'silent' }),
    ).rejects.toThrow('at least 16 characters');
    await expect(
      startServer({ apiKey: '', apiSecret: API_SECRET, logs: 'silent' }),
    ).rejects.toThrow('the API key is empty');
    const sixteen = await startServer({
      apiKey: API_KEY,
      apiSecret: 'sixteen-chars!!!',
      logs: 'silent',
    });
    await sixteen.close();
  });
});
