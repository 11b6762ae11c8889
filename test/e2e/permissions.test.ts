// The role-management rules of the Permissions v2 seed, end to end through the SDK clients:
// custom roles, deletion refusals, ≤25 custom roles, scope patches, config_overrides and member
// roles server-only, and per-member grants letting one audience member speak in an audio room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, rejection, startTestServer, type TestServer } from '../support/server.js';

describe.each(BACKENDS)('permissions seed on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([
      { id: 'alice', name: 'Alice' },
      { id: 'bob', name: 'Bob' },
      { id: 'carol', name: 'Carol' },
      { id: 'james_bond', name: 'James' },
    ]);
  });
  afterAll(async () => {
    await test.close();
  });

  it('with multi-tenant off, teams do not separate users or calls', async () => {
    expect((await test.admin.getApp()).app.multi_tenant_enabled).toBe(false);
    await test.admin.upsertUsers([
      { id: 'red-user', teams: ['red'] },
      { id: 'blue-user', teams: ['blue'] },
    ]);
    await test.admin
      .call('default', 'blue-call')
      .getOrCreate({ data: { team: 'blue', created_by_id: 'blue-user' } });
    const red = await test.clientFor('red-user');
    const { users } = await red.queryUsers({
      payload: { filter_conditions: { id: { $in: ['red-user', 'blue-user'] } } },
    });
    expect(users.map((user) => user.id).sort()).toEqual(['blue-user', 'red-user']);
    expect((await red.call('default', 'blue-call').join()).call.team).toBe('blue');
    await test.admin.deleteUser('red-user');
    await test.admin.deleteUser('blue-user');
  });

  it('lists permissions with id, name, description, action, owner and same_team', async () => {
    const { permissions } = await test.admin.listPermissions();
    const byId = new Map(permissions.map((permission) => [permission.id, permission]));
    expect(byId.get('update-call-owner')).toMatchObject({
      action: 'UpdateCall',
      owner: true,
      same_team: false,
    });
    expect(byId.get('search-user-same-team')).toMatchObject({
      action: 'SearchUser',
      owner: false,
      same_team: true,
    });
    for (const permission of permissions) {
      expect(typeof permission.name).toBe('string');
      expect(typeof permission.description).toBe('string');
    }
  });

  it('a custom role needs only a name and does nothing until granted', async () => {
    const { role } = await test.admin.createRole('special_agent');
    expect(role).toMatchObject({ name: 'special_agent', custom: true });
    expect((await test.admin.listRoles()).roles).toContainEqual(
      expect.objectContaining({ name: 'special_agent', custom: true }),
    );
    await test.admin.updateUserPartial({ id: 'james_bond', set: { role: 'special_agent' } });
    const james = await test.clientFor('james_bond');
    const refused = await rejection(() => james.queryUsers({ payload: { filter_conditions: {} } }));
    expect(refused).toMatchObject({ status: 403, code: 'NOT_GRANTED' });
    await test.admin.updateApp({ grants: { special_agent: ['search-user'] } });
    await james.refreshPolicy();
    const { users } = await james.queryUsers({ payload: { filter_conditions: { name: 'Alice' } } });
    expect(users.map((user) => user.id)).toEqual(['alice']);
  });

  it('builtin roles cannot be redefined or deleted', async () => {
    expect(await rejection(() => test.admin.createRole('admin'))).toMatchObject({
      status: 409,
      code: 'BUILTIN_REDEFINED',
    });
    expect(await rejection(() => test.admin.deleteRole('call_member'))).toMatchObject({
      status: 400,
      code: 'BUILTIN_ROLE',
    });
    expect(await rejection(() => test.admin.deleteRole('no_such_role'))).toMatchObject({
      status: 404,
    });
  });

  it('deleteRole is refused while the role has grants or a non-deleted user has it', async () => {
    const withGrants = await rejection(() => test.admin.deleteRole('special_agent'));
    expect(withGrants).toMatchObject({ status: 409, code: 'ROLE_HAS_GRANTS' });
    await test.admin.updateApp({ grants: { special_agent: [] } });
    const inUse = await rejection(() => test.admin.deleteRole('special_agent'));
    expect(inUse).toMatchObject({ status: 409, code: 'ROLE_IN_USE' });
    await test.admin.deleteUser('james_bond');
    expect(await test.admin.deleteRole('special_agent')).toEqual({
      deleted: 'special_agent',
      members_reset: 0,
      duration: expect.any(String) as unknown,
    });
    expect((await test.admin.listRoles()).roles.map((role) => role.name)).not.toContain(
      'special_agent',
    );
  });

  it('a call-level role may be deleted while members still hold it', async () => {
    await test.admin.createRole({ name: 'stage_manager', level: 'call' });
    await test.admin.updateCallType('default', {
      grants: { stage_manager: ['read-call', 'join-call', 'mute-users'] },
    });
    const state = await test.admin.call('default', 'show').getOrCreate({
      data: { created_by_id: 'alice', members: [{ user_id: 'bob', role: 'stage_manager' }] },
    });
    expect(state.members).toEqual([{ user_id: 'bob', role: 'stage_manager', grants: [] }]);
    const bob = await test.clientFor('bob');
    expect((await bob.call('default', 'show').get()).own_capabilities).toContain('mute-users');
    const withGrants = await rejection(() => test.admin.deleteRole('stage_manager'));
    expect(withGrants).toMatchObject({ status: 409, code: 'ROLE_HAS_GRANTS' });
    await test.admin.updateCallType('default', { grants: { stage_manager: [] } });
    expect(await test.admin.deleteRole('stage_manager')).toEqual({
      deleted: 'stage_manager',
      members_reset: 1,
      duration: expect.any(String) as unknown,
    });
    // Bob stays a member, reset to Stream's default member role: the deleted role's grants are
    // gone, and re-creating the role later gives him nothing back.
    const after = await bob.call('default', 'show').get();
    expect(after.membership?.role).toBe('call_member');
    expect(after.own_capabilities).not.toContain('mute-users');
    await test.admin.createRole({ name: 'stage_manager', level: 'call' });
    await test.admin.updateCallType('default', {
      grants: { stage_manager: ['read-call', 'join-call', 'mute-users'] },
    });
    const revived = await bob.call('default', 'show').get();
    expect(revived.membership?.role).toBe('call_member');
    expect(revived.own_capabilities).not.toContain('mute-users');
  });

  it('updateCallType changes only the roles it names; [] clears a role; null resets the scope', async () => {
    const defaults = (await test.admin.getCallType('livestream')).grants;
    expect(defaults['host']?.length).toBeGreaterThan(0);
    await test.admin.updateCallType('livestream', {
      grants: { call_member: ['read-call', 'join-call'], guest: [] },
    });
    const patched = (await test.admin.getCallType('livestream')).grants;
    expect(patched['call_member']).toEqual(['join-call', 'read-call']);
    expect(patched['guest']).toBeUndefined();
    expect(patched['host']).toEqual(defaults['host']);
    expect(patched['user']).toEqual(defaults['user']);
    await test.admin.updateCallType('livestream', { grants: null });
    expect((await test.admin.getCallType('livestream')).grants).toEqual(defaults);
    expect(await rejection(() => test.admin.getCallType('no_such_type'))).toMatchObject({
      status: 404,
    });
  });

  it('createCallType creates a custom call type; updateCallType null leaves it no grants', async () => {
    expect(await rejection(() => test.admin.getCallType('town_hall'))).toMatchObject({
      status: 404,
    });
    // Stream's UpdateCallType changes an existing call type only: a typo is a 404, not a new type.
    expect(
      await rejection(() =>
        test.admin.updateCallType('town_hall', { grants: { user: ['read-call'] } }),
      ),
    ).toMatchObject({ status: 404, code: 'CALL_TYPE_NOT_FOUND' });
    await test.admin.createCallType({
      name: 'town_hall',
      grants: { user: ['read-call', 'join-call', 'create-call'] },
    });
    expect((await test.admin.getCallType('town_hall')).grants).toEqual({
      user: ['create-call', 'join-call', 'read-call'],
    });
    const carol = await test.clientFor('carol');
    const created = await carol.call('town_hall', 'all-hands').getOrCreate();
    expect(created.own_capabilities).toEqual(['create-call', 'join-call', 'read-call']);
    await test.admin.updateCallType('town_hall', { grants: null });
    expect((await test.admin.getCallType('town_hall')).grants).toEqual({});
    expect(await rejection(() => carol.call('town_hall', 'all-hands').get())).toMatchObject({
      status: 403,
      code: 'NOT_GRANTED',
    });
  });

  it('anonymous users never write, whatever they are granted', async () => {
    await test.admin.upsertUsers([{ id: 'visitor', role: 'anonymous' }]);
    await test.admin.updateCallType('default', {
      grants: { anonymous: ['read-call', 'create-call'] },
    });
    const visitor = await test.clientFor('visitor');
    const error = await rejection(() => visitor.call('default', 'visitor-call').getOrCreate());
    expect(error).toMatchObject({ status: 403, code: 'ANONYMOUS_READ_ONLY' });
    await test.admin.updateCallType('default', { grants: { anonymous: ['read-call'] } });
    await test.admin.deleteUser('visitor');
  });

  it('updateApp grants patch the .app scope the same way', async () => {
    const before = (await test.admin.getApp()).app.grants;
    await test.admin.updateApp({ grants: { guest: [], anonymous: [] } });
    const after = (await test.admin.getApp()).app.grants;
    expect(after['guest']).toBeUndefined();
    expect(after['anonymous']).toBeUndefined();
    expect(after['user']).toEqual(before['user']);
    await test.admin.updateApp({ grants: null });
    expect((await test.admin.getApp()).app.grants).toEqual(before);
  });

  it('config_overrides are set server side only, with ! revokes, and show in config.grants', async () => {
    await test.admin.call('livestream', 'example').getOrCreate({
      data: { created_by_id: 'alice', members: [{ user_id: 'carol' }] },
    });
    const carol = await test.clientFor('carol');
    const client = await rejection(() =>
      carol
        .call('livestream', 'example')
        .update({ config_overrides: { grants: { call_member: ['create-reaction'] } } }),
    );
    expect(client).toMatchObject({ status: 403, code: 'SERVER_ONLY' });
    const before = await carol.call('livestream', 'example').get();
    const updated = await test.admin.call('livestream', 'example').update({
      config_overrides: {
        grants: {
          call_member: ['!read-call', 'create-reaction'],
          user: ['!send-video', 'create-reaction'],
        },
      },
    });
    expect(updated.call.config.grants['call_member']).toContain('create-reaction');
    expect(updated.call.config.grants['call_member']).not.toContain('read-call');
    expect(updated.call.config.grants['user'] ?? []).not.toContain('send-video');
    const after = await carol.call('livestream', 'example').get();
    // call_member lost read-call; carol still reads the call through her user role.
    expect(after.own_capabilities).toContain('create-reaction');
    expect(after.own_capabilities).toContain('read-call');
    const invalid = await rejection(() =>
      test.admin
        .call('livestream', 'example')
        .update({ config_overrides: { grants: { user: ['!send-vidoe'] } } }),
    );
    expect(invalid).toMatchObject({ status: 400, code: 'UNKNOWN_PERMISSION' });
    const conflicting = await rejection(() =>
      test.admin
        .call('livestream', 'example')
        .update({ config_overrides: { grants: { user: ['send-video', '!send-video'] } } }),
    );
    expect(conflicting.status).toBe(400);
    await test.admin.call('livestream', 'example').update({ config_overrides: null });
    expect((await carol.call('livestream', 'example').get()).call.config.grants).toEqual(
      before.call.config.grants,
    );
  });

  it('member roles are changed server side only', async () => {
    await test.admin.call('default', 'standup').getOrCreate({
      data: { created_by_id: 'alice', members: [{ user_id: 'bob' }, { user_id: 'carol' }] },
    });
    const bob = await test.clientFor('bob');
    const promote = await rejection(() =>
      bob
        .call('default', 'standup')
        .updateCallMembers({ update_members: [{ user_id: 'bob', role: 'host' }] }),
    );
    expect(promote).toMatchObject({ status: 403, code: 'SERVER_ONLY' });
    expect((await bob.call('default', 'standup').get()).own_capabilities).not.toContain('end-call');
    await test.admin
      .call('default', 'standup')
      .updateCallMembers({ update_members: [{ user_id: 'bob', role: 'host' }] });
    const promoted = await bob.call('default', 'standup').get();
    expect(promoted.membership?.role).toBe('host');
    expect(promoted.own_capabilities).toContain('end-call');
    const wrongLevel = await rejection(() =>
      test.admin
        .call('default', 'standup')
        .updateCallMembers({ update_members: [{ user_id: 'carol', role: 'admin' }] }),
    );
    expect(wrongLevel).toMatchObject({ status: 400, code: 'ROLE_LEVEL_MISMATCH' });
  });

  it('updateUserPermissions lets one audience member speak in an audio room', async () => {
    await test.admin.call('audio_room', 'town-hall').getOrCreate({
      data: {
        created_by_id: 'alice',
        members: [{ user_id: 'alice', role: 'host' }, { user_id: 'bob' }, { user_id: 'carol' }],
      },
    });
    const bob = await test.clientFor('bob');
    const carol = await test.clientFor('carol');
    const alice = await test.clientFor('alice');
    expect((await bob.call('audio_room', 'town-hall').get()).own_capabilities).not.toContain(
      'send-audio',
    );
    // An audience member cannot grant itself the floor.
    const self = await rejection(() =>
      bob
        .call('audio_room', 'town-hall')
        .updateUserPermissions({ user_id: 'bob', grant_permissions: ['send-audio'] }),
    );
    expect(self).toMatchObject({ status: 403, code: 'NOT_GRANTED' });
    // The host can (UpdateCallPermissions), and only bob gets it.
    await alice
      .call('audio_room', 'town-hall')
      .updateUserPermissions({ user_id: 'bob', grant_permissions: ['send-audio'] });
    const bobCall = bob.call('audio_room', 'town-hall');
    const bobState = await bobCall.get();
    expect(bobState.own_capabilities).toContain('send-audio');
    expect(bobState.membership?.grants).toEqual(['send-audio']);
    expect(await bobCall.can('SendAudio')).toBe(true);
    expect((await carol.call('audio_room', 'town-hall').get()).own_capabilities).not.toContain(
      'send-audio',
    );
    // Revoking takes the floor back.
    await test.admin
      .call('audio_room', 'town-hall')
      .updateUserPermissions({ user_id: 'bob', revoke_permissions: ['send-audio'] });
    expect((await bob.call('audio_room', 'town-hall').get()).own_capabilities).not.toContain(
      'send-audio',
    );
    const notMember = await rejection(() =>
      test.admin
        .call('audio_room', 'town-hall')
        .updateUserPermissions({ user_id: 'james_bond', grant_permissions: ['send-audio'] }),
    );
    expect(notMember).toMatchObject({ status: 404, code: 'MEMBER_NOT_FOUND' });
  });
});

describe('custom role limit', () => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer('pglite');
  });
  afterAll(async () => {
    await test.close();
  });

  it('allows 25 custom roles and refuses the 26th', async () => {
    for (let index = 0; index < 25; index += 1) await test.admin.createRole(`role_${index}`);
    const error = await rejection(() => test.admin.createRole('role_25'));
    expect(error).toMatchObject({ status: 400, code: 'TOO_MANY_ROLES' });
    expect((await test.admin.listRoles()).roles.filter((role) => role.custom)).toHaveLength(25);
  });
});
