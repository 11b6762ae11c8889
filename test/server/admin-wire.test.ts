// Roles, permissions and call types over Stream's REST wire, through the SDK's server client
// against an in-process server: lookups, custom permissions, explicit call types, and deletions
// refused while anything still names what they delete. Every refusal is checked to change nothing.
import { StreamClient } from '@stream-io/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantsMap, GrantsSpec } from '../../compiler/types.js';
import { createServerToken, type PermissionResponse } from '../../sdk/clients/index.js';
import { httpTarget, requestJson } from '../../sdk/clients/http.js';
import {
  API_KEY,
  API_SECRET,
  BACKENDS,
  rejection,
  startTestServer,
  type TestServer,
} from '../support/server.js';

/** The permission fields a request may set (stream-chat-js CustomPermissionOptions, subset). */
interface PermissionFields {
  id?: string;
  name?: string;
  description?: string;
  action?: string;
  owner?: boolean;
  same_team?: boolean;
}

/**
 * createPermission / updatePermission / deletePermission as the server client will send them
 * (the client does not have them yet): same transport, same server token.
 */
function permissionWire(test: TestServer) {
  const target = httpTarget(
    { baseUrl: test.url, apiKey: API_KEY, token: () => createServerToken(API_SECRET) },
    {},
  );
  const path = (id: string): string => `/api/v2/permissions/${encodeURIComponent(id)}`;
  return {
    createPermission: (permission: PermissionFields & { id: string; action: string }) =>
      requestJson<{ permission: PermissionResponse }>(
        target,
        'POST',
        '/api/v2/permissions',
        permission,
      ),
    updatePermission: (id: string, fields: PermissionFields) =>
      requestJson<{ permission: PermissionResponse }>(target, 'PUT', path(id), fields),
    deletePermission: (id: string) =>
      requestJson<{ deleted: string }>(target, 'DELETE', path(id), undefined),
    /** rolecall's extension: the grants-file overrides of one call (`null` removes them). */
    updateCallOverrides: (callType: string, id: string, grants: GrantsMap | null) =>
      requestJson<{ call_type: string; id: string; grants: GrantsMap }>(
        target,
        'PUT',
        `/api/v2/rolecall/call_overrides/${encodeURIComponent(callType)}/${encodeURIComponent(id)}`,
        { grants },
      ),
    /** A body the typed methods would not let through (unknown keys, wrong types). */
    raw: (method: 'POST' | 'PUT', url: string, body: unknown) =>
      requestJson<unknown>(target, method, url, body),
  };
}

/** Stream's call type answer; the server client's type has no times yet. */
interface CallTypeAnswer {
  name: string;
  grants: GrantsMap;
  created_at?: string;
  updated_at?: string;
}

/** The stored grants and the rows a refused admin request could have touched. */
async function stateOf(test: TestServer): Promise<unknown> {
  const { revision, spec } = await test.admin.getLiveGrants();
  const stored = await test.server.db.query('SELECT key, value FROM rolecall_state ORDER BY key');
  const users = await test.server.db.query('SELECT id, role, deleted_at FROM users ORDER BY id');
  const members = await test.server.db.query(
    'SELECT call_type, call_id, user_id, role, grants FROM call_members ORDER BY 1, 2, 3',
  );
  const calls = await test.server.db.query(
    'SELECT call_type, id, config_overrides FROM calls ORDER BY 1, 2',
  );
  return { revision, spec, stored, users, members, calls };
}

/** Runs a request that must be refused and checks that it changed nothing. */
async function refusedWithoutChange(
  test: TestServer,
  body: () => Promise<unknown>,
): Promise<{ status: number; code: string; message: string; streamCode?: number }> {
  const before = await stateOf(test);
  const error = (await rejection(body)) as Awaited<ReturnType<typeof rejection>> & {
    message: string;
    streamCode?: number;
  };
  expect(await stateOf(test)).toEqual(before);
  return error;
}

/** An answer without Stream's `duration`, which every answer carries and no two share. */
const without = <T extends object>(value: T): Omit<T, 'duration'> =>
  Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'duration')) as Omit<
    T,
    'duration'
  >;

