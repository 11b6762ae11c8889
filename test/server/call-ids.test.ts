// Call ids share one namespace (as in Stream), so create-or-fetch tells a client whether an id is
// taken. `callIds: 'any'` (the default) keeps Stream's behaviour; `callIds: 'team-prefixed'`
// makes a client create a call in team T only with an id `T:…`, and an id `T:…` only in team T,
// so one tenant cannot take another's ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken } from '../../sdk/clients/index.js';
import { startServer } from '../../server/index.js';
import {
  API_KEY,
  API_SECRET,
  expectStreamError,
  startTestServer,
  type TestServer,
} from '../support/server.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function setUp(test: TestServer): Promise<{ red: string; blue: string; server: string }> {
  await test.admin.updateApp({ multi_tenant_enabled: true });
  await test.admin.upsertUsers([
    { id: 'alice', teams: ['red'] },
    { id: 'bob', teams: ['blue'] },
  ]);
  return {
    red: await test.admin.createToken('alice'),
    blue: await test.admin.createToken('bob'),
    server: await createServerToken(API_SECRET),
  };
}

function sender(test: TestServer) {
  return async (token: string, id: string, data?: Record<string, unknown>): Promise<Answer> => {
    const response = await fetch(`${test.url}/api/v2/video/call/default/${id}?api_key=${API_KEY}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(data === undefined ? {} : { data }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status >= 400) expectStreamError(response.status, body);
    return { status: response.status, body };
  };
}

describe("callIds: 'any' (the default)", () => {
  let test: TestServer;
  let tokens: { red: string; blue: string; server: string };
  let create: ReturnType<typeof sender>;

  beforeAll(async () => {
    test = await startTestServer('pglite');
    tokens = await setUp(test);
    create = sender(test);
  });
  afterAll(async () => {
    await test.close();
  });

  it('lets a client pick any id, prefixed or not, and tells it an id is taken (the probe)', async () => {
    expect((await create(tokens.red, 'weekly', { team: 'red' })).status).toBe(201);
    expect((await create(tokens.red, 'red:standup', { team: 'red' })).status).toBe(201);
    expect((await create(tokens.red, 'blue:squatted', { team: 'red' })).status).toBe(201);
    // One namespace: blue asking for red's id learns it is taken (404), not free (201).
    const taken = await create(tokens.blue, 'weekly', { team: 'blue' });
    const free = await create(tokens.blue, 'monthly', { team: 'blue' });
    expect([taken.status, free.status]).toEqual([404, 201]);
  });
});

describe("callIds: 'team-prefixed'", () => {
  let test: TestServer;
  let tokens: { red: string; blue: string; server: string };
  let create: ReturnType<typeof sender>;

  beforeAll(async () => {
    test = await startTestServer('pglite', { callIds: 'team-prefixed' });
    tokens = await setUp(test);
    create = sender(test);
  });
  afterAll(async () => {
    await test.close();
  });

  it('refuses a client call in a team whose id does not start with "TEAM:"', async () => {
    for (const id of ['weekly', 'blue:weekly', 'redx:weekly', 'red-weekly']) {
      const answer = await create(tokens.red, id, { team: 'red' });
      expect([answer.status, answer.body['reason']], id).toEqual([
        400,
        'CALL_ID_NOT_TEAM_PREFIXED',
      ]);
      expect(answer.body['message'], id).toBe(
        'a call in team "red" needs an id that starts with "red:" (e.g. "red:" and a random UUID)',
      );
    }
    const answer = await create(tokens.red, 'red:weekly', { team: 'red' });
    expect(answer.status).toBe(201);
    expect((answer.body['call'] as { id: string; team: string }).team).toBe('red');
  });

  it('keeps a team prefix for calls in that team: blue cannot take red:… ids', async () => {
    const teamless = await create(tokens.blue, 'red:squat');
    expect([teamless.status, teamless.body['reason']]).toEqual([400, 'CALL_ID_NOT_TEAM_PREFIXED']);
    const inBlue = await create(tokens.blue, 'red:squat', { team: 'blue' });
    expect([inBlue.status, inBlue.body['reason']]).toEqual([400, 'CALL_ID_NOT_TEAM_PREFIXED']);
    // Naming red as the team is red's to decide: the policy refuses blue.
    const inRed = await create(tokens.blue, 'red:squat', { team: 'red' });
    expect([inRed.status, inRed.body['reason']]).toEqual([403, 'TEAM_MISMATCH']);
    expect(await test.server.db.query("SELECT id FROM calls WHERE id = 'red:squat'")).toEqual([]);
    expect((await create(tokens.blue, 'blue:squat', { team: 'blue' })).status).toBe(201);
  });

  it('leaves the back end free, and existing calls readable whatever their id', async () => {
    const legacy = await create(tokens.server, 'legacy-call', {
      team: 'red',
      created_by_id: 'alice',
    });
    expect(legacy.status).toBe(201);
    const fetched = await create(tokens.red, 'legacy-call', { team: 'red' });
    expect([fetched.status, (fetched.body['call'] as { id: string }).id]).toEqual([
      200,
      'legacy-call',
    ]);
    const read = await fetch(
      `${test.url}/api/v2/video/call/default/legacy-call?api_key=${API_KEY}`,
      {
        headers: { authorization: `Bearer ${tokens.red}` },
      },
    );
    expect(read.status).toBe(200);
  });

  it('sets per-call overrides on a prefixed call (an id the grants file cannot name)', async () => {
    const call = test.admin.call('default', 'red:weekly');
    await call.update({ config_overrides: { grants: { user: ['!join-call'] } } });
    const { call: stored } = await call.get();
    expect(stored.config_overrides).toEqual({ grants: { user: ['!join-call'] } });
  });
});

it('startServer refuses an unknown callIds rule', async () => {
  await expect(
    startServer({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      logs: 'silent',
      callIds: 'prefixed' as 'team-prefixed',
    }),
  ).rejects.toThrow('callIds is "any" or "team-prefixed", not "prefixed"');
});
