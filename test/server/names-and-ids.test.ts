// Names and ids that come from requests: the names of JavaScript's own object properties
// (`toString`, `constructor`, `__proto__`, …) are looked up as own properties, so they name no
// role, call type or permission unless one was created with that name; ids use one charset
// (letters, digits, `@`, `_`, `-`), so `.` and `..` are refused.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken } from '../../sdk/clients/index.js';
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

const PROTOTYPE_NAMES = [
  'toString',
  'valueOf',
  'hasOwnProperty',
  'constructor',
  '__proto__',
  'isPrototypeOf',
  '__defineGetter__',
];

describe('names and ids from requests', () => {
  let test: TestServer;
  let server: string;
  let alice: string;

  /** A raw HTTP request: the path is sent as written (fetch would resolve `..` away). */
  function send(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
    const url = new URL(test.url);
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path: `${path}?api_key=${API_KEY}`,
          headers: {
            authorization: `Bearer ${token}`,
            ...(text === undefined ? {} : { 'content-type': 'application/json' }),
          },
        },
        (response) => {
          let received = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (received += chunk));
          response.on('end', () => {
            const answer = {
              status: response.statusCode ?? 0,
              body: received === '' ? {} : (JSON.parse(received) as Record<string, unknown>),
            };
            try {
              if (answer.status >= 400) expectStreamError(answer.status, answer.body);
              resolve(answer);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(text);
    });
  }

  async function snapshot(): Promise<string> {
    const db = test.server.db;
    return JSON.stringify({
      users: await db.query('SELECT id, role FROM users ORDER BY id'),
      calls: await db.query('SELECT call_type, id FROM calls ORDER BY call_type, id'),
      members: await db.query('SELECT call_id, user_id, role, grants FROM call_members'),
      revision: test.server.live.revision,
    });
  }

  beforeAll(async () => {
    test = await startTestServer('pglite');
    await test.admin.upsertUsers([{ id: 'alice', teams: ['red'] }]);
    await test.admin.call('default', 'red-call').getOrCreate({
      data: { team: 'red', created_by_id: 'alice', members: [{ user_id: 'alice' }] },
    });
    server = await createServerToken(API_SECRET);
    alice = await test.admin.createToken('alice');
  });
  afterAll(async () => {
    await test.close();
  });

  it('no prototype name is a call type: reads are 404, creating a call there is 404', async () => {
    const before = await snapshot();
    for (const name of PROTOTYPE_NAMES) {
      const read = await send(server, 'GET', `/api/v2/video/calltypes/${name}`);
      expect([read.status, read.body['reason']], name).toEqual([404, 'CALL_TYPE_NOT_FOUND']);
      for (const token of [alice, server]) {
        const created = await send(token, 'POST', `/api/v2/video/call/${name}/x-call`, {
          data: { created_by_id: 'alice' },
        });
        expect([created.status, created.body['reason']], name).toEqual([
          404,
          'CALL_TYPE_NOT_FOUND',
        ]);
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('no prototype name is a role: delete is 404, create is 400', async () => {
    const before = await snapshot();
    for (const name of PROTOTYPE_NAMES) {
      const deleted = await send(server, 'DELETE', `/api/v2/roles/${name}`);
      expect([deleted.status, deleted.body['reason']], name).toEqual([404, 'NOT_FOUND']);
      // The compiler's name rule refuses them all, `constructor` by name (never "already exists").
      const created = await send(server, 'POST', '/api/v2/roles', { name });
      expect([created.status, created.body['reason']], name).toEqual([400, 'INVALID_NAME']);
    }
    for (const role of ['toString', 'constructor', 'valueOf']) {
      const user = await send(server, 'POST', '/api/v2/users', { users: [{ id: 'u1', role }] });
      expect([user.status, user.body['reason']], role).toEqual([400, 'UNKNOWN_ROLE']);
      const member = await send(server, 'POST', '/api/v2/video/call/default/red-call/members', {
        update_members: [{ user_id: 'alice', role }],
      });
      expect([member.status, member.body['reason']], role).toEqual([400, 'UNKNOWN_ROLE']);
    }
    expect(await snapshot()).toBe(before);
  });

  it('"constructor", the one lower-case name every JavaScript object has, is no name', async () => {
    const before = await snapshot();
    const role = await send(server, 'POST', '/api/v2/roles', {
      name: 'constructor',
      level: 'user',
    });
    expect([role.status, role.body['reason']]).toEqual([400, 'INVALID_NAME']);
    const callType = await send(server, 'POST', '/api/v2/video/calltypes', { name: 'constructor' });
    expect([callType.status, callType.body['reason']]).toEqual([400, 'INVALID_NAME']);
    expect(await snapshot()).toBe(before);
  });

  it('a call type named __proto__ is refused as a name, and the stored grants stay plain', async () => {
    const revision = test.server.live.revision;
    for (const name of ['__proto__', 'toString']) {
      // Stream's CreateCallType: the name rule refuses it (never "already exists").
      const created = await send(server, 'POST', '/api/v2/video/calltypes', {
        name,
        grants: { user: ['join-call'] },
      });
      expect([created.status, created.body['reason']], name).toEqual([400, 'INVALID_NAME']);
      // UpdateCallType only changes an existing call type, and no prototype name is one.
      const updated = await send(server, 'PUT', `/api/v2/video/calltypes/${name}`, {
        grants: { user: ['join-call'] },
      });
      expect([updated.status, updated.body['reason']], name).toEqual([404, 'CALL_TYPE_NOT_FOUND']);
    }
    expect(test.server.live.revision).toBe(revision);
    const spec = test.server.live.snapshot.spec;
    expect(Object.getPrototypeOf(spec.call_types ?? {})).toBe(Object.prototype);
  });

  it('no prototype name is a permission', async () => {
    for (const permission of PROTOTYPE_NAMES) {
      const answer = await send(
        server,
        'POST',
        '/api/v2/video/call/default/red-call/user_permissions',
        {
          user_id: 'alice',
          grant_permissions: [permission],
        },
      );
      expect([answer.status, answer.body['reason']], permission).toEqual([
        400,
        'UNKNOWN_PERMISSION',
      ]);
    }
  });

  it('a body key that would reach a prototype is refused in words, not as broken JSON', async () => {
    const custom = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    const answer = await send(server, 'POST', '/api/v2/users', { users: [{ id: 'pat', custom }] });
    expect([answer.status, answer.body['reason'], answer.body['message']]).toEqual([
      400,
      'INVALID_REQUEST',
      'the body has a "__proto__" key or a "constructor" key holding "prototype", which the server refuses; rename the key',
    ]);
    expect(await test.server.db.query("SELECT id FROM users WHERE id = 'pat'")).toEqual([]);
    // Broken JSON keeps its own words.
    const broken = await fetch(`${test.url}/api/v2/users?api_key=${API_KEY}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server}`, 'content-type': 'application/json' },
      body: '{"users": [',
    });
    const brokenBody = (await broken.json()) as Record<string, unknown>;
    expect(broken.status).toBe(400);
    expect(String(brokenBody['message'])).toMatch(/not valid JSON/);
  });

  it('a user id made of id characters is a key like any other, __proto__ included', async () => {
    const answer = await send(server, 'POST', '/api/v2/users', { users: [{ id: '__proto__' }] });
    expect(answer.status).toBe(200);
    const users = answer.body['users'] as Record<string, { id: string }>;
    expect(Object.hasOwn(users, '__proto__')).toBe(true);
    expect(Object.keys(users)).toEqual(['__proto__']);
    const deleted = await send(server, 'POST', '/api/v2/users/delete', {
      user_ids: ['__proto__'],
    });
    expect(deleted.status).toBe(200);
    const deletedUsers = deleted.body['users'] as Record<string, { id: string }>;
    expect(Object.keys(deletedUsers)).toEqual(['__proto__']);
    expect(Object.hasOwn(deletedUsers, '__proto__')).toBe(true);
  });

  it('refuses . and .. (and any id outside the charset) as user and call ids with 400', async () => {
    const before = await snapshot();
    for (const id of ['.', '..', 'a.b', 'a/b', 'a b', 'é', 'x'.repeat(256)]) {
      const upsert = await send(server, 'POST', '/api/v2/users', { users: [{ id }] });
      expect([upsert.status, upsert.body['reason']], id).toEqual([400, 'INVALID_ID']);
      const member = await send(server, 'POST', '/api/v2/video/call/default/red-call/members', {
        update_members: [{ user_id: id }],
      });
      expect([member.status, member.body['reason']], id).toEqual([400, 'INVALID_ID']);
      const creator = await send(server, 'POST', '/api/v2/video/call/default/new-call', {
        data: { created_by_id: id },
      });
      expect([creator.status, creator.body['reason']], id).toEqual([400, 'INVALID_ID']);
    }
    for (const id of ['.', '..']) {
      for (const [token, method, path, body] of [
        [server, 'PATCH', '/api/v2/users', { users: [{ id, set: { name: 'x' } }] }],
        [server, 'POST', '/api/v2/users/delete', { user_ids: [id] }],
        [alice, 'POST', `/api/v2/video/call/default/${id}`, { data: { team: 'red' } }],
        [alice, 'GET', `/api/v2/video/call/default/${id}`, undefined],
        [alice, 'PATCH', `/api/v2/video/call/default/${id}`, { custom: {} }],
        [alice, 'POST', `/api/v2/video/call/default/${id}/join`, undefined],
        [alice, 'POST', `/api/v2/video/call/default/${id}/members`, { remove_members: ['alice'] }],
      ] as const) {
        const answer = await send(token, method, path, body);
        expect([answer.status, answer.body['reason']], `${method} ${path}`).toEqual([
          400,
          'INVALID_ID',
        ]);
      }
    }
    expect(await snapshot()).toBe(before);
  });
});
