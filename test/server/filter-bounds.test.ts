// Structural limits of a client's filter (size, conditions, list values, depth), checked before
// any decision for every subject: a filter past them is a 400 naming the limit and the path, with
// no query_filter evaluation and no decision-log line; a filter at every limit still answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFilterBounds, FILTER_LIMITS } from '../../server/query/filter-bounds.js';
import { MAX_REQUEST_HEAD_BYTES } from '../../server/app.js';
import { translateFilter } from '../../server/query/filter-sql.js';
import {
  API_KEY,
  BACKENDS,
  expectStreamError,
  startTestServer,
  usersQueryPath,
  type TestServer,
} from '../support/server.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** `count` distinct short values (`v00000`, `v00001`, …). */
const values = (count: number, prefix = 'v'): string[] =>
  Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(5, '0')}`);

/** `{$or: [{$or: [… {id: leaf} …]}]}` with `levels` logical levels below the top object. */
function nestedOr(levels: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let filter = leaf;
  for (let level = 0; level < levels; level += 1) filter = { $or: [filter] };
  return filter;
}

/** Filters past each limit, each ≈ 0.9 MB or cheap to build, with the code and path expected. */
const OVER_LIMITS: { name: string; filter: Record<string, unknown>; code: string; at: string }[] = [
  {
    name: '95,000-value $in (0.9 MB)',
    filter: { id: { $in: values(95_000) } },
    code: 'FILTER_LIST_TOO_LONG',
    at: 'filter_conditions.id.$in lists 95000 values',
  },
  {
    name: 'one 1,000,000-character value',
    filter: { name: 'x'.repeat(1_000_000) },
    code: 'FILTER_TOO_LARGE',
    at: 'filter_conditions is 1000011 bytes of JSON',
  },
  {
    name: '2,000 conditions in an $and',
    filter: { $and: values(FILTER_LIMITS.listValues).map((id) => ({ id, name: id })) },
    code: 'FILTER_TOO_MANY_CONDITIONS',
    at: 'counted up to filter_conditions.$and',
  },
  {
    name: '90,000 empty filters in an $or',
    filter: { $or: Array.from({ length: 90_000 }, () => ({})) },
    code: 'FILTER_LIST_TOO_LONG',
    at: 'filter_conditions.$or lists 90000 values',
  },
  {
    name: 'nested one level too deep',
    filter: nestedOr(FILTER_LIMITS.depth + 1, { id: 'alice' }),
    code: 'FILTER_TOO_DEEP',
    at: `filter_conditions${'.$or[0]'.repeat(FILTER_LIMITS.depth + 1)} nests`,
  },
];

/**
 * Filters past the list, condition and depth limits that still fit in a queryUsers URL (Stream's
 * `GET /api/v2/users?payload=…`, bounded by Node's 16 KiB request head, docs/server.md).
 */
const OVER_LIMITS_IN_A_URL: typeof OVER_LIMITS = [
  {
    name: '1,001-value $in',
    filter: { id: { $in: values(FILTER_LIMITS.listValues + 1) } },
    code: 'FILTER_LIST_TOO_LONG',
    at: `filter_conditions.id.$in lists ${String(FILTER_LIMITS.listValues + 1)} values`,
  },
  {
    name: '201 conditions in an $and',
    filter: { $and: values(FILTER_LIMITS.conditions + 1).map((id) => ({ id })) },
    code: 'FILTER_TOO_MANY_CONDITIONS',
    at: 'counted up to filter_conditions.$and',
  },
  {
    name: 'nested one level too deep',
    filter: nestedOr(FILTER_LIMITS.depth + 1, { id: 'alice' }),
    code: 'FILTER_TOO_DEEP',
    at: `filter_conditions${'.$or[0]'.repeat(FILTER_LIMITS.depth + 1)} nests`,
  },
];

/** The server reads request heads up to 256 KiB (MAX_REQUEST_HEAD_BYTES): keep clear of it. */
const URL_BUDGET = MAX_REQUEST_HEAD_BYTES - 4 * 1024;
const fitsInUrl = (filter: unknown): boolean =>
  usersQueryPath({ filter_conditions: filter }).length <= URL_BUDGET;

describe('checkFilterBounds', () => {
  it.each(OVER_LIMITS_IN_A_URL)('refuses $name (it fits in a URL)', ({ filter, code, at }) => {
    expect(fitsInUrl(filter)).toBe(true);
    const bounds = checkFilterBounds(filter);
    expect(bounds).toMatchObject({ ok: false, code });
    expect(bounds.ok ? '' : bounds.message).toContain(at);
  });

  it.each(OVER_LIMITS)('refuses $name, naming the limit and the path', ({ filter, code, at }) => {
    const bounds = checkFilterBounds(filter);
    expect(bounds).toMatchObject({ ok: false, code });
    expect(bounds.ok ? '' : bounds.message).toContain(at);
  });

  it('counts conditions as the translator does, with room for the injected team condition', () => {
    const atLimit = {
      $and: values(FILTER_LIMITS.conditions - 1).map((id) => ({ id: { $ne: id } })),
      created_at: { $exists: true },
    };
    expect(checkFilterBounds(atLimit)).toEqual({ ok: true });
    const scoped = { ...atLimit, teams: { $in: ['red', 'blue'] } };
    expect(translateFilter('users', scoped).ok).toBe(true);
    const over = { ...atLimit, name: { $ne: 'x' } };
    expect(checkFilterBounds(over)).toMatchObject({ code: 'FILTER_TOO_MANY_CONDITIONS' });
  });

  it('leaves unknown fields, operators and value types to the policy', () => {
    expect(checkFilterBounds({ $where: 'true', custom: { a: 1 }, id: 42 })).toEqual({ ok: true });
  });
});

describe.each(BACKENDS)('filter limits before the policy (%s)', (backend) => {
  let test: TestServer;
  const decisionLines: string[] = [];
  const tokens: Record<string, string> = {};

  async function send(token: string, path: string, body?: unknown): Promise<Answer> {
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(`${test.url}${path}${separator}api_key=${API_KEY}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const answer = {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
    return answer;
  }

  /** Stream's queryUsers: `GET /api/v2/users?payload=<JSON>`. */
  const queryUsers = (token: string, filter: unknown): Promise<Answer> =>
    send(token, usersQueryPath({ filter_conditions: filter }));
  /** Stream Video's queryCalls: `POST /api/v2/video/calls`. */
  const queryCalls = (token: string, filter: unknown): Promise<Answer> =>
    send(token, '/api/v2/video/calls', { filter_conditions: filter });

  beforeAll(async () => {
    test = await startTestServer(backend, {
      decisionLog: 'all',
      logs: {
        write: (line) => {
          if (line.includes('"msg":"decision"')) decisionLines.push(line);
        },
      },
    });
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([
      { id: 'alice', teams: ['red'] },
      { id: 'visitor', role: 'anonymous', teams: ['red'] },
    ]);
    await test.admin
      .call('default', 'red-call')
      .getOrCreate({ data: { team: 'red', created_by_id: 'alice' } });
    tokens['alice'] = await test.admin.createToken('alice');
    tokens['visitor'] = await test.admin.createToken('visitor');
  });
  afterAll(async () => {
    await test.close();
  });

  it.each(['visitor', 'alice'])(
    'refuses filters past each limit from %s with 400, before any decision',
    async (subject) => {
      const token = tokens[subject] ?? '';
      for (const { name, filter, code, at } of [...OVER_LIMITS, ...OVER_LIMITS_IN_A_URL]) {
        // queryCalls takes a body (up to 1 MiB); queryUsers a URL, which Node bounds first.
        const users = fitsInUrl(filter);
        for (const query of users ? [queryUsers, queryCalls] : [queryCalls]) {
          const before = decisionLines.length;
          const answer = await query(token, filter);
          expect([answer.status, answer.body['reason']], name).toEqual([400, code]);
          expectStreamError(400, answer.body, code);
          expect(String(answer.body['message']), name).toContain(at);
          expect(decisionLines.slice(before), name).toEqual([]);
        }
        if (!users) {
          // Longer than any request head the server reads: Node answers 431 before any decision.
          const before = decisionLines.length;
          expect((await queryUsers(token, filter)).status, name).toBe(431);
          expect(decisionLines.slice(before), name).toEqual([]);
        }
      }
    },
  );

  it('answers a filter at every limit, scoped by the policy', async () => {
    const token = tokens['alice'] ?? '';
    // queryUsers' URL holds one limit at a time: 1,000 values in one list; 8 levels of $or
    // with 200 conditions in all.
    for (const usersFilter of [
      { id: { $in: [...values(FILTER_LIMITS.listValues - 1), 'alice'] } },
      {
        $and: values(FILTER_LIMITS.conditions - 2).map((id) => ({ name: { $ne: id } })),
        ...nestedOr(FILTER_LIMITS.depth, { id: 'alice' }),
      },
    ]) {
      expect(checkFilterBounds(usersFilter)).toEqual({ ok: true });
      expect(fitsInUrl(usersFilter)).toBe(true);
      const before = decisionLines.length;
      const users = await queryUsers(token, usersFilter);
      expect(users.status).toBe(200);
      expect((users.body['users'] as { id: string }[]).map((user) => user.id)).toEqual(['alice']);
      expect(decisionLines.slice(before).join('\n')).toContain('rolecall/query_filter');
    }

    // queryCalls' body holds them all at once: 1,000 values, 8 levels of $or, 200 conditions.

    const callsFilter = {
      id: { $in: [...values(FILTER_LIMITS.listValues - 1), 'red-call'] },
      $and: values(FILTER_LIMITS.conditions - 2).map((id) => ({ created_by_id: { $ne: id } })),
      ...nestedOr(FILTER_LIMITS.depth, { type: 'default' }),
    };
    const calls = await queryCalls(token, callsFilter);
    expect(calls.status).toBe(200);
    expect(
      (calls.body['calls'] as { call: { id: string } }[]).map((entry) => entry.call.id),
    ).toEqual(['red-call']);
  });

  it('answers a filter of exactly the byte limit and refuses one byte more', async () => {
    const token = tokens['alice'] ?? '';
    // `id` is a text field of calls and users alike.
    const empty = JSON.stringify({ id: { $ne: '' } }).length;
    const atLimit = { id: { $ne: 'x'.repeat(FILTER_LIMITS.bytes - empty) } };
    expect(JSON.stringify(atLimit).length).toBe(FILTER_LIMITS.bytes);
    expect((await queryCalls(token, atLimit)).status).toBe(200);
    const over = { id: { $ne: 'x'.repeat(FILTER_LIMITS.bytes - empty + 1) } };
    const answer = await queryCalls(token, over);
    expect([answer.status, answer.body['reason']]).toEqual([400, 'FILTER_TOO_LARGE']);
    expectStreamError(400, answer.body, 'FILTER_TOO_LARGE');
    // queryUsers carries the same filter in its URL and meets the same bound, with its reason.
    expect((await queryUsers(token, atLimit)).status).toBe(200);
    const before = decisionLines.length;
    const users = await queryUsers(token, over);
    expect([users.status, users.body['reason']]).toEqual([400, 'FILTER_TOO_LARGE']);
    expect(decisionLines.slice(before)).toEqual([]);
  });
});
