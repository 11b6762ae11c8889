// Every statement of the multi-tenant seed, end to end: SDK clients → HTTP → reference server →
// policy (WASM) → SQL, on embedded PGlite (and PostgreSQL when DATABASE_URL is set).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoClient } from '../../sdk/clients/index.js';
import {
  API_KEY,
  BACKENDS,
  expectStreamError,
  rejection,
  startTestServer,
  usersQueryPath,
  type TestServer,
} from '../support/server.js';

const ids = (rows: { id: string }[]): string[] => rows.map((row) => row.id).sort();
const cids = (rows: { call: { cid: string } }[]): string[] =>
  rows.map((row) => row.call.cid).sort();

describe.each(BACKENDS)('multi-tenant seed on %s', (backend) => {
  let test: TestServer;
  let alice: VideoClient; // red
  let bob: VideoClient; // blue
  let sara: VideoClient; // red + blue
  let tom: VideoClient; // no team

  beforeAll(async () => {
    test = await startTestServer(backend);
    const { admin } = test;
    // Multi-tenant is off until the app enables it (the seed's getApp / updateApp).
    expect((await admin.getApp()).app.multi_tenant_enabled).toBe(false);
    const updated = await admin.updateApp({ multi_tenant_enabled: true });
    expect(updated.app.multi_tenant_enabled).toBe(true);
    expect((await admin.getApp()).app.multi_tenant_enabled).toBe(true);
    await admin.upsertUsers([
      { id: 'alice', name: 'Alice', teams: ['red'] },
      { id: 'bob', name: 'Bob', teams: ['blue'] },
      { id: 'sara', name: 'Sara', teams: ['red', 'blue'] },
      { id: 'tom', name: 'Tom' },
      { id: 'tom-red', name: 'Tom Red', teams: ['red'] },
      { id: 'nick-red', name: 'Nick', teams: ['red'] },
      { id: 'nick-green', name: 'Nick', teams: ['green'] },
      { id: 'nick-none', name: 'Nick' },
    ]);
    alice = await test.clientFor('alice');
    bob = await test.clientFor('bob');
    sara = await test.clientFor('sara');
    tom = await test.clientFor('tom');
    await admin
      .call('default', 'red-weekly')
      .getOrCreate({ data: { team: 'red', created_by_id: 'alice' } });
    await admin
      .call('default', 'blue-weekly')
      .getOrCreate({ data: { team: 'blue', created_by_id: 'bob' } });
    await admin.call('default', 'open-lobby').getOrCreate({ data: { created_by_id: 'tom' } });
  });
  afterAll(async () => {
    await test.close();
  });

  describe('user teams', () => {
    it('users are created server side with up to 250 teams of up to 100 characters', async () => {
      const many = Array.from({ length: 250 }, (_, index) => `team-${index}`);
      const { users } = await test.admin.upsertUsers([{ id: 'busy', teams: many }]);
      expect(users['busy']?.teams).toHaveLength(250);
      const tooMany = await rejection(() =>
        test.admin.upsertUsers([{ id: 'busier', teams: [...many, 'one-more'] }]),
      );
      expect(tooMany).toMatchObject({ status: 400, code: 'TOO_MANY_TEAMS' });
      const long = await rejection(() =>
        test.admin.upsertUsers([{ id: 'longer', teams: ['x'.repeat(101)] }]),
      );
      expect(long).toMatchObject({ status: 400, code: 'TEAM_NAME_TOO_LONG' });
      const { users: ok } = await test.admin.upsertUsers([
        { id: 'longest', teams: ['x'.repeat(100)] },
      ]);
      expect(ok['longest']?.teams[0]).toHaveLength(100);
      await test.admin.deleteUser('busy');
      await test.admin.deleteUser('longest');
    });

    it('a user cannot create users or pick its own team client side', async () => {
      const create = await rejection(() => alice.upsertUsers([{ id: 'mallory', teams: ['red'] }]));
      expect(create).toMatchObject({ status: 403, code: 'SERVER_ONLY' });
      const ownTeams = await rejection(() =>
        alice.updateUserPartial({ id: 'alice', set: { teams: ['blue'] } }),
      );
      expect(ownTeams).toMatchObject({ status: 403, code: 'SERVER_ONLY' });
      // Update own user excludes role (the seed): the owner grant does not reach it.
      const ownRole = await rejection(() =>
        alice.updateUserPartial({ id: 'alice', set: { role: 'admin' } }),
      );
      expect(ownRole).toMatchObject({ status: 403, code: 'FORBIDDEN_FIELD' });
      // Own name is fine (update-user-owner).
      const { user } = await alice.updateUserPartial({ id: 'alice', set: { name: 'Alice R.' } });
      expect(user.name).toBe('Alice R.');
      expect(user.teams).toEqual(['red']);
    });

    it('a user of another team is not found, for reads and writes alike', async () => {
      const write = await rejection(() =>
        bob.updateUserPartial({ id: 'alice', set: { name: 'pwned' } }),
      );
      expect(write).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      const missing = await rejection(() =>
        bob.updateUserPartial({ id: 'nobody-at-all', set: { name: 'x' } }),
      );
      expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    });
  });

  describe('calls of a team', () => {
    it('a team user must name a team when creating a call', async () => {
      const error = await rejection(() => alice.call('default', 'no-team').getOrCreate());
      expect(error).toMatchObject({ status: 403, code: 'TEAM_REQUIRED' });
      const created = await alice
        .call('default', 'red-standup')
        .getOrCreate({ data: { team: 'red', created_by_id: 'alice' } });
      expect(created.created).toBe(true);
      expect(created.call).toMatchObject({
        team: 'red',
        created_by_id: 'alice',
        cid: 'default:red-standup',
      });
    });

    it('a user cannot create a call in a team it is not part of, nor for someone else', async () => {
      const error = await rejection(() =>
        alice.call('default', 'sneaky').getOrCreate({ data: { team: 'blue' } }),
      );
      expect(error).toMatchObject({ status: 403, code: 'TEAM_MISMATCH' });
      const forBob = await rejection(() =>
        alice
          .call('default', 'sneaky-2')
          .getOrCreate({ data: { team: 'red', created_by_id: 'bob' } }),
      );
      expect(forBob).toMatchObject({ status: 403, code: 'SERVER_ONLY' });
    });

    it('a user only connects to calls of its teams; others answer 404', async () => {
      const red = await alice.call('default', 'red-weekly').get();
      expect(red.call.team).toBe('red');
      expect(red.own_capabilities).toContain('read-call');
      expect(red.own_capabilities).toContain('join-call');
      expect(red.call.config.grants['call_member']).toContain('send-audio');
      for (const call of ['blue-weekly', 'open-lobby']) {
        const error = await rejection(() => alice.call('default', call).get());
        expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      }
      // getOrCreate of another tenant's call does not reveal it either.
      const other = await rejection(() =>
        alice.call('default', 'blue-weekly').getOrCreate({ data: { team: 'red' } }),
      );
      expect(other).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      // Joining follows the same rule (JoinCall), and answers 404 across tenants too.
      expect((await alice.call('default', 'red-weekly').join()).joined).toBe(true);
      expect(await rejection(() => bob.call('default', 'red-weekly').join())).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
      });
      // A user in both teams reaches both.
      expect((await sara.call('default', 'red-weekly').get()).call.team).toBe('red');
      expect((await sara.call('default', 'blue-weekly').get()).call.team).toBe('blue');
    });

    it('cross-team mutations are refused as not found, even server-only ones', async () => {
      for (const fields of [
        { custom: { topic: 'x' } },
        { config_overrides: { grants: { user: ['!read-call'] } } },
        { team: 'red' },
      ]) {
        const error = await rejection(() => bob.call('default', 'red-weekly').update(fields));
        expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      }
      const members = await rejection(() =>
        bob
          .call('default', 'red-weekly')
          .updateCallMembers({ update_members: [{ user_id: 'bob' }] }),
      );
      expect(members).toMatchObject({ status: 404 });
      const state = await test.admin.call('default', 'red-weekly').get();
      expect(state.call.custom).toEqual({});
      expect(state.members).toEqual([]);
    });

    it('within its team a user may update its own call but not move it to another team', async () => {
      const updated = await alice
        .call('default', 'red-weekly')
        .update({ custom: { topic: 'planning' } });
      expect(updated.call.custom).toEqual({ topic: 'planning' });
      const move = await rejection(() =>
        alice.call('default', 'red-weekly').update({ team: 'blue' }),
      );
      expect(move).toMatchObject({ status: 403, code: 'SERVER_ONLY' });
    });
    it('member lists cannot probe users of another tenant', async () => {
      await test.admin
        .call('default', 'red-weekly')
        .updateCallMembers({ update_members: [{ user_id: 'alice', role: 'host' }] });
      const call = alice.call('default', 'red-weekly');
      const foreign = await rejection(() =>
        call.updateCallMembers({ update_members: [{ user_id: 'bob' }] }),
      );
      const missing = await rejection(() =>
        call.updateCallMembers({ update_members: [{ user_id: 'ghost' }] }),
      );
      expect(foreign).toMatchObject({ status: 400, code: 'UNKNOWN_USER' });
      expect(missing).toMatchObject({ status: 400, code: 'UNKNOWN_USER' });
      const added = await call.updateCallMembers({ update_members: [{ user_id: 'tom-red' }] });
      expect(added.members.map((member) => [member.user_id, member.role])).toEqual([
        ['alice', 'host'],
        ['tom-red', 'call_member'],
      ]);
    });
  });

  describe('team-less users', () => {
    it('reach only calls and users without a team', async () => {
      expect((await tom.call('default', 'open-lobby').get()).call.team).toBeNull();
      const error = await rejection(() => tom.call('default', 'red-weekly').get());
      expect(error).toMatchObject({ status: 404 });
      const created = await tom.call('default', 'tom-call').getOrCreate();
      expect(created.call.team).toBeNull();
      const { calls } = await tom.video.queryCalls();
      expect(cids(calls)).toEqual(['default:open-lobby', 'default:tom-call']);
      const { users } = await tom.queryUsers({ payload: { filter_conditions: {} } });
      expect(ids(users)).toEqual(['nick-none', 'tom']);
      const cannot = await rejection(() =>
        tom.call('default', 'tom-team-call').getOrCreate({ data: { team: 'red' } }),
      );
      expect(cannot).toMatchObject({ status: 403, code: 'TEAM_MISMATCH' });
    });
  });

  describe('user search', () => {
    it('by default returns only users of the subject teams', async () => {
      const { users } = await alice.queryUsers({ payload: { filter_conditions: {} } });
      expect(ids(users)).toEqual(['alice', 'nick-red', 'sara', 'tom-red']);
      const both = await sara.queryUsers({ payload: { filter_conditions: {} } });
      expect(ids(both.users)).toEqual(['alice', 'bob', 'nick-red', 'sara', 'tom-red']);
    });

    it('{teams: {}} asks for users of all teams', async () => {
      const { users } = await alice.queryUsers({ payload: { filter_conditions: { teams: {} } } });
      expect(ids(users)).toEqual([
        'alice',
        'bob',
        'nick-green',
        'nick-none',
        'nick-red',
        'sara',
        'tom',
        'tom-red',
      ]);
    });

    it('filters by name and team, and finds team-less users with teams: null', async () => {
      const named = await alice.queryUsers({
        payload: { filter_conditions: { name: 'Nick', teams: { $in: ['red', 'blue'] } } },
      });
      expect(ids(named.users)).toEqual(['nick-red']);
      const teamless = await alice.queryUsers({
        payload: { filter_conditions: { name: 'Tom', teams: null } },
      });
      expect(ids(teamless.users)).toEqual(['tom']);
    });

    it('a nested team condition does not escape the injected filter', async () => {
      const { users } = await alice.queryUsers({
        payload: {
          filter_conditions: {
            $or: [{ teams: { $in: ['blue', 'green'] } }, { id: 'bob' }, { teams: null }],
          },
        },
      });
      // Sara is in blue and in red: the only blue user alice may see.
      expect(ids(users)).toEqual(['sara']);
      const nor = await alice.queryUsers({
        payload: { filter_conditions: { $nor: [{ teams: 'red' }] } },
      });
      expect(nor.users).toEqual([]);
    });

    it('the server injects the team filter itself for a raw HTTP client', async () => {
      const token = await test.admin.createToken('alice');
      const response = await fetch(
        `${test.url}${usersQueryPath({
          filter_conditions: { $or: [{ teams: 'green' }, { name: 'Tom Red' }, { name: 'Nick' }] },
        })}&api_key=${API_KEY}`,
        { headers: { authorization: token, 'stream-auth-type': 'jwt' } },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { users: { id: string }[] };
      expect(ids(body.users)).toEqual(['nick-red', 'tom-red']);
      const unknownOperator = await fetch(
        `${test.url}${usersQueryPath({
          filter_conditions: { $or: [{ name: { $regex: '.*' } }] },
        })}&api_key=${API_KEY}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(unknownOperator.status).toBe(400);
      const problem: unknown = await unknownOperator.json();
      expect(problem).toMatchObject({ reason: 'INVALID_FILTER', StatusCode: 400, code: 4 });
      expectStreamError(400, problem, 'INVALID_FILTER');
    });

    it('a strict tenant setup refuses cross-team search with CROSS_TEAM_QUERY', async () => {
      await test.admin.updateApp({
        grants: { user: ['search-user-same-team', 'query-calls-same-team', 'update-user-owner'] },
      });
      await alice.refreshPolicy();
      try {
        const client = await rejection(() =>
          alice.queryUsers({ payload: { filter_conditions: { teams: {} } } }),
        );
        // Refused before it left the client, once its bundle has the new grants.
        expect([client.status, client.code, client.origin]).toEqual([
          403,
          'CROSS_TEAM_QUERY',
          'client',
        ]);
        const token = await test.admin.createToken('alice');
        const raw = await fetch(
          `${test.url}${usersQueryPath({
            filter_conditions: { teams: { $in: ['blue'] } },
          })}&api_key=${API_KEY}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        expect(raw.status).toBe(403);
        const problem: unknown = await raw.json();
        expect(problem).toMatchObject({ reason: 'CROSS_TEAM_QUERY' });
        expectStreamError(403, problem, 'CROSS_TEAM_QUERY');
        const within = await alice.queryUsers({ payload: { filter_conditions: { teams: 'red' } } });
        expect(ids(within.users)).toEqual(['alice', 'nick-red', 'sara', 'tom-red']);
      } finally {
        await test.admin.updateApp({ grants: null });
        await alice.refreshPolicy();
      }
    });
  });

  describe('query calls', () => {
    it('returns only calls of the subject teams, with own_capabilities and effective grants', async () => {
      const { calls } = await alice.video.queryCalls();
      expect(cids(calls)).toEqual(['default:red-standup', 'default:red-weekly']);
      for (const call of calls) {
        expect(call.own_capabilities).toContain('read-call');
        expect(call.call.config.grants['host']?.length).toBeGreaterThan(0);
      }
      const sarasCalls = await sara.video.queryCalls();
      expect(cids(sarasCalls.calls)).toEqual([
        'default:blue-weekly',
        'default:red-standup',
        'default:red-weekly',
      ]);
    });

    it('naming another team lists its calls, as the seed says, and reading one by id stays 404', async () => {
      // The builtin user role holds the any-team query-calls: naming a team (or all of them with
      // {team: {}}) lists the calls of that team the user may read (DESIGN §5, Listing).
      const blue = await alice.video.queryCalls({ filter_conditions: { team: 'blue' } });
      expect(cids(blue.calls)).toEqual(['default:blue-weekly']);
      const teamless = await alice.video.queryCalls({ filter_conditions: { team: null } });
      expect(cids(teamless.calls)).toEqual(['default:open-lobby', 'default:tom-call']);
      const allTeams = await alice.video.queryCalls({ filter_conditions: { team: {} } });
      expect(cids(allTeams.calls)).toEqual([
        'default:blue-weekly',
        'default:open-lobby',
        'default:red-standup',
        'default:red-weekly',
        'default:tom-call',
      ]);
      // Without a team field the filter stays inside the user's teams.
      const own = await alice.video.queryCalls({ filter_conditions: {} });
      expect(cids(own.calls)).toEqual(['default:red-standup', 'default:red-weekly']);
      // Reading or joining a listed call of another team is still refused as not found.
      const read = await rejection(() => alice.call('default', 'blue-weekly').get());
      expect(read).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      const join = await rejection(() => alice.call('default', 'blue-weekly').join());
      expect(join).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    });
  });

  describe('calls by member', () => {
    it('finds the calls a user is a member of, inside the subject teams only', async () => {
      const mine = await alice.video.queryCalls({ filter_conditions: { members: 'alice' } });
      expect(cids(mine.calls)).toEqual(['default:red-weekly']);
      expect(
        (
          await bob.video.queryCalls({
            filter_conditions: { members: { $in: ['alice', 'tom-red'] } },
          })
        ).calls,
      ).toEqual([]);
    });
  });

  describe('server side', () => {
    it('is unrestricted: any team, no injection', async () => {
      const { users } = await test.admin.queryUsers({
        payload: { filter_conditions: { teams: { $in: ['blue'] } } },
      });
      expect(ids(users)).toEqual(['bob', 'sara']);
      const all = await test.admin.queryUsers({ payload: { filter_conditions: {}, limit: 100 } });
      expect(all.users.length).toBe(8);
      const teamless = await test.admin.video.queryCalls({ filter_conditions: { team: null } });
      expect(cids(teamless.calls)).toEqual(['default:open-lobby', 'default:tom-call']);
      const everything = await test.admin.video.queryCalls({ limit: 100 });
      expect(everything.calls.length).toBe(5);
      expect((await test.admin.call('default', 'blue-weekly').get()).call.team).toBe('blue');
      const moved = await test.admin.call('default', 'tom-call').update({ team: 'green' });
      expect(moved.call.team).toBe('green');
      expect(cids((await tom.video.queryCalls()).calls)).toEqual(['default:open-lobby']);
    });
  });

  describe('local policy', () => {
    it('can and capabilities match what the server enforces', async () => {
      const call = alice.call('default', 'red-weekly');
      const state = await call.get();
      expect(await call.capabilities()).toEqual(state.own_capabilities);
      expect(await call.can('ReadCall')).toBe(true);
      expect(await call.can('UpdateCall', { changes: ['config_overrides'] })).toBe(false);
      expect(
        await alice.can('ReadCall', {
          kind: 'call',
          call_type: 'default',
          id: 'blue-weekly',
          team: 'blue',
          created_by_id: 'bob',
        }),
      ).toBe(false);
    });

    it('a policy load that failed is tried again on the next call', async () => {
      // The token names a user the server does not know yet, so loading the policy fails: the
      // UI hints fail closed, and a query rejects with the server's refusal…
      const late = await test.clientFor('late-comer');
      expect(await late.call('default', 'open-lobby').capabilities()).toEqual([]);
      const first = await rejection(() => late.video.queryCalls());
      expect(first.status).toBeGreaterThanOrEqual(400);
      // …and once the user exists, the same client loads it instead of repeating the failure.
      await test.admin.upsertUsers([{ id: 'late-comer', name: 'Late' }]);
      expect(
        await late.can('ReadCall', { kind: 'call', call_type: 'default', id: 'open-lobby' }),
      ).toBe(true);
    });
  });
});
