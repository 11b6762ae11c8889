// Stream's own server SDK (@stream-io/node-sdk, pointed at the reference server with `basePath`)
// runs the seeds' server-side flows unchanged: app settings, users with teams, roles,
// permissions, call types and their grants, calls with teams, members and queryCalls. User-side
// requests (a user token with `stream-auth-type: jwt`) and anonymous ones go over the same wire.
import { StreamClient } from '@stream-io/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  API_SECRET,
  BACKENDS,
  startTestServer,
  type TestServer,
} from '../support/server.js';

/** A raw request on Stream's wire, as Stream's client SDKs send it. */
async function wire(
  test: TestServer,
  method: string,
  path: string,
  auth: { token: string } | 'anonymous',
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> =
    auth === 'anonymous'
      ? { 'stream-auth-type': 'anonymous' }
      : { authorization: auth.token, 'stream-auth-type': 'jwt' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${test.url}${path}?api_key=${API_KEY}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The node-sdk's error (its class is not exported): Stream's code and the HTTP status. */
interface StreamFailure {
  code?: number;
  metadata?: { responseCode?: number };
}

async function streamError(body: () => Promise<unknown>): Promise<StreamFailure> {
  try {
    await body();
  } catch (error) {
    return error as StreamFailure;
  }
  throw new Error('expected the request to be refused');
}

describe.each(BACKENDS)('@stream-io/node-sdk against the reference server on %s', (backend) => {
  let test: TestServer;
  let stream: StreamClient;

  beforeAll(async () => {
    test = await startTestServer(backend);
    stream = new StreamClient(API_KEY, API_SECRET, { basePath: test.url, timeout: 10_000 });
  });
  afterAll(async () => {
    await test.close();
  });

  it('reads and updates the app settings (getApp / updateApp)', async () => {
    expect((await stream.getApp()).app.multi_tenant_enabled).toBe(false);
    await stream.updateApp({ multi_tenant_enabled: true });
    expect((await stream.getApp()).app.multi_tenant_enabled).toBe(true);
  });

  it('upserts users with teams and queries them (upsertUsers / queryUsers)', async () => {
    const answer = await stream.upsertUsers([
      { id: 'alice', name: 'Alice', teams: ['red'] },
      { id: 'bob', name: 'Bob', teams: ['blue'] },
      { id: 'sara', name: 'Sara', teams: ['red', 'blue'] },
    ]);
    expect(Object.keys(answer.users).sort()).toEqual(['alice', 'bob', 'sara']);
    expect(answer.users['sara']?.teams).toEqual(['blue', 'red']);
    const red = await stream.queryUsers({
      payload: { filter_conditions: { teams: { $in: ['red'] } }, sort: [{ field: 'id' }] },
    });
    expect(red.users.map((user) => user.id)).toEqual(['alice', 'sara']);
  });

  it("keeps Stream's profile fields: image and language, set, changed and unset", async () => {
    const created = await stream.upsertUsers([
      { id: 'pia', image: 'https://example.com/pia.png', language: 'it' },
    ]);
    expect(created.users['pia']).toMatchObject({
      image: 'https://example.com/pia.png',
      language: 'it',
    });
    const changed = await stream.updateUsersPartial({
      users: [{ id: 'pia', set: { language: 'nl' }, unset: ['image'] }],
    });
    expect(changed.users['pia']?.language).toBe('nl');
    expect(changed.users['pia']?.image).toBeUndefined();
    const [read] = (await stream.queryUsers({ payload: { filter_conditions: { id: 'pia' } } }))
      .users;
    expect(read).toMatchObject({ id: 'pia', language: 'nl' });
  });

  it('creates, lists and deletes a custom role (createRole / listRoles / deleteRole)', async () => {
    await stream.createRole({ name: 'stage_manager' });
    const roles = (await stream.listRoles()).roles;
    expect(roles.find((role) => role.name === 'stage_manager')?.custom).toBe(true);
    expect(roles.find((role) => role.name === 'admin')?.custom).toBe(false);
    await stream.deleteRole({ name: 'stage_manager' });
    expect((await stream.listRoles()).roles.map((role) => role.name)).not.toContain(
      'stage_manager',
    );
    const missing = await streamError(() => stream.deleteRole({ name: 'stage_manager' }));
    expect(missing.code).toBe(16);
    expect(missing.metadata?.responseCode).toBe(404);
  });

  it('lists permissions and reads one (listPermissions / getPermission)', async () => {
    const { permissions } = await stream.listPermissions();
    const endCall = permissions.find((permission) => permission.id === 'end-call');
    expect(endCall).toMatchObject({ action: 'EndCall', custom: false });
    const { permission } = await stream.getPermission({ id: 'end-call' });
    expect(permission).toMatchObject({ id: 'end-call', action: 'EndCall' });
  });

  it('patches call type grants (video.getCallType / video.updateCallType)', async () => {
    const before = await stream.video.getCallType({ name: 'default' });
    expect(before.grants['call_member']).toContain('send-audio');
    await stream.video.updateCallType({
      name: 'default',
      grants: { call_member: ['read-call', 'join-call', 'send-audio'] },
    });
    const after = await stream.video.getCallType({ name: 'default' });
    expect(after.grants['call_member']).toEqual(['join-call', 'read-call', 'send-audio']);
    // Only the named role changed (the seed's patch rule).
    expect(after.grants['admin']).toEqual(before.grants['admin']);
    await stream.video.updateCallType({ name: 'default', grants: null as never });
    expect((await stream.video.getCallType({ name: 'default' })).grants).toEqual(before.grants);
  });

  it('creates calls with a team, adds members and queries them by team', async () => {
    const red = stream.video.call('default', 'red-standup');
    const created = await red.getOrCreate({ data: { team: 'red', created_by_id: 'alice' } });
    expect(created.created).toBe(true);
    expect(created.call.team).toBe('red');
    expect(created.call.created_by.id).toBe('alice');
    // Stream's clients may name the creator as a user instead of an id.
    const blue = await stream.video
      .call('default', 'blue-standup')
      .getOrCreate({ data: { team: 'blue', created_by: { id: 'bob' } } });
    expect(blue.call.created_by.id).toBe('bob');
    const conflicting = await streamError(() =>
      stream.video
        .call('default', 'green-standup')
        .getOrCreate({ data: { created_by: { id: 'bob' }, created_by_id: 'alice' } }),
    );
    expect(conflicting).toMatchObject({ code: 4, metadata: { responseCode: 400 } });
    await red.updateCallMembers({ update_members: [{ user_id: 'sara', role: 'call_member' }] });
    const again = await red.get();
    expect(again.members.map((member) => member.user_id)).toContain('sara');
    const calls = await stream.video.queryCalls({ filter_conditions: { team: 'red' } });
    expect(calls.calls.map((entry) => entry.call.id)).toEqual(['red-standup']);
  });

  it('a user token on the same wire stays inside its teams (404 for another team)', async () => {
    const bob = { token: stream.generateUserToken({ user_id: 'bob' }) };
    const own = await wire(test, 'GET', '/api/v2/video/call/default/blue-standup', bob);
    expect(own.status).toBe(200);
    const foreign = await wire(test, 'GET', '/api/v2/video/call/default/red-standup', bob);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ code: 16, StatusCode: 404, reason: 'NOT_FOUND' });
    const listed = await wire(test, 'POST', '/api/v2/video/calls', bob, { filter_conditions: {} });
    expect(listed.status).toBe(200);
    const ids = (listed.body['calls'] as { call: { id: string } }[]).map((entry) => entry.call.id);
    expect(ids).toEqual(['blue-standup']);
  });

  it('an expired user token answers Stream code 40, a forged one code 5', async () => {
    const expired = {
      token: stream.generateUserToken({ user_id: 'bob', iat: 1_000, exp: 2_000 }),
    };
    const late = await wire(test, 'GET', '/api/v2/video/call/default/blue-standup', expired);
    expect(late.body).toMatchObject({ code: 40, StatusCode: 401, reason: 'TOKEN_EXPIRED' });
    const forged = new StreamClient(API_KEY, 'another-secret-of-enough-length', {
      basePath: test.url,
    });
    const refused = await streamError(() => forged.getApp());
    expect(refused.code).toBe(5);
  });

  it('anonymous requests carry no token, act as role anonymous and never write', async () => {
    const create = await wire(
      test,
      'POST',
      '/api/v2/video/call/default/anon-call',
      'anonymous',
      {},
    );
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({ code: 17, StatusCode: 403 });
    const stored = await stream.video.queryCalls({ filter_conditions: { id: 'anon-call' } });
    expect(stored.calls).toEqual([]);
    // A token on an anonymous request is refused, never silently dropped.
    const mixed = await fetch(`${test.url}/api/v2/app?api_key=${API_KEY}`, {
      headers: {
        'stream-auth-type': 'anonymous',
        authorization: stream.generateUserToken({ user_id: 'bob' }),
      },
    });
    expect(mixed.status).toBe(401);
  });

  it('a guest is created without a token and gets a short-lived token of role guest', async () => {
    const guest = await wire(test, 'POST', '/api/v2/guest', 'anonymous', {
      user: { id: 'visitor', name: 'Visitor' },
    });
    expect(guest.status).toBe(201);
    expect(guest.body['user']).toMatchObject({ id: 'visitor', role: 'guest', teams: [] });
    const token = guest.body['access_token'];
    expect(typeof token).toBe('string');
    const claims = JSON.parse(
      Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { user_id: string; exp: number; iat: number };
    expect(claims.user_id).toBe('visitor');
    expect(claims.exp - claims.iat).toBe(3600);
    const me = await wire(test, 'GET', '/api/v2/rolecall/me', { token: String(token) });
    expect(me.body['user']).toMatchObject({ id: 'visitor', role: 'guest' });
    // The id is taken now: a second guest cannot take over the first one.
    const twice = await wire(test, 'POST', '/api/v2/guest', 'anonymous', {
      user: { id: 'visitor' },
    });
    expect(twice.status).toBe(409);
    expect(twice.body['reason']).toBe('USER_EXISTS');
    const named = await streamError(() => stream.createGuest({ user: { id: 'alice' } }));
    expect(named).toMatchObject({ code: 4, metadata: { responseCode: 409 } });
  });
});
