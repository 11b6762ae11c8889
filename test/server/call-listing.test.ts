// queryCalls listing (DESIGN §5, "Listing"; seed 000): the query filter decides the team, and
// each row still needs a read-call grant for the subject in that call's scope (call type grants,
// call overrides, membership). `{team: {}}` with the any-team permission lists every team's
// readable calls; joining, reading one call by id and every other action stay team-bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoClient } from '../../sdk/clients/index.js';
import { BACKENDS, rejection, startTestServer, type TestServer } from '../support/server.js';

const cids = (answer: { calls: { call: { cid: string } }[] }): string[] =>
  answer.calls.map((state) => state.call.cid).sort();

describe.each(BACKENDS)('queryCalls listing across teams on %s', (backend) => {
  let test: TestServer;
  let sara: VideoClient; // red, role user: query-calls (any team) in .app
  let gus: VideoClient; // red, role guest: only query-calls-same-team

  /** Everything sara may read, of every team, and nothing else. */
  const READABLE_EVERYWHERE = [
    'default:blue-open',
    'default:green-open',
    'default:red-open',
    'locked:blue-member',
  ];

  beforeAll(async () => {
    test = await startTestServer(backend);
    const { admin } = test;
    await admin.updateApp({ multi_tenant_enabled: true });
    await admin.upsertUsers([
      { id: 'sara', teams: ['red'] },
      { id: 'gus', teams: ['red'], role: 'guest' },
      { id: 'bob', teams: ['blue'] },
      { id: 'gina', teams: ['green'] },
    ]);
    // `locked`: only members read its calls; a plain user holds nothing there.
    await admin.createCallType({ name: 'locked', grants: { call_member: ['read-call'] } });
    const create = (type: string, id: string, team: string, creator: string, extra = {}) =>
      admin.call(type, id).getOrCreate({ data: { team, created_by_id: creator, ...extra } });
    await create('default', 'red-open', 'red', 'sara');
    await create('default', 'blue-open', 'blue', 'bob');
    await create('default', 'green-open', 'green', 'gina');
    await create('locked', 'red-locked', 'red', 'sara');
    await create('locked', 'blue-locked', 'blue', 'bob');
    // The membership layer grants read-call on this one.
    await create('locked', 'blue-member', 'blue', 'bob', { members: [{ user_id: 'sara' }] });
    // The call-override layer revokes read-call for the user role on this one.
    await create('default', 'blue-revoked', 'blue', 'bob');
    await admin
      .call('default', 'blue-revoked')
      .update({ config_overrides: { grants: { user: ['!read-call'] } } });
    await create('default', 'blue-deleted', 'blue', 'bob');
    await admin.call('default', 'blue-deleted').delete();
    sara = await test.clientFor('sara');
    gus = await test.clientFor('gus');
  });
  afterAll(async () => {
    await test.close();
  });

  it('without a team field the injected filter lists only readable calls of own teams', async () => {
    expect(cids(await sara.video.queryCalls())).toEqual(['default:red-open']);
    expect(cids(await gus.video.queryCalls())).toEqual(['default:red-open']);
  });

  it('with {team: {}} and query-calls the readable calls of every team are listed', async () => {
    const listed = await sara.video.queryCalls({ filter_conditions: { team: {} } });
    expect(cids(listed)).toEqual(READABLE_EVERYWHERE);
    // A foreign row is not within the subject's reach for anything but being listed.
    const blue = listed.calls.find((state) => state.call.cid === 'default:blue-open');
    expect(blue?.call.team).toBe('blue');
    // Paging counts listed rows only.
    const second = await sara.video.queryCalls({
      filter_conditions: { team: {} },
      sort: [{ field: 'cid', direction: 1 }],
      limit: 1,
      offset: 1,
    });
    expect(cids(second)).toEqual([READABLE_EVERYWHERE[1]]);
  });

  it('calls whose layers give the subject no read-call are not listed, in any team', async () => {
    const listed = cids(await sara.video.queryCalls({ filter_conditions: { team: {} } }));
    for (const hidden of [
      'locked:red-locked', // call type: no read-call for user, sara not a member
      'locked:blue-locked',
      'default:blue-revoked', // call overrides: !read-call for user
      'default:blue-deleted', // soft-deleted
    ]) {
      expect(listed, hidden).not.toContain(hidden);
    }
    expect(listed).toContain('default:red-open');
  });

  it('without the any-team permission {team: {}} is refused CROSS_TEAM_QUERY', async () => {
    const error = await rejection(() => gus.video.queryCalls({ filter_conditions: { team: {} } }));
    expect(error).toMatchObject({ status: 403, code: 'CROSS_TEAM_QUERY' });
    const blue = await rejection(() =>
      gus.video.queryCalls({ filter_conditions: { team: 'blue' } }),
    );
    expect(blue).toMatchObject({ status: 403, code: 'CROSS_TEAM_QUERY' });
  });

  it('a foreign call is still 404 by id, for join and for every action', async () => {
    for (const [type, id] of [
      ['default', 'blue-open'],
      ['locked', 'blue-member'],
    ] as const) {
      const call = sara.call(type, id);
      for (const [name, attempt] of [
        ['get', () => call.get()],
        ['getOrCreate', () => call.getOrCreate({ data: { team: 'red' } })],
        ['join', () => call.join()],
        ['update', () => call.update({ custom: { x: 1 } })],
        ['end', () => call.end()],
      ] as const) {
        expect(await rejection(attempt), `${name} ${id}`).toMatchObject({
          status: 404,
          code: 'NOT_FOUND',
        });
      }
    }
  });
});
