// Two servers on one PostgreSQL, each with its caches on (grants, actor rows): a change made
// through one is used by the other for its very next request, with no wait in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type VideoClient } from '../../sdk/clients/index.js';
import { startServer, type RunningServer } from '../../server/index.js';
import {
  API_KEY,
  API_SECRET,
  rejection,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const databaseUrl = process.env['DATABASE_URL'];

describe.runIf(databaseUrl !== undefined)('two servers on one PostgreSQL', () => {
  let serverA: TestServer;
  let serverB: RunningServer;
  const clientOnB = async (userId: string): Promise<VideoClient> =>
    createClient({
      baseUrl: serverB.url,
      apiKey: API_KEY,
      token: await serverA.admin.createToken(userId),
    });

  beforeAll(async () => {
    serverA = await startTestServer('postgres');
    serverB = await startServer({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      port: 0,
      logs: 'silent',
      databaseUrl: serverA.databaseUrl ?? '',
    });
    await serverA.admin.updateApp({ multi_tenant_enabled: true });
    await serverA.admin.upsertUsers([
      { id: 'alice', role: 'user', teams: ['red'] },
      { id: 'bob', role: 'user', teams: ['red'] },
      { id: 'carol', role: 'user', teams: ['blue'] },
    ]);
    await serverA.admin.createRole({ name: 'stage_manager', level: 'call' });
    await serverA.admin.updateCallType('default', {
      grants: { stage_manager: ['read-call', 'join-call', 'mute-users'] },
    });
    await serverA.admin.call('default', 'red-show').getOrCreate({
      data: {
        team: 'red',
        created_by_id: 'alice',
        members: [{ user_id: 'bob', role: 'stage_manager' }],
      },
    });
  });

  afterAll(async () => {
    await serverB.close();
    await serverA.close();
  });

  it('a grant removed through A is gone from B’s very next decision', async () => {
    const bob = await clientOnB('bob');
    // Warms B's caches (grants and bob's row).
    expect((await bob.call('default', 'red-show').get()).own_capabilities).toContain('mute-users');
    await serverA.admin.updateCallType('default', {
      grants: { stage_manager: ['read-call', 'join-call'] },
    });
    expect((await bob.call('default', 'red-show').get()).own_capabilities).not.toContain(
      'mute-users',
    );
    expect(serverB.live.revision).toBe(serverA.server.live.revision);
  });

  it('a user’s teams changed through A are used by B’s next request', async () => {
    const carol = await clientOnB('carol');
    expect((await rejection(() => carol.call('default', 'red-show').get())).status).toBe(404);
    await serverA.admin.updateUserPartial({ id: 'carol', set: { teams: ['red'] } });
    const state = await carol.call('default', 'red-show').get();
    expect(state.call.id).toBe('red-show');
    await serverA.admin.updateUserPartial({ id: 'carol', set: { teams: ['blue'] } });
    expect((await rejection(() => carol.call('default', 'red-show').get())).status).toBe(404);
  });

  it('a user deleted through A has its token refused by B', async () => {
    const alice = await clientOnB('alice');
    expect((await alice.me()).id).toBe('alice');
    await serverA.admin.deleteUser('alice');
    expect(await rejection(() => alice.me())).toMatchObject({ status: 401, code: 'UNKNOWN_USER' });
  });
});
