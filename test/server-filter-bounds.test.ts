// Structural limits of a client's filter (size, conditions, list values, depth), checked before
// any decision for every subject: a filter past them is a 400 naming the limit and the path, with
// no query_filter evaluation and no decision-log line; a filter at every limit still answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFilterBounds, FILTER_LIMITS } from '../server/query/filter-bounds.js';
import { translateFilter } from '../server/query/filter-sql.js';
import { API_KEY, BACKENDS, startTestServer, type TestServer } from './support/server.js';

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

describe('checkFilterBounds', () => {
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

  async function send(token: string, path: string, body: unknown): Promise<Answer> {
    const response = await fetch(`${test.url}${path}?api_key=${API_KEY}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const queryUsers = (token: string, filter: unknown): Promise<Answer> =>
    send(token, '/users/query', { payload: { filter_conditions: filter } });
  const queryCalls = (token: string, filter: unknown): Promise<Answer> =>
    send(token, '/calls/query', { filter_conditions: filter });

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
      for (const { name, filter, code, at } of OVER_LIMITS) {
        for (const query of [queryUsers, queryCalls]) {
          const before = decisionLines.length;
          const answer = await query(token, filter);
          expect([answer.status, answer.body['code']], name).toEqual([400, code]);
          expect(String(answer.body['message']), name).toContain(at);
          expect(decisionLines.slice(before), name).toEqual([]);
        }
      }
    },
  );

  it('answers a filter at every limit, scoped by the policy', async () => {
    const token = tokens['alice'] ?? '';
    // 1,000 values in one list, 8 levels of $or, 200 conditions in all.
    const usersFilter = {
      id: { $in: [...values(FILTER_LIMITS.listValues - 1), 'alice'] },
      $and: values(FILTER_LIMITS.conditions - 2).map((id) => ({ name: { $ne: id } })),
      ...nestedOr(FILTER_LIMITS.depth, { role: 'user' }),
    };
    expect(checkFilterBounds(usersFilter)).toEqual({ ok: true });
    const before = decisionLines.length;
    const users = await queryUsers(token, usersFilter);
    expect(users.status).toBe(200);
    expect((users.body['users'] as { id: string }[]).map((user) => user.id)).toEqual(['alice']);
    expect(decisionLines.slice(before).join('\n')).toContain('rolecall/query_filter');

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
    const empty = JSON.stringify({ name: { $ne: '' } }).length;
    const atLimit = { name: { $ne: 'x'.repeat(FILTER_LIMITS.bytes - empty) } };
    expect(JSON.stringify(atLimit).length).toBe(FILTER_LIMITS.bytes);
    expect((await queryUsers(token, atLimit)).status).toBe(200);
    const over = { name: { $ne: 'x'.repeat(FILTER_LIMITS.bytes - empty + 1) } };
    const answer = await queryUsers(token, over);
    expect([answer.status, answer.body['code']]).toEqual([400, 'FILTER_TOO_LARGE']);
  });
});