describe.each(BACKENDS)('permissions over the wire on %s', (backend) => {
  let test: TestServer;
  let wire: ReturnType<typeof permissionWire>;

  beforeAll(async () => {
    test = await startTestServer(backend);
    wire = permissionWire(test);
    await test.admin.upsertUsers([{ id: 'alice' }, { id: 'bob' }]);
  });
  afterAll(async () => {
    await test.close();
  });

  it('getPermission answers the same fields as listPermissions', async () => {
    const { permissions } = await test.admin.listPermissions();
    for (const id of ['end-call-owner', 'search-user-same-team', 'read-call']) {
      const listed = permissions.find((permission) => permission.id === id);
      expect(listed).toBeDefined();
      expect(without(await test.admin.getPermission(id))).toEqual({ permission: listed });
    }
  });

  it('getPermission of an unknown id is a 404 that suggests the closest id', async () => {
    const error = await refusedWithoutChange(test, () => test.admin.getPermission('end-cal'));
    expect(error).toMatchObject({ status: 404, code: 'PERMISSION_NOT_FOUND', streamCode: 16 });
    expect(error.message).toContain('did you mean "end-call"?');
  });

  it('createPermission adds a custom permission that grants like a builtin one', async () => {
    const created = await wire.createPermission({
      id: 'end-call-same-team',
      action: 'EndCall',
      same_team: true,
      name: 'End call in own team',
    });
    expect(without(created).permission).toEqual({
      id: 'end-call-same-team',
      name: 'End call in own team',
      description: expect.any(String) as string,
      action: 'EndCall',
      owner: false,
      same_team: true,
      level: 'call',
      custom: true,
    });
    expect((await test.admin.listPermissions()).permissions).toContainEqual(created.permission);
    expect(without(await test.admin.getPermission('end-call-same-team'))).toEqual({
      permission: created.permission,
    });
    await test.admin.updateCallType('default', {
      grants: { call_member: ['read-call', 'join-call', 'end-call-same-team'] },
    });
    expect((await test.admin.getCallType('default')).grants['call_member']).toContain(
      'end-call-same-team',
    );
  });

  it('createPermission refuses taken and builtin ids, bad ids, bad actions and unknown keys', async () => {
    const taken = await refusedWithoutChange(test, () =>
      wire.createPermission({ id: 'end-call-same-team', action: 'EndCall' }),
    );
    expect(taken).toMatchObject({ status: 409, code: 'PERMISSION_EXISTS' });
    const builtin = await refusedWithoutChange(test, () =>
      wire.createPermission({ id: 'end-call', action: 'EndCall' }),
    );
    expect(builtin).toMatchObject({ status: 409, code: 'BUILTIN_REDEFINED' });
    const badId = await refusedWithoutChange(test, () =>
      wire.createPermission({ id: 'End Call', action: 'EndCall' }),
    );
    expect(badId).toMatchObject({ status: 400, code: 'INVALID_NAME' });
    const badAction = await refusedWithoutChange(test, () =>
      wire.createPermission({ id: 'end-call-twice', action: 'EndCal' }),
    );
    expect(badAction).toMatchObject({ status: 400, code: 'UNKNOWN_ACTION' });
    expect(badAction.message).toContain('unknown action "EndCal"');
    const typo = await refusedWithoutChange(test, () =>
      wire.raw('POST', '/api/v2/permissions', {
        id: 'end-call-twice',
        action: 'EndCall',
        same_tem: true,
      }),
    );
    expect(typo).toMatchObject({ status: 400, code: 'UNKNOWN_KEY' });
    expect(typo.message).toContain('did you mean "same_team"?');
    const noAction = await refusedWithoutChange(test, () =>
      wire.raw('POST', '/api/v2/permissions', { id: 'end-call-twice' }),
    );
    expect(noAction).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
  });

  it('updatePermission changes the given fields and keeps the others', async () => {
    const { permission } = await wire.updatePermission('end-call-same-team', {
      description: 'Hosts of the team may end it',
    });
    expect(permission).toMatchObject({
      id: 'end-call-same-team',
      name: 'End call in own team',
      description: 'Hosts of the team may end it',
      action: 'EndCall',
      same_team: true,
    });
    expect((await test.admin.getPermission('end-call-same-team')).permission).toEqual(permission);
  });

  it('updatePermission refuses builtin and unknown ids, other ids in the body and bad actions', async () => {
    const builtin = await refusedWithoutChange(test, () =>
      wire.updatePermission('end-call', { name: 'Finish' }),
    );
    expect(builtin).toMatchObject({ status: 400, code: 'BUILTIN_PERMISSION' });
    const unknown = await refusedWithoutChange(test, () =>
      wire.updatePermission('end-call-same-tem', { name: 'x' }),
    );
    expect(unknown).toMatchObject({ status: 404, code: 'PERMISSION_NOT_FOUND' });
    expect(unknown.message).toContain('did you mean "end-call-same-team"?');
    const otherId = await refusedWithoutChange(test, () =>
      wire.updatePermission('end-call-same-team', { id: 'something-else' }),
    );
    expect(otherId).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    const badAction = await refusedWithoutChange(test, () =>
      wire.updatePermission('end-call-same-team', { action: 'Endcall' }),
    );
    expect(badAction).toMatchObject({ status: 400, code: 'UNKNOWN_ACTION' });
    // Moving a permission granted to a call type to an app-level action breaks that grant.
    const level = await refusedWithoutChange(test, () =>
      wire.updatePermission('end-call-same-team', { action: 'SearchUser' }),
    );
    expect(level).toMatchObject({ status: 400, code: 'PERMISSION_LEVEL_MISMATCH' });
  });

  it('deletePermission is refused while a call type grants it, and for builtin or unknown ids', async () => {
    const inUse = await refusedWithoutChange(test, () =>
      wire.deletePermission('end-call-same-team'),
    );
    expect(inUse).toMatchObject({ status: 409, code: 'PERMISSION_IN_USE' });
    expect(inUse.message).toContain('default');
    const builtin = await refusedWithoutChange(test, () => wire.deletePermission('end-call'));
    expect(builtin).toMatchObject({ status: 400, code: 'BUILTIN_PERMISSION' });
    const unknown = await refusedWithoutChange(test, () => wire.deletePermission('end-call-x'));
    expect(unknown).toMatchObject({ status: 404, code: 'PERMISSION_NOT_FOUND' });
    await test.admin.updateCallType('default', { grants: null });
  });

  it('deletePermission is refused while the app scope grants it', async () => {
    await wire.createPermission({ id: 'search-user-twice', action: 'SearchUser' });
    await test.admin.updateApp({ grants: { admin: ['search-user', 'search-user-twice'] } });
    const inUse = await refusedWithoutChange(test, () =>
      wire.deletePermission('search-user-twice'),
    );
    expect(inUse).toMatchObject({ status: 409, code: 'PERMISSION_IN_USE' });
    expect(inUse.message).toContain('.app');
    await test.admin.updateApp({ grants: null });
    expect(without(await wire.deletePermission('search-user-twice'))).toEqual({
      deleted: 'search-user-twice',
    });
  });

  it("deletePermission is refused while a stored call's overrides only revoke it", async () => {
    await test.admin.call('default', 'standup').getOrCreate({ data: { created_by_id: 'alice' } });
    await test.admin.call('default', 'standup').update({
      config_overrides: { grants: { call_member: ['!end-call-same-team'] } },
    });
    const inUse = await refusedWithoutChange(test, () =>
      wire.deletePermission('end-call-same-team'),
    );
    expect(inUse).toMatchObject({ status: 409, code: 'PERMISSION_IN_USE' });
    expect(inUse.message).toContain('default:standup');
    // An action of another level would change what the stored override means: refused too.
    const level = await refusedWithoutChange(test, () =>
      wire.updatePermission('end-call-same-team', { action: 'SearchUser' }),
    );
    expect(level).toMatchObject({ status: 409, code: 'PERMISSION_IN_USE' });
    await test.admin.call('default', 'standup').update({ config_overrides: null });
  });

  it("deletePermission is refused while a member's own grants name it", async () => {
    await test.admin.call('default', 'retro').getOrCreate({
      data: { created_by_id: 'alice', members: [{ user_id: 'bob' }] },
    });
    await test.admin
      .call('default', 'retro')
      .updateUserPermissions({ user_id: 'bob', grant_permissions: ['end-call-same-team'] });
    const inUse = await refusedWithoutChange(test, () =>
      wire.deletePermission('end-call-same-team'),
    );
    expect(inUse).toMatchObject({ status: 409, code: 'PERMISSION_IN_USE' });
    expect(inUse.message).toContain('member bob of call default:retro');
    await test.admin
      .call('default', 'retro')
      .updateUserPermissions({ user_id: 'bob', revoke_permissions: ['end-call-same-team'] });
    // A member's revoke names it as well (re-creating the id would give it meaning again).
    expect(await rejection(() => wire.deletePermission('end-call-same-team'))).toMatchObject({
      status: 409,
      code: 'PERMISSION_IN_USE',
    });
    await test.server.db.query(`UPDATE call_members SET grants = '[]'`);
    expect(without(await wire.deletePermission('end-call-same-team'))).toEqual({
      deleted: 'end-call-same-team',
    });
    expect(await rejection(() => test.admin.getPermission('end-call-same-team'))).toMatchObject({
      status: 404,
    });
  });
});

