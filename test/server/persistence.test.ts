// Storage and live grants: data survives a restart with --data-dir, a failed request changes
// nothing, the bundle is served with ETag/304 and decides like the server (checked by real OPA),
// a grants file at start logs what it replaced, and every decision is logged OPA-style.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpaOrThrow } from '../../scripts/opa.js';
import { readBundle } from '../../sdk/bundle.js';
import { createServerToken } from '../../sdk/clients/token.js';
import {
  API_KEY,
  API_SECRET,
  BACKENDS,
  rejection,
  startTestServer,
  type TestServer,
} from '../support/server.js';

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-server-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('persistence with --data-dir', () => {
  it('keeps users, calls, members and grants across a restart', async () => {
    const dataDir = path.join(workDir, 'pgdata');
    const first = await startTestServer('pglite', { dataDir });
    try {
      await first.admin.updateApp({ multi_tenant_enabled: true });
      await first.admin.createRole({ name: 'special_agent', level: 'user' });
      await first.admin.upsertUsers([{ id: 'james', role: 'special_agent', teams: ['mi6'] }]);
      await first.admin.call('default', 'briefing').getOrCreate({
        data: {
          team: 'mi6',
          created_by_id: 'james',
          members: [{ user_id: 'james', role: 'host' }],
        },
      });
    } finally {
      await first.close();
    }
    const second = await startTestServer('pglite', { dataDir });
    try {
      expect((await second.admin.getApp()).app.multi_tenant_enabled).toBe(true);
      expect((await second.admin.listRoles()).roles.map((role) => role.name)).toContain(
        'special_agent',
      );
      const { users } = await second.admin.queryUsers({
        payload: { filter_conditions: { id: 'james' } },
      });
      expect(users).toMatchObject([{ id: 'james', role: 'special_agent', teams: ['mi6'] }]);
      const call = await second.admin.call('default', 'briefing').get();
      expect(call.members).toEqual([{ user_id: 'james', role: 'host', grants: [] }]);
      const james = await second.clientFor('james');
      expect((await james.call('default', 'briefing').get()).own_capabilities).toContain(
        'end-call',
      );
    } finally {
      await second.close();
    }
  });
});

