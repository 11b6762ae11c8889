// The authenticated /bundle.tar.gz and /data.json: every forged, expired or missing credential is
// a 401 (a known ETag included), and data.json's derived index agrees with its permissions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../../sdk/clients/token.js';
import {
  API_KEY,
  API_SECRET,
  BACKENDS,
  expectStreamError,
  startTestServer,
  type TestServer,
} from '../support/server.js';

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
        // Anonymous access (Stream's auth type for unauthenticated clients) gets no policy.
        [{ ...key, 'stream-auth-type': 'anonymous' }, '', 'AUTH_MISSING'],
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