describe.each(BACKENDS)('call types over the wire on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'carol' }]);
  });
  afterAll(async () => {
    await test.close();
  });

  it('listCallTypes answers every call type with the grants getCallType answers', async () => {
    const { call_types: callTypes } = await test.admin.listCallTypes();
    expect(Object.keys(callTypes)).toEqual(
      expect.arrayContaining(['audio_room', 'default', 'development', 'livestream']),
    );
    for (const [name, callType] of Object.entries(callTypes)) {
      expect(callType).toMatchObject({ name });
      expect(without(await test.admin.getCallType(name))).toEqual({
        name,
        grants: callType.grants,
      });
    }
  });

  it('createCallType declares a custom type with the grants given, or none', async () => {
    const created: CallTypeAnswer = await test.admin.createCallType({
      name: 'town_hall',
      grants: { user: ['read-call', 'join-call', 'create-call'] },
    });
    expect(without(created)).toEqual({
      name: 'town_hall',
      grants: { user: ['create-call', 'join-call', 'read-call'] },
      created_at: expect.any(String) as string,
      updated_at: created.created_at,
    });
    expect((await test.admin.listCallTypes()).call_types['town_hall']).toEqual(without(created));
    const carol = await test.clientFor('carol');
    const call = await carol.call('town_hall', 'all-hands').getOrCreate();
    expect(call.own_capabilities).toEqual(['create-call', 'join-call', 'read-call']);
    expect(without(await test.admin.createCallType({ name: 'backroom' }))).toMatchObject({
      name: 'backroom',
      grants: {},
    });
  });

  it('call types carry when the API created and last changed them', async () => {
    const before: CallTypeAnswer = await test.admin.getCallType('town_hall');
    const builtin = await test.admin.getCallType('audio_room');
    expect(builtin).not.toHaveProperty('created_at');
    const changed: CallTypeAnswer = await test.admin.updateCallType('town_hall', {
      grants: { user: ['read-call', 'join-call', 'create-call', 'send-audio'] },
    });
    expect(changed.created_at).toBe(before.created_at);
    expect(Date.parse(changed.updated_at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(before.updated_at ?? ''),
    );
    expect(without(await test.admin.getCallType('town_hall'))).toEqual(without(changed));
  });

  it('stores each grants list without repeats, as the grants file resolves it', async () => {
    await test.admin.createCallType({
      name: 'echo_room',
      grants: { user: ['join-call', 'read-call', 'join-call'] },
    });
    await test.admin.updateCallType('echo_room', {
      grants: { call_member: ['join-call', 'join-call', 'read-call'] },
    });
    await permissionWire(test).updateCallOverrides('echo_room', 'keynote', {
      user: ['!join-call', '!join-call'],
    });
    const { spec } = (await test.admin.getLiveGrants()) as { spec: GrantsSpec };
    expect(spec.call_types?.['echo_room']?.grants).toEqual({
      user: ['join-call', 'read-call'],
      call_member: ['join-call', 'read-call'],
    });
    expect(spec.calls?.['echo_room:keynote']?.config_overrides?.grants).toEqual({
      user: ['!join-call'],
    });
    await permissionWire(test).updateCallOverrides('echo_room', 'keynote', null);
    await test.admin.deleteCallType('echo_room');
  });

  it('createCallType refuses existing names, bad names and unknown roles', async () => {
    const taken = await refusedWithoutChange(test, () =>
      test.admin.createCallType({ name: 'town_hall' }),
    );
    expect(taken).toMatchObject({ status: 409, code: 'CALL_TYPE_EXISTS' });
    const builtin = await refusedWithoutChange(test, () =>
      test.admin.createCallType({ name: 'livestream' }),
    );
    expect(builtin).toMatchObject({ status: 409, code: 'CALL_TYPE_EXISTS' });
    const badName = await refusedWithoutChange(test, () =>
      test.admin.createCallType({ name: 'Town Hall' }),
    );
    expect(badName).toMatchObject({ status: 400, code: 'INVALID_NAME' });
    const badRole = await refusedWithoutChange(test, () =>
      test.admin.createCallType({ name: 'stage', grants: { hots: ['read-call'] } }),
    );
    expect(badRole).toMatchObject({ status: 400, code: 'UNKNOWN_ROLE' });
  });

  it('updateCallType of an unknown type is a 404 that suggests the closest type', async () => {
    const typo = await refusedWithoutChange(test, () =>
      test.admin.updateCallType('defualt', { grants: { user: ['read-call'] } }),
    );
    expect(typo).toMatchObject({ status: 404, code: 'CALL_TYPE_NOT_FOUND', streamCode: 16 });
    expect(typo.message).toContain('did you mean "default"?');
    expect(Object.keys((await test.admin.listCallTypes()).call_types)).not.toContain('defualt');
  });

  it('deleteCallType refuses builtin and unknown types and types with stored calls', async () => {
    const builtin = await refusedWithoutChange(test, () => test.admin.deleteCallType('default'));
    expect(builtin).toMatchObject({ status: 400, code: 'BUILTIN_CALL_TYPE' });
    const unknown = await refusedWithoutChange(test, () => test.admin.deleteCallType('townhall'));
    expect(unknown).toMatchObject({ status: 404, code: 'CALL_TYPE_NOT_FOUND' });
    expect(unknown.message).toContain('did you mean "town_hall"?');
    const inUse = await refusedWithoutChange(test, () => test.admin.deleteCallType('town_hall'));
    expect(inUse).toMatchObject({ status: 409, code: 'CALL_TYPE_IN_USE' });
    expect(inUse.message).toContain('town_hall:all-hands');
  });

  it('deleteCallType removes a type no call uses', async () => {
    expect(without(await test.admin.deleteCallType('backroom'))).toEqual({ deleted: 'backroom' });
    expect(Object.keys((await test.admin.listCallTypes()).call_types)).not.toContain('backroom');
    expect(await rejection(() => test.admin.getCallType('backroom'))).toMatchObject({
      status: 404,
      code: 'CALL_TYPE_NOT_FOUND',
    });
    // Once its calls are gone (a hard delete), town_hall goes too.
    await test.server.db.query(`DELETE FROM calls WHERE call_type = 'town_hall'`);
    await test.admin.deleteCallType('town_hall');
    const { spec } = (await test.admin.getLiveGrants()) as { spec: GrantsSpec };
    expect(Object.keys(spec.call_types ?? {})).toEqual([]);
  });
});

