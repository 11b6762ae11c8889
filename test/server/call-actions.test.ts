// Stream's call actions through the SDK clients against the reference server (multi-tenant on):
// end, delete, mute, block / unblock, kick, and settings_override decided as UpdateCallSettings.
// A call of another team is 404 whatever the grants, a refusal carries the policy's reason, and
// neither changes anything; a permitted action changes exactly what it says.
import { StreamClient } from '@stream-io/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoClient } from '../../sdk/clients/index.js';
import {
  API_KEY,
  API_SECRET,
  BACKENDS,
  rejection,
  startTestServer,
  type TestServer,
} from '../support/server.js';

/** Everything the actions could change, to compare before and after a refusal. */
async function callTables(test: TestServer): Promise<unknown[]> {
  const { db } = test.server;
  return [
    await db.query(
      'SELECT call_type, id, team, custom, settings_override, ended_at, deleted_at FROM calls ORDER BY call_type, id',
    ),
    await db.query('SELECT * FROM call_members ORDER BY call_type, call_id, user_id'),
    await db.query('SELECT * FROM call_blocked_users ORDER BY call_type, call_id, user_id'),
  ];
}

async function blockedOn(test: TestServer, callId: string): Promise<string[]> {
  const rows = await test.server.db.query<{ user_id: string }>(
    "SELECT user_id FROM call_blocked_users WHERE call_type = 'default' AND call_id = $1 ORDER BY user_id",
    [callId],
  );
  return rows.map((row) => row.user_id);
}

