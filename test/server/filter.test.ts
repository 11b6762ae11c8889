// The Stream filter → SQL translator, run on a real (embedded) PostgreSQL: set semantics of a
// user's `teams`, scalar `team` on calls, logical operators, and refusals of anything unknown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Database } from '../../server/db/database.js';
import { migrateDatabase } from '../../server/db/migrate.js';
import { translateFilter } from '../../server/query/filter-sql.js';
import { translateSort } from '../../server/query/sort-sql.js';

let db: Database;

beforeAll(async () => {
  db = await openPglite();
  await migrateDatabase(db);
  await db.query(`INSERT INTO users (id, name, teams) VALUES
    ('alice', 'Alice Smith', '{red}'), ('bob', 'Bob', '{blue}'), ('sara', 'Sara', '{red,blue}'),
    ('tom', 'Tom', '{}'), ('pct', '100% Tom_', '{}')`);
  await db.query(`INSERT INTO calls (call_type, id, team, created_by_id) VALUES
    ('default', 'r1', 'red', 'alice'), ('default', 'b1', 'blue', 'bob'), ('audio_room', 'n1', NULL, 'tom')`);
  await db.query(`INSERT INTO call_members (call_type, call_id, user_id) VALUES
    ('default', 'r1', 'alice'), ('default', 'r1', 'sara'), ('default', 'b1', 'sara')`);
});
afterAll(async () => {
  await db.close();
});

async function userIds(filter: unknown): Promise<string[]> {
  const condition = translateFilter('users', filter);
  if (!condition.ok) throw new Error(condition.message);
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM users WHERE ${condition.sql} ORDER BY id`,
    condition.params,
  );
  return rows.map((row) => row.id);
}

async function callIds(filter: unknown): Promise<string[]> {
  const condition = translateFilter('calls', filter);
  if (!condition.ok) throw new Error(condition.message);
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM calls WHERE ${condition.sql} ORDER BY id`,
    condition.params,
  );
  return rows.map((row) => row.id);
}

describe('users.teams is a set', () => {
  it.each([
    [{ teams: 'red' }, ['alice', 'sara']],
    [{ teams: { $eq: 'blue' } }, ['bob', 'sara']],
    [{ teams: { $in: ['red', 'green'] } }, ['alice', 'sara']],
    [{ teams: { $nin: ['red'] } }, ['bob', 'pct', 'tom']],
    [{ teams: null }, ['pct', 'tom']],
    [{ teams: [] }, ['pct', 'tom']],
    [{ teams: { $exists: true } }, ['alice', 'bob', 'sara']],
    [{ teams: { $ne: 'red' } }, ['bob', 'pct', 'tom']],
    [{ teams: { $contains: 'blue' } }, ['bob', 'sara']],
    [{ teams: {} }, ['alice', 'bob', 'pct', 'sara', 'tom']],
    [{ teams: { $in: [] } }, []],
    // null in a list is "no team", as the policy lets a team-less subject ask.
    [{ teams: { $in: [null] } }, ['pct', 'tom']],
    [{ teams: { $in: ['blue', null] } }, ['bob', 'pct', 'sara', 'tom']],
    [{ teams: { $nin: ['red', null] } }, ['bob']],
  ])('%j → %j', async (filter, expected) => {
    expect(await userIds(filter)).toEqual(expected);
  });
});

describe('scalars and logic', () => {
  it.each([
    [{ name: 'Bob' }, ['bob']],
    [{ name: { $autocomplete: 'smi' } }, ['alice']],
    [{ name: { $autocomplete: '100%' } }, ['pct']],
    [{ name: { $autocomplete: '%' } }, []],
    [{ id: { $gt: 'bob', $lte: 'sara' } }, ['pct', 'sara']],
    [{ $or: [{ id: 'bob' }, { teams: null }] }, ['bob', 'pct', 'tom']],
    [{ $and: [{ teams: 'red' }, { teams: 'blue' }] }, ['sara']],
    [{ $nor: [{ teams: 'red' }, { teams: null }] }, ['bob']],
    [{ name: "x' OR '1'='1" }, []],
  ])('%j → %j', async (filter, expected) => {
    expect(await userIds(filter)).toEqual(expected);
  });

  it('calls.team is a scalar: null is no team, $nin keeps team-less calls', async () => {
    expect(await callIds({ team: null })).toEqual(['n1']);
    expect(await callIds({ team: { $in: ['red', 'blue'] } })).toEqual(['b1', 'r1']);
    expect(await callIds({ team: { $nin: ['red'] } })).toEqual(['b1', 'n1']);
    expect(await callIds({ team: { $ne: 'red' } })).toEqual(['b1', 'n1']);
    // [] is no team like null (the policy passes it on as written), in a list too.
    expect(await callIds({ team: [] })).toEqual(['n1']);
    expect(await callIds({ team: { $ne: [] } })).toEqual(['b1', 'r1']);
    expect(await callIds({ team: { $in: [null] } })).toEqual(['n1']);
    expect(await callIds({ team: { $in: ['red', null] } })).toEqual(['n1', 'r1']);
    expect(await callIds({ team: { $nin: ['red', null] } })).toEqual(['b1']);
    expect(await callIds({ type: 'audio_room' })).toEqual(['n1']);
    expect(await callIds({ cid: 'default:r1' })).toEqual(['r1']);
  });

  it('calls.members asks who is a member', async () => {
    expect(await callIds({ members: 'sara' })).toEqual(['b1', 'r1']);
    expect(await callIds({ members: { $in: ['alice', 'nobody'] } })).toEqual(['r1']);
    expect(await callIds({ members: { $nin: ['sara'] } })).toEqual(['n1']);
    expect(translateFilter('calls', { members: { $gt: 'a' } }).ok).toBe(false);
  });
});

describe('refusals', () => {
  it.each([
    [{ name: { $regex: '.*' } }, /unknown operator "\$regex"/],
    [{ $where: 'true' }, /unknown operator "\$where"/],
    [{ $or: [{ password: 'x' }] }, /unknown field "password"/],
    [{ 'teams; DROP TABLE users': 'x' }, /unknown field/],
    [{ teams: { $gt: 'a' } }, /not supported on a list field/],
    [{ name: { $in: 'red' } }, /expects a list/],
    [{ name: 5 }, /expects a string/],
    [{ $or: [] }, /non-empty list/],
    [{ created_at: { $gt: 'yesterday' } }, /expects a date/],
  ])('%j', (filter, message) => {
    const result = translateFilter('users', filter);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('refuses calls filters on user fields and deep nesting', () => {
    expect(translateFilter('calls', { teams: 'red' }).ok).toBe(false);
    let deep: Record<string, unknown> = { id: 'x' };
    for (let level = 0; level < 12; level += 1) deep = { $or: [deep] };
    expect(translateFilter('users', deep).ok).toBe(false);
  });

  it('sorts only by allow-listed scalar fields', () => {
    expect(translateSort('users', [{ field: 'name', direction: -1 }])).toEqual({
      ok: true,
      sql: 'name DESC NULLS LAST, id ASC',
    });
    expect(translateSort('users', [{ field: 'teams' }]).ok).toBe(false);
    expect(translateSort('users', [{ field: 'id; DROP TABLE users' }]).ok).toBe(false);
  });
});