describe.each(BACKENDS)('roles over the wire on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'alice' }, { id: 'bob' }, { id: 'dave' }]);
  });
  afterAll(async () => {
    await test.close();
  });

  it("createRole takes Stream's {name} and rolecall's level and description", async () => {
    expect((await test.admin.createRole('special_agent')).role).toEqual({
      name: 'special_agent',
      custom: true,
      level: 'any',
      description: '',
    });
    await test.admin.createRole({ name: 'stage_manager', level: 'call', description: 'Runs it' });
    const { roles } = await test.admin.listRoles();
    expect(roles).toContainEqual({
      name: 'stage_manager',
      custom: true,
      level: 'call',
      description: 'Runs it',
    });
    const typo = await refusedWithoutChange(test, () =>
      test.admin.createRole({ name: 'x_role', levle: 'call' } as never),
    );
    expect(typo).toMatchObject({ status: 400, code: 'UNKNOWN_KEY' });
  });

  it('a call-level role, builtin or custom, is refused as a user role', async () => {
    const builtin = await refusedWithoutChange(test, () =>
      test.admin.upsertUsers([{ id: 'erin', role: 'call_member' }]),
    );
    expect(builtin).toMatchObject({ status: 400, code: 'ROLE_LEVEL_MISMATCH' });
    expect(builtin.message).toContain('call_member');
    const custom = await refusedWithoutChange(test, () =>
      test.admin.upsertUsers([{ id: 'alice', role: 'stage_manager' }]),
    );
    expect(custom).toMatchObject({ status: 400, code: 'ROLE_LEVEL_MISMATCH' });
    expect(custom.message).toContain('stage_manager');
    const partial = await refusedWithoutChange(test, () =>
      test.admin.updateUserPartial({ id: 'alice', set: { role: 'call_member' } }),
    );
    expect(partial).toMatchObject({ status: 400, code: 'ROLE_LEVEL_MISMATCH' });
  });

  it('deleteRole is refused while app or call type grants name the role', async () => {
    await test.admin.updateApp({ grants: { special_agent: ['search-user'] } });
    const app = await refusedWithoutChange(test, () => test.admin.deleteRole('special_agent'));
    expect(app).toMatchObject({ status: 409, code: 'ROLE_HAS_GRANTS' });
    expect(app.message).toContain('.app');
    await test.admin.updateApp({ grants: { special_agent: [] } });
    await test.admin.updateCallType('livestream', { grants: { special_agent: ['read-call'] } });
    const callType = await refusedWithoutChange(test, () => test.admin.deleteRole('special_agent'));
    expect(callType).toMatchObject({ status: 409, code: 'ROLE_HAS_GRANTS' });
    expect(callType.message).toContain('livestream');
    await test.admin.updateCallType('livestream', { grants: null });
  });

  it("deleteRole is refused while a stored call's overrides only revoke for the role", async () => {
    await test.admin.call('default', 'briefing').getOrCreate({ data: { created_by_id: 'alice' } });
    await test.admin.call('default', 'briefing').update({
      config_overrides: { grants: { special_agent: ['!send-video'] } },
    });
    const revoke = await refusedWithoutChange(test, () => test.admin.deleteRole('special_agent'));
    expect(revoke).toMatchObject({ status: 409, code: 'ROLE_HAS_GRANTS' });
    expect(revoke.message).toContain('default:briefing');
    await test.admin.call('default', 'briefing').update({ config_overrides: null });
  });

  it('deleteRole is refused while a non-deleted user has the role, not after', async () => {
    await test.admin.upsertUsers([{ id: 'james_bond', role: 'special_agent' }]);
    const inUse = await refusedWithoutChange(test, () => test.admin.deleteRole('special_agent'));
    expect(inUse).toMatchObject({ status: 409, code: 'ROLE_IN_USE' });
    expect(inUse.message).toContain('james_bond');
    await test.admin.deleteUser('james_bond');
    expect(without(await test.admin.deleteRole('special_agent'))).toEqual({
      deleted: 'special_agent',
      members_reset: 0,
    });
    expect((await test.admin.listRoles()).roles.map((role) => role.name)).not.toContain(
      'special_agent',
    );
    // The id comes back as a new user: nothing of the deleted one, not its now-deleted role.
    const { users } = await test.admin.upsertUsers([{ id: 'james_bond', name: 'James' }]);
    expect(users['james_bond']).toMatchObject({
      role: 'user',
      teams: [],
      name: 'James',
      custom: {},
    });
  });

  it('deleting a call-level role resets its members, so re-creating it revives nothing', async () => {
    await test.admin.updateCallType('default', {
      grants: { stage_manager: ['read-call', 'join-call', 'mute-users'] },
    });
    await test.admin.call('default', 'show').getOrCreate({
      data: { created_by_id: 'alice', members: [{ user_id: 'bob', role: 'stage_manager' }] },
    });
    const bob = await test.clientFor('bob');
    expect((await bob.call('default', 'show').get()).own_capabilities).toContain('mute-users');
    await test.admin.updateCallType('default', { grants: { stage_manager: [] } });
    expect(without(await test.admin.deleteRole('stage_manager'))).toEqual({
      deleted: 'stage_manager',
      members_reset: 1,
    });
    expect((await bob.call('default', 'show').get()).membership?.role).toBe('call_member');
    // The same name again, with the same grants: bob's old membership stays plain.
    await test.admin.createRole({ name: 'stage_manager', level: 'call' });
    await test.admin.updateCallType('default', {
      grants: { stage_manager: ['read-call', 'join-call', 'mute-users'] },
    });
    const after = await bob.call('default', 'show').get();
    expect(after.membership?.role).toBe('call_member');
    expect(after.own_capabilities).not.toContain('mute-users');
  });
});