describe.each(BACKENDS)('transactions and the served bundle on %s', (backend) => {
  let test: TestServer;
  const lines: string[] = [];

  beforeAll(async () => {
    test = await startTestServer(backend, { logs: { write: (line) => lines.push(line) } });
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([{ id: 'alice', name: 'Alice', teams: ['red'] }]);
  });
  afterAll(async () => {
    await test.close();
  });

  it('a request refused halfway changes nothing', async () => {
    const alice = await test.clientFor('alice');
    // The first user is allowed (own name), the second is not (CreateUser is server-only).
    const error = await rejection(() =>
      alice.upsertUsers([
        { id: 'alice', name: 'Changed' },
        { id: 'newbie', teams: ['red'] },
      ]),
    );
    expect(error).toMatchObject({ status: 403, code: 'SERVER_ONLY' });
    const { users } = await test.admin.queryUsers({ payload: { filter_conditions: {} } });
    expect(users.map((user) => [user.id, user.name])).toEqual([['alice', 'Alice']]);
  });

  it('serves concurrent reads, writes and grant changes without losing any', async () => {
    const alice = await test.clientFor('alice');
    const work: Promise<unknown>[] = [];
    for (let index = 0; index < 20; index += 1) {
      work.push(alice.call('default', `parallel-${index}`).getOrCreate({ data: { team: 'red' } }));
      work.push(alice.queryUsers({ payload: { filter_conditions: {} } }));
      if (index % 5 === 0)
        work.push(test.admin.updateCallType('livestream', { grants: { guest: [`read-call`] } }));
    }
    // The same new call asked for many times at once: created once, found by the others.
    for (let index = 0; index < 5; index += 1) {
      work.push(alice.call('default', 'same-call').getOrCreate({ data: { team: 'red' } }));
    }
    const answers = await Promise.all(work);
    const created = answers.filter(
      (answer) =>
        (answer as { call?: { id?: string }; created?: boolean }).call?.id === 'same-call',
    );
    expect(created.map((answer) => (answer as { created: boolean }).created).sort()).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    const { calls } = await test.admin.video.queryCalls({
      filter_conditions: { id: { $autocomplete: 'parallel' } },
      limit: 100,
    });
    expect(calls.map((call) => call.call.id).sort()).toEqual(
      Array.from({ length: 20 }, (_, index) => `parallel-${index}`).sort(),
    );
  });

  it('invalid grants through the API are refused and leave the live grants alone', async () => {
    const before = (await test.admin.getApp()).app;
    const error = await rejection(() => test.admin.updateApp({ grants: { user: ['search-usr'] } }));
    expect(error).toMatchObject({ status: 400, code: 'UNKNOWN_PERMISSION' });
    const unknownRole = await rejection(() =>
      test.admin.updateCallType('default', { grants: { ghost: ['read-call'] } }),
    );
    expect(unknownRole).toMatchObject({ status: 400, code: 'UNKNOWN_ROLE' });
    expect((await test.admin.getApp()).app).toEqual(before);
  });

  it('serves the bundle only to a caller with the API key and a valid token', async () => {
    const userToken = await test.admin.createToken('alice');
    const serverToken = await createServerToken(API_SECRET);
    for (const resource of ['bundle.tar.gz', 'data.json']) {
      const refused = [
        await fetch(`${test.url}/${resource}`),
        await fetch(`${test.url}/${resource}?api_key=${API_KEY}`),
        await fetch(`${test.url}/${resource}`, {
          headers: { authorization: `Bearer ${userToken}` },
        }),
        await fetch(`${test.url}/${resource}?api_key=${API_KEY}`, {
          headers: {
            authorization: `Bearer ${await createServerToken('another-secret-long-enough-for-hs256')}`,
          },
        }),
      ];
      expect(
        refused.map((response) => response.status),
        resource,
      ).toEqual([401, 401, 401, 401]);
      for (const token of [userToken, serverToken]) {
        const served = await fetch(`${test.url}/${resource}`, {
          headers: { authorization: `Bearer ${token}`, 'x-api-key': API_KEY },
        });
        expect(served.status, resource).toBe(200);
        await served.arrayBuffer();
      }
    }
  });

  it('serves data.json exactly as the bundle holds it, with the permission index', async () => {
    const headers = {
      authorization: `Bearer ${await createServerToken(API_SECRET)}`,
      'x-api-key': API_KEY,
    };
    const served = (await (await fetch(`${test.url}/data.json`, { headers })).json()) as unknown;
    const bundle = readBundle(
      new Uint8Array(await (await fetch(`${test.url}/bundle.tar.gz`, { headers })).arrayBuffer()),
    );
    expect(served).toEqual(bundle.data);
    expect(served).toHaveProperty('rolecall_data.permissions_by_action.JoinCall');
  });

  it('serves the bundle with its revision as ETag, 304 when unchanged, a new one after a change', async () => {
    const serverToken = await createServerToken(API_SECRET);
    const fetch = (url: string, init: { headers?: Record<string, string> } = {}) =>
      globalThis.fetch(url, {
        headers: { ...init.headers, authorization: `Bearer ${serverToken}`, 'x-api-key': API_KEY },
      });
    const first = await fetch(`${test.url}/bundle.tar.gz`);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const etag = first.headers.get('etag');
    const revision = (await test.admin.getApp()).app.revision;
    expect(etag).toBe(`"${revision}"`);
    const again = await fetch(`${test.url}/bundle.tar.gz`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);
    await test.admin.updateCallType('default', { grants: { guest: [] } });
    const changed = await fetch(`${test.url}/bundle.tar.gz`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    // The real OPA reads the served bundle and decides what the server decides.
    const bundlePath = path.join(workDir, `served-${backend}.tar.gz`);
    await writeFile(bundlePath, new Uint8Array(await changed.arrayBuffer()));
    const input = {
      subject: { id: 'alice', role: 'guest', teams: ['red'] },
      action: 'JoinCall',
      resource: { kind: 'call', call_type: 'default', id: 'x', team: 'red', created_by_id: 'bob' },
    };
    const inputPath = path.join(workDir, `input-${backend}.json`);
    await writeFile(inputPath, JSON.stringify(input));
    const stdout = await runOpaOrThrow([
      'eval',
      '-f',
      'json',
      '-b',
      bundlePath,
      '-i',
      inputPath,
      'data.rolecall.decision',
    ]);
    const opaDecision = (
      JSON.parse(stdout) as {
        result: { expressions: { value: { allow: boolean; reason: string } }[] }[];
      }
    ).result[0]?.expressions[0]?.value;
    const live = await test.server.live.evaluator.evaluate('rolecall/decision', input);
    expect(opaDecision).toEqual(live);
    expect(live.allow).toBe(false); // guest lost join-call in `default`
  });

  it('logs one OPA-shaped line per decision and one line per request', async () => {
    lines.length = 0;
    const alice = await test.clientFor('alice');
    await alice.queryUsers({ payload: { filter_conditions: {} } });
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const decisions = entries.filter((entry) => entry['msg'] === 'decision');
    expect(decisions.length).toBeGreaterThanOrEqual(1);
    const filterDecision = decisions.find((entry) => entry['path'] === 'rolecall/query_filter');
    expect(String(filterDecision?.['decision_id'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(filterDecision).toMatchObject({
      revision: (await test.admin.getApp()).app.revision,
      input: {
        subject: { id: 'alice', teams: ['red'] },
        action: 'QueryUsers',
        context: { side: 'client' },
      },
      result: { allow: true, reason: 'WITHIN_TEAMS' },
    });
    const requests = entries.filter(
      (entry) => entry['msg'] === 'request' && entry['url'] === '/api/v2/users',
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', status: 200 });
    expect(JSON.stringify(requests[0])).not.toContain(API_KEY);
  });
});

describe('--config at start', () => {
  it('applies the grants file over the stored state and logs what it replaced as drift', async () => {
    const dataDir = path.join(workDir, 'drift');
    const text =
      'version: 1\napp:\n  multi_tenant_enabled: true\ncall_types:\n  default:\n    grants:\n      guest: []\n';
    const config = { file: 'rolecall.yaml', text };
    const first = await startTestServer('pglite', { dataDir, config });
    try {
      expect((await first.admin.getCallType('default')).grants['guest']).toBeUndefined();
      // A live change through the API…
      await first.admin.updateCallType('default', { grants: { guest: ['read-call'] } });
      expect((await first.admin.getCallType('default')).grants['guest']).toEqual(['read-call']);
    } finally {
      await first.close();
    }
    const lines: string[] = [];
    const second = await startTestServer('pglite', {
      dataDir,
      config,
      logs: { write: (line) => lines.push(line) },
    });
    try {
      // …is replaced by the file at the next start, and the log says so.
      expect((await second.admin.getCallType('default')).grants['guest']).toBeUndefined();
      const drift = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry['drift'] !== undefined);
      expect(drift.map((entry) => entry['drift'])).toContainEqual({
        path: 'spec.call_types.default.grants.guest',
        stored: ['read-call'],
        file: [],
      });
    } finally {
      await second.close();
    }
  });

  it("logs the file's warnings as rolecall check reports them, and starts", async () => {
    const lines: string[] = [];
    // An empty override list changes nothing: EMPTY_OVERRIDE, a warning.
    const text =
      'version: 1\ncalls:\n  "default:weekly":\n    config_overrides:\n      grants:\n        user: []\n';
    const server = await startTestServer('pglite', {
      config: { file: 'rolecall.yaml', text },
      logs: { write: (line) => lines.push(line) },
    });
    try {
      expect((await server.admin.getApp()).app).toBeDefined();
      const warnings = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry['code'] === 'EMPTY_OVERRIDE');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ file: 'rolecall.yaml', line: 6, level: 40 });
      expect(String(warnings[0]?.['msg'])).toMatch(/^grants file warning: /);
    } finally {
      await server.close();
    }
  });

  it('refuses to start on an invalid grants file', async () => {
    const config = {
      file: 'broken.yaml',
      text: 'version: 1\napp:\n  grants:\n    user: [join-cal]\n',
    };
    await expect(startTestServer('pglite', { config })).rejects.toThrow(/UNKNOWN_PERMISSION/);
  });
});