describe.each(BACKENDS)('call actions on %s', (backend) => {
  let test: TestServer;
  let alice: VideoClient; // red, creator of red-room
  let mod: VideoClient; // red, call_moderator of red-room
  let carol: VideoClient; // red, call_member of red-room
  let dave: VideoClient; // red, call_member of red-room: the target
  let bob: VideoClient; // blue, role admin: every grant, but not in team red

  /** A red call created by alice with mod, carol and dave as members. */
  async function redCall(id: string): Promise<void> {
    await test.admin.call('default', id).getOrCreate({
      data: {
        team: 'red',
        created_by_id: 'alice',
        members: [
          { user_id: 'mod', role: 'call_moderator' },
          { user_id: 'carol' },
          { user_id: 'dave' },
        ],
      },
    });
  }

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([
      { id: 'alice', teams: ['red'] },
      { id: 'mod', teams: ['red'] },
      { id: 'carol', teams: ['red'] },
      { id: 'dave', teams: ['red'] },
      { id: 'bob', teams: ['blue'], role: 'admin' },
      { id: 'eve', teams: ['blue'] },
    ]);
    alice = await test.clientFor('alice');
    mod = await test.clientFor('mod');
    carol = await test.clientFor('carol');
    dave = await test.clientFor('dave');
    bob = await test.clientFor('bob');
    await redCall('red-room');
  });
  afterAll(async () => {
    await test.close();
  });

  it('a user of team blue gets 404 for every action on a call of team red, and nothing changes', async () => {
    const call = bob.call('default', 'red-room');
    const before = await callTables(test);
    const attempts: [string, () => Promise<unknown>][] = [
      ['end', () => call.end()],
      ['delete', () => call.delete()],
      ['hard delete', () => call.delete({ hard: true })],
      ['mute', () => call.muteUsers({ user_ids: ['dave'], audio: true })],
      ['mute all', () => call.muteUsers({ mute_all_users: true })],
      ['block', () => call.blockUser({ user_id: 'dave' })],
      ['unblock', () => call.unblockUser({ user_id: 'dave' })],
      ['kick', () => call.kickUser({ user_id: 'dave', block: true })],
    ];
    for (const [name, attempt] of attempts) {
      expect(await rejection(attempt), name).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
    expect(await callTables(test)).toEqual(before);
    // The same answer as for a call that does not exist at all.
    const missing = await rejection(() => bob.call('default', 'no-such-room').end());
    expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('a member without the permission is refused with the policy reason, and nothing changes', async () => {
    const call = carol.call('default', 'red-room');
    const before = await callTables(test);
    const attempts: [string, string, () => Promise<unknown>][] = [
      ['end', 'EndCall', () => call.end()],
      ['delete', 'EndCall', () => call.delete({ hard: true })],
      ['mute', 'MuteUsers', () => call.muteUsers({ user_ids: ['dave'] })],
      ['block', 'BlockUsers', () => call.blockUser({ user_id: 'dave' })],
      ['unblock', 'BlockUsers', () => call.unblockUser({ user_id: 'dave' })],
      ['kick', 'KickUser', () => call.kickUser({ user_id: 'dave' })],
    ];
    for (const [name, action, attempt] of attempts) {
      const error = await rejection(attempt);
      expect(error, name).toMatchObject({ status: 403, code: 'NOT_GRANTED' });
      expect((error as unknown as Error).message, name).toContain(action);
    }
    expect(await callTables(test)).toEqual(before);
  });

  it('a revoke in the call record refuses with REVOKED; kick with block needs BlockUsers too', async () => {
    await redCall('red-revoked');
    await test.admin.call('default', 'red-revoked').update({
      config_overrides: { grants: { call_moderator: ['!end-call', '!block-users'] } },
    });
    const call = mod.call('default', 'red-revoked');
    const before = await callTables(test);
    expect(await rejection(() => call.end())).toMatchObject({ status: 403, code: 'REVOKED' });
    expect(await rejection(() => call.delete())).toMatchObject({ status: 403, code: 'REVOKED' });
    expect(await rejection(() => call.kickUser({ user_id: 'dave', block: true }))).toMatchObject({
      status: 403,
      code: 'REVOKED',
    });
    expect(await callTables(test)).toEqual(before);
    // Kicking alone is still granted, and stores nothing.
    await call.kickUser({ user_id: 'dave' });
    expect(await callTables(test)).toEqual(before);
  });

  it('the creator ends its own call (end-call-owner); ending again keeps the first time', async () => {
    await redCall('red-to-end');
    const ended = await alice.call('default', 'red-to-end').end();
    expect(ended.duration).toEqual(expect.any(String));
    expect(ended.call.ended_at).toEqual(expect.any(String));
    const again = await mod.call('default', 'red-to-end').end();
    expect(again.call.ended_at).toBe(ended.call.ended_at);
    const read = await carol.call('default', 'red-to-end').get();
    expect(read.call.ended_at).toBe(ended.call.ended_at);
  });

  it('a moderator mutes members and reachable users; unknown and other-team users are 400', async () => {
    const call = mod.call('default', 'red-room');
    expect(await call.muteUsers({ user_ids: ['dave', 'carol'], audio: true })).toEqual({
      duration: expect.any(String) as unknown,
    });
    expect((await call.muteUsers({ mute_all_users: true, video: true })).duration).toEqual(
      expect.any(String),
    );
    // A red user who is not a member is within reach.
    await test.admin.upsertUsers([{ id: 'frank', teams: ['red'] }]);
    await call.muteUsers({ user_ids: ['frank'] });
    for (const userId of ['eve', 'nobody']) {
      expect(await rejection(() => call.muteUsers({ user_ids: [userId] })), userId).toMatchObject({
        status: 400,
        code: 'UNKNOWN_USER',
      });
    }
    expect(await rejection(() => call.muteUsers({}))).toMatchObject({
      status: 400,
      code: 'INVALID_REQUEST',
    });
  });

  it('a blocked user can neither join nor read the call until unblocked', async () => {
    await redCall('red-blocking');
    const moderated = mod.call('default', 'red-blocking');
    await moderated.blockUser({ user_id: 'dave' });
    await moderated.blockUser({ user_id: 'dave' }); // blocking twice is one block
    expect(await blockedOn(test, 'red-blocking')).toEqual(['dave']);
    const blocked = dave.call('default', 'red-blocking');
    for (const [name, attempt] of [
      ['join', () => blocked.join()],
      ['getOrCreate', () => blocked.getOrCreate()],
      ['get', () => blocked.get()],
      // Every answer about the call carries its state: an empty members request is a read.
      ['updateCallMembers {}', () => blocked.updateCallMembers({})],
      ['update', () => blocked.update({ custom: { note: 'still here' } })],
    ] as const) {
      expect(await rejection(attempt), name).toMatchObject({ status: 403, code: 'USER_BLOCKED' });
    }
    const listed = async (client: VideoClient) =>
      (await client.video.queryCalls({ filter_conditions: { id: 'red-blocking' } })).calls.length;
    expect(await listed(dave)).toBe(0);
    expect(await listed(carol)).toBe(1);
    // Only dave: carol still joins.
    expect((await carol.call('default', 'red-blocking').join()).joined).toBe(true);
    expect(await rejection(() => moderated.blockUser({ user_id: 'eve' }))).toMatchObject({
      status: 400,
      code: 'UNKNOWN_USER',
    });
    await moderated.unblockUser({ user_id: 'dave' });
    expect(await blockedOn(test, 'red-blocking')).toEqual([]);
    expect((await blocked.join()).joined).toBe(true);
    expect(await listed(dave)).toBe(1);
  });

  it('an empty members request is a read: refused like get to a member who may not read', async () => {
    await redCall('red-unreadable');
    await test.admin.call('default', 'red-unreadable').update({
      config_overrides: { grants: { call_member: ['!read-call'], user: ['!read-call'] } },
    });
    const unreadable = carol.call('default', 'red-unreadable');
    const get = await rejection(() => unreadable.get());
    expect(get).toMatchObject({ status: 403, code: 'REVOKED' });
    expect(await rejection(() => unreadable.updateCallMembers({}))).toMatchObject({
      status: 403,
      code: 'REVOKED',
    });
  });

  it('kicking stores nothing; kicking with block blocks the user', async () => {
    await redCall('red-kicking');
    const moderated = mod.call('default', 'red-kicking');
    expect(await moderated.kickUser({ user_id: 'dave' })).toEqual({
      duration: expect.any(String) as unknown,
    });
    expect(await blockedOn(test, 'red-kicking')).toEqual([]);
    await moderated.kickUser({ user_id: 'carol', block: true });
    expect(await blockedOn(test, 'red-kicking')).toEqual(['carol']);
    expect(await rejection(() => carol.call('default', 'red-kicking').join())).toMatchObject({
      status: 403,
      code: 'USER_BLOCKED',
    });
  });

  it('a soft-deleted call is not found by get, getOrCreate, join, actions or the query; its id stays taken', async () => {
    await redCall('red-soft');
    const deleted = await alice.call('default', 'red-soft').delete();
    expect(deleted.call).toMatchObject({ cid: 'default:red-soft', team: 'red' });
    expect(deleted.call.deleted_at).toEqual(expect.any(String));
    expect(deleted.call.ended_at).toEqual(expect.any(String));
    const call = alice.call('default', 'red-soft');
    for (const [name, attempt] of [
      ['get', () => call.get()],
      ['getOrCreate', () => call.getOrCreate({ data: { team: 'red' } })],
      ['join', () => call.join()],
      ['end', () => call.end()],
      ['delete', () => call.delete()],
    ] as const) {
      expect(await rejection(attempt), name).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
    const server = test.admin.call('default', 'red-soft');
    expect(await rejection(() => server.get())).toMatchObject({ status: 404 });
    const { calls } = await test.admin.video.queryCalls({ filter_conditions: { id: 'red-soft' } });
    expect(calls).toEqual([]);
    // The row stays, so the id is not handed out again.
    const rows = await test.server.db.query("SELECT id FROM calls WHERE id = 'red-soft'");
    expect(rows).toHaveLength(1);
    // The back end frees the id with a hard delete.
    await server.delete({ hard: true });
    const again = await alice.call('default', 'red-soft').getOrCreate({ data: { team: 'red' } });
    expect(again.created).toBe(true);
  });

  it('a hard delete removes the call with its members and blocks', async () => {
    await redCall('red-hard');
    await mod.call('default', 'red-hard').blockUser({ user_id: 'dave' });
    const deleted = await mod.call('default', 'red-hard').delete({ hard: true });
    expect(deleted.call.cid).toBe('default:red-hard');
    const { db } = test.server;
    expect(await db.query("SELECT id FROM calls WHERE id = 'red-hard'")).toEqual([]);
    expect(await db.query("SELECT user_id FROM call_members WHERE call_id = 'red-hard'")).toEqual(
      [],
    );
    expect(await blockedOn(test, 'red-hard')).toEqual([]);
    expect(await rejection(() => carol.call('default', 'red-hard').get())).toMatchObject({
      status: 404,
    });
  });

  it('server-side actions are not permission checked', async () => {
    await redCall('red-server');
    const call = test.admin.call('default', 'red-server');
    await call.muteUsers({ mute_all_users: true });
    await call.kickUser({ user_id: 'eve', block: true });
    expect(await blockedOn(test, 'red-server')).toEqual(['eve']);
    await call.unblockUser({ user_id: 'eve' });
    expect((await call.end()).call.ended_at).toEqual(expect.any(String));
    expect((await call.delete()).call.deleted_at).toEqual(expect.any(String));
  });

  it("Stream's node-sdk call object runs every action unchanged", async () => {
    await redCall('red-node-sdk');
    const stream = new StreamClient(API_KEY, API_SECRET, { basePath: test.url, timeout: 10_000 });
    const call = stream.video.call('default', 'red-node-sdk');
    await call.muteUsers({ user_ids: ['dave'], audio: true, muted_by_id: 'mod' });
    await call.blockUser({ user_id: 'carol' });
    await call.kickUser({ user_id: 'dave', block: true, kicked_by_id: 'mod' });
    expect(await blockedOn(test, 'red-node-sdk')).toEqual(['carol', 'dave']);
    await call.unblockUser({ user_id: 'carol' });
    expect(await blockedOn(test, 'red-node-sdk')).toEqual(['dave']);
    await call.end();
    const deleted = await call.delete({ hard: true });
    expect(deleted.call.cid).toBe('default:red-node-sdk');
    expect(await test.server.db.query("SELECT id FROM calls WHERE id = 'red-node-sdk'")).toEqual(
      [],
    );
  });

  it('rejects malformed action bodies with 400 before deciding', async () => {
    const call = mod.call('default', 'red-room');
    const send = call as unknown as {
      delete: (request: unknown) => Promise<unknown>;
      kickUser: (request: unknown) => Promise<unknown>;
      blockUser: (request: unknown) => Promise<unknown>;
    };
    expect(await rejection(() => send.delete({ hard: 'yes' }))).toMatchObject({ status: 400 });
    expect(await rejection(() => send.kickUser({ user_id: 'dave', block: 1 }))).toMatchObject({
      status: 400,
    });
    expect(await rejection(() => send.blockUser({}))).toMatchObject({
      status: 400,
      code: 'INVALID_ID',
    });
  });
});

describe.each(BACKENDS)('settings_override decided as UpdateCallSettings on %s', (backend) => {
  let test: TestServer;
  let writer: VideoClient; // call_member: update-call, not update-call-settings
  let tuner: VideoClient; // call_moderator: update-call-settings, not update-call

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([
      { id: 'owner', teams: ['red'] },
      { id: 'writer', teams: ['red'] },
      { id: 'tuner', teams: ['red'] },
    ]);
    await test.admin.createCallType({
      name: 'studio',
      grants: {
        call_member: ['read-call', 'update-call'],
        call_moderator: ['read-call', 'update-call-settings'],
      },
    });
    await test.admin.call('studio', 'red-studio').getOrCreate({
      data: {
        team: 'red',
        created_by_id: 'owner',
        members: [{ user_id: 'writer' }, { user_id: 'tuner', role: 'call_moderator' }],
      },
    });
    writer = await test.clientFor('writer');
    tuner = await test.clientFor('tuner');
  });
  afterAll(async () => {
    await test.close();
  });

  async function stored(): Promise<unknown> {
    return test.server.db.query(
      "SELECT custom, settings_override FROM calls WHERE id = 'red-studio'",
    );
  }

  it('update-call without update-call-settings changes custom but not settings_override', async () => {
    const call = writer.call('studio', 'red-studio');
    const updated = await call.update({ custom: { topic: 'mixing' } });
    expect(updated.call.custom).toEqual({ topic: 'mixing' });
    const before = await stored();
    for (const fields of [
      { settings_override: { audio: { mic_default_on: false } } },
      { custom: { topic: 'x' }, settings_override: { audio: { mic_default_on: false } } },
    ]) {
      const error = await rejection(() => call.update(fields));
      expect(error).toMatchObject({ status: 403, code: 'NOT_GRANTED' });
      expect((error as unknown as Error).message).toContain('UpdateCallSettings');
    }
    expect(await stored()).toEqual(before);
  });

  it('update-call-settings without update-call changes settings_override but nothing else', async () => {
    const call = tuner.call('studio', 'red-studio');
    const updated = await call.update({ settings_override: { video: { enabled: true } } });
    expect(updated.call.settings_override).toEqual({ video: { enabled: true } });
    const before = await stored();
    for (const fields of [
      { custom: { topic: 'y' } },
      { custom: { topic: 'y' }, settings_override: { video: { enabled: false } } },
    ]) {
      const error = await rejection(() => call.update(fields));
      expect(error).toMatchObject({ status: 403, code: 'NOT_GRANTED' });
      expect((error as unknown as Error).message).toContain('UpdateCall ');
    }
    expect(await stored()).toEqual(before);
  });
});