describe.each(BACKENDS)('grants-file call overrides block deletions on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend, {
      config: {
        spec: {
          version: 1,
          roles: { usher: { level: 'call' } },
          permissions: [{ id: 'pin-own', action: 'PinForEveryone', owner: true }],
          call_types: { town_hall: { grants: { call_member: ['read-call'] } } },
          calls: {
            'town_hall:keynote': {
              config_overrides: { grants: { usher: ['!send-video'], call_member: ['pin-own'] } },
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await test.close();
  });

  it('the role, the permission and the call type stay while the file override names them', async () => {
    const role = await refusedWithoutChange(test, () => test.admin.deleteRole('usher'));
    expect(role).toMatchObject({ status: 409, code: 'ROLE_HAS_GRANTS' });
    expect(role.message).toContain('town_hall:keynote');
    const permission = await refusedWithoutChange(test, () =>
      permissionWire(test).deletePermission('pin-own'),
    );
    expect(permission).toMatchObject({ status: 409, code: 'PERMISSION_IN_USE' });
    expect(permission.message).toContain('town_hall:keynote');
    const callType = await refusedWithoutChange(test, () => test.admin.deleteCallType('town_hall'));
    expect(callType).toMatchObject({ status: 409, code: 'CALL_TYPE_IN_USE' });
    expect(callType.message).toContain('town_hall:keynote');
  });

  it('updateCallOverrides sets or removes the file overrides of one call, then deletions go through', async () => {
    const wire = permissionWire(test);
    const unknownType = await refusedWithoutChange(test, () =>
      wire.updateCallOverrides('townhall', 'keynote', { call_member: ['read-call'] }),
    );
    expect(unknownType).toMatchObject({ status: 400, code: 'UNKNOWN_CALL_TYPE' });
    const conflict = await refusedWithoutChange(test, () =>
      wire.updateCallOverrides('town_hall', 'keynote', { call_member: ['pin-own', '!pin-own'] }),
    );
    expect(conflict).toMatchObject({ status: 400, code: 'CONFLICTING_MODIFIER' });

    const changed = await wire.updateCallOverrides('town_hall', 'keynote', {
      call_member: ['pin-own'],
    });
    expect(without(changed)).toEqual({
      call_type: 'town_hall',
      id: 'keynote',
      grants: { call_member: ['pin-own'] },
    });
    expect(without(await test.admin.deleteRole('usher'))).toEqual({
      deleted: 'usher',
      members_reset: 0,
    });
    await wire.updateCallOverrides('town_hall', 'keynote', null);
    const { spec } = (await test.admin.getLiveGrants()) as { spec: GrantsSpec };
    expect(spec.calls).toBeUndefined();
    await wire.deletePermission('pin-own');
    await test.admin.deleteCallType('town_hall');
    expect(Object.keys((await test.admin.listCallTypes()).call_types)).not.toContain('town_hall');
  });
});

describe.each(BACKENDS)('@stream-io/node-sdk role and call type requests on %s', (backend) => {
  let test: TestServer;
  let stream: StreamClient;

  beforeAll(async () => {
    test = await startTestServer(backend);
    stream = new StreamClient(API_KEY, API_SECRET, { basePath: test.url, timeout: 10_000 });
  });
  afterAll(async () => {
    await test.close();
  });

  it('createRole {name}, createCallType, listCallTypes, deleteCallType and deleteRole work unchanged', async () => {
    await stream.createRole({ name: 'usher' });
    expect((await test.admin.listRoles()).roles).toContainEqual(
      expect.objectContaining({ name: 'usher', custom: true, level: 'any' }),
    );
    const created = await stream.video.createCallType({
      name: 'town_hall',
      grants: { usher: ['read-call', 'join-call'] },
    });
    expect(created.grants).toEqual({ usher: ['join-call', 'read-call'] });
    const { call_types: callTypes } = await stream.video.listCallTypes();
    expect(callTypes['town_hall']?.grants).toEqual({ usher: ['join-call', 'read-call'] });
    await stream.video.deleteCallType({ name: 'town_hall' });
    expect(Object.keys((await test.admin.listCallTypes()).call_types)).not.toContain('town_hall');
    await stream.deleteRole({ name: 'usher' });
    expect((await test.admin.listRoles()).roles.map((role) => role.name)).not.toContain('usher');
  });
});
