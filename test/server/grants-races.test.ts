// Deletions of roles and call types racing writes that name them (on PostgreSQL each request has
// its own connection, so they truly interleave; PGlite runs them one after the other). Whatever
// the order, nothing is left naming what was deleted: a member or user role, a call's type.
// One of two racing requests may be refused; test/server/persistence.test.ts holds that writes
// racing unrelated grants changes all succeed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const ROUNDS = 12;

describe.each(BACKENDS)('grants changes racing the writes that name them on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'alice' }, { id: 'bob' }]);
    await test.admin
      .call('default', 'stage')
      .getOrCreate({ data: { created_by_id: 'alice', members: [{ user_id: 'bob' }] } });
  });
  afterAll(async () => {
    await test.close();
  });

  const roleNames = async (): Promise<Set<string>> =>
    new Set((await test.admin.listRoles()).roles.map((role) => role.name));

  it('deleteRole against a member role and a user role: no deleted role stays assigned', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const callRole = `stage_hand_${String(round)}`;
      const userRole = `night_shift_${String(round)}`;
      await test.admin.createRole({ name: callRole, level: 'call' });
      await test.admin.createRole({ name: userRole, level: 'user' });
      await Promise.allSettled([
        test.admin.deleteRole(callRole),
        test.admin
          .call('default', 'stage')
          .updateCallMembers({ update_members: [{ user_id: 'bob', role: callRole }] }),
        test.admin.deleteRole(userRole),
        test.admin.upsertUsers([{ id: 'alice', role: userRole }]),
      ]);
      const roles = await roleNames();
      const [member] = await test.server.db.query<{ role: string }>(
        "SELECT role FROM call_members WHERE call_type = 'default' AND call_id = 'stage' AND user_id = 'bob'",
      );
      expect(roles.has(member?.role ?? ''), `round ${String(round)}: bob is ${member?.role}`).toBe(
        true,
      );
      const [user] = await test.server.db.query<{ role: string }>(
        "SELECT role FROM users WHERE id = 'alice'",
      );
      expect(roles.has(user?.role ?? ''), `round ${String(round)}: alice is ${user?.role}`).toBe(
        true,
      );
      // Back to builtin roles, so the next round's deletions are not refused as in use.
      await test.admin
        .call('default', 'stage')
        .updateCallMembers({ update_members: [{ user_id: 'bob', role: 'call_member' }] });
      await test.admin.upsertUsers([{ id: 'alice', role: 'user' }]);
    }
  });

  it('deleteCallType against a call created with that type: no call of a deleted type', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const name = `pop_up_${String(round)}`;
      await test.admin.createCallType({ name });
      await Promise.allSettled([
        test.admin.deleteCallType(name),
        test.admin.call(name, 'only').getOrCreate({ data: { created_by_id: 'alice' } }),
      ]);
      const types = new Set(Object.keys((await test.admin.listCallTypes()).call_types));
      const calls = await test.server.db.query<{ call_type: string }>(
        'SELECT call_type FROM calls WHERE call_type = $1 AND deleted_at IS NULL',
        [name],
      );
      if (calls.length > 0) expect(types.has(name), `round ${String(round)}`).toBe(true);
    }
  });

  it('two createRole of one name: one is created, the other refused', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const name = `twin_${String(round)}`;
      const answers = await Promise.allSettled([
        test.admin.createRole({ name, level: 'call' }),
        test.admin.createRole({ name, level: 'user' }),
      ]);
      expect(
        answers.filter((answer) => answer.status === 'fulfilled'),
        `round ${String(round)}`,
      ).toHaveLength(1);
    }
  });
});
