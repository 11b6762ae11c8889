// The SQL of calls, their members and blocks: one function per statement, parameters always
// bound (a listing's condition and order come from server/query/, built from the allowed filter
// and sort). Soft-deleted calls keep their row, so their ids stay taken.
import type { GrantsMap } from '../../compiler/types.js';
import { PREPARED, type Queryable } from '../db/database.js';
import { pageStatement, type SqlCondition } from './page.js';

export interface CallRow {
  call_type: string;
  id: string;
  team: string | null;
  created_by_id: string;
  custom: Record<string, unknown>;
  settings_override: Record<string, unknown>;
  config_overrides: { grants?: GrantsMap | null } | null;
  created_at: Date | string;
  updated_at: Date | string;
  ended_at: Date | string | null;
  deleted_at: Date | string | null;
}

export interface MemberRow {
  user_id: string;
  role: string;
  grants: string[];
}

/** A member to add or re-role (a role left out keeps the member's, or `call_member`). */
export interface MemberFields {
  user_id: string;
  role?: string;
}

const CALL_COLUMNS =
  'call_type, id, team, created_by_id, custom, settings_override, config_overrides, created_at, updated_at, ended_at, deleted_at';

/** CALL_COLUMNS of the table aliased `c`. */
const CALL_COLUMNS_OF_C = CALL_COLUMNS.split(', ')
  .map((column) => `c.${column}`)
  .join(', ');

export interface FindCallOptions {
  /** Lock the row for the rest of the transaction. */
  forUpdate?: boolean;
  /** Also find a soft-deleted call (its id stays taken). */
  includeDeleted?: boolean;
}

export async function findCall(
  db: Queryable,
  callType: string,
  id: string,
  options: FindCallOptions = {},
): Promise<CallRow | undefined> {
  const live = options.includeDeleted === true ? '' : ' AND deleted_at IS NULL';
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const rows = await db.query<CallRow>(
    `SELECT ${CALL_COLUMNS} FROM calls WHERE call_type = $1 AND id = $2${live}${lock}`,
    [callType, id],
    PREPARED,
  );
  return rows[0];
}

export async function findMembers(
  db: Queryable,
  callType: string,
  id: string,
): Promise<MemberRow[]> {
  return db.query<MemberRow>(
    'SELECT user_id, role, grants FROM call_members WHERE call_type = $1 AND call_id = $2 ORDER BY user_id',
    [callType, id],
    PREPARED,
  );
}

/** A call with its members, and whether one user is blocked from it, as of one snapshot. */
export interface CallView {
  row: CallRow;
  members: MemberRow[];
  /** Whether the `blockedUserId` asked about is blocked from the call (false when none was). */
  blocked: boolean;
}

/**
 * Reads a call, its members (ordered as findMembers orders them) and a block in one statement,
 * so a read costs one round trip and sees one snapshot. It locks nothing: a request that writes
 * locks the row first (findCall with forUpdate) and reads the members after the lock, so it sees
 * every change committed before it got the lock.
 */
export async function readCallView(
  db: Queryable,
  callType: string,
  id: string,
  options: { includeDeleted?: boolean; blockedUserId?: string } = {},
): Promise<CallView | undefined> {
  const live = options.includeDeleted === true ? '' : ' AND c.deleted_at IS NULL';
  const rows = await db.query<CallRow & { members: MemberRow[]; blocked: boolean }>(
    `SELECT ${CALL_COLUMNS_OF_C},
       COALESCE((SELECT json_agg(json_build_object('user_id', m.user_id, 'role', m.role, 'grants', m.grants) ORDER BY m.user_id)
                 FROM call_members m WHERE m.call_type = c.call_type AND m.call_id = c.id), '[]'::json) AS members,
       EXISTS (SELECT 1 FROM call_blocked_users b
               WHERE b.call_type = c.call_type AND b.call_id = c.id AND b.user_id = $3) AS blocked
     FROM calls c WHERE c.call_type = $1 AND c.id = $2${live}`,
    [callType, id, options.blockedUserId ?? null],
    PREPARED,
  );
  const found = rows[0];
  if (found === undefined) return undefined;
  const { members, blocked, ...row } = found;
  return { row, members, blocked };
}

/** Adds the members of `rows` to `membersByCall` (keyed `type:id`), in one query. */
export async function loadMembers(
  db: Queryable,
  rows: CallRow[],
  membersByCall: Map<string, MemberRow[]>,
): Promise<void> {
  if (rows.length === 0) return;
  const members = await db.query<MemberRow & { call_type: string; call_id: string }>(
    `SELECT call_type, call_id, user_id, role, grants FROM call_members
     WHERE (call_type || ':' || call_id) = ANY($1::text[]) ORDER BY user_id`,
    [rows.map((row) => `${row.call_type}:${row.id}`)],
  );
  for (const { call_type, call_id, ...member } of members) {
    const key = `${call_type}:${call_id}`;
    membersByCall.set(key, [...(membersByCall.get(key) ?? []), member]);
  }
}

/**
 * Makes the rest of the transaction read one snapshot, read only: a listing read in chunks then
 * sees no call twice and skips none, whatever is written meanwhile.
 */
export async function readOneSnapshot(tx: Queryable): Promise<void> {
  await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
}

/** A chunk of undeleted calls matching `condition` (SQL built from the allowed filter). */
export function listCallRows(
  db: Queryable,
  condition: SqlCondition,
  orderSql: string,
  limit: number,
  offset: number,
): Promise<CallRow[]> {
  const page = pageStatement('calls', CALL_COLUMNS, condition, orderSql, limit, offset);
  return db.query<CallRow>(page.sql, page.params);
}

export async function isBlocked(
  db: Queryable,
  callType: string,
  id: string,
  userId: string,
): Promise<boolean> {
  const rows = await db.query(
    'SELECT 1 FROM call_blocked_users WHERE call_type = $1 AND call_id = $2 AND user_id = $3',
    [callType, id, userId],
    PREPARED,
  );
  return rows.length > 0;
}

/** Which of `rows` (as `type:id` keys) `userId` is blocked from, in one query. */
export async function blockedCallKeys(
  db: Queryable,
  rows: readonly Pick<CallRow, 'call_type' | 'id'>[],
  userId: string,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const blocked = await db.query<{ key: string }>(
    `SELECT call_type || ':' || call_id AS key FROM call_blocked_users
     WHERE user_id = $1 AND (call_type || ':' || call_id) = ANY($2::text[])`,
    [userId, rows.map((row) => `${row.call_type}:${row.id}`)],
  );
  return new Set(blocked.map((row) => row.key));
}

/** A new call's stored fields. */
export interface NewCall {
  callType: string;
  id: string;
  team: string | null;
  createdBy: string;
  custom: Record<string, unknown>;
  settings: Record<string, unknown>;
}

/** Inserts the call; undefined when a call of that key exists (created concurrently). */
export async function insertCall(tx: Queryable, call: NewCall): Promise<CallRow | undefined> {
  const rows = await tx.query<CallRow>(
    `INSERT INTO calls (call_type, id, team, created_by_id, custom, settings_override)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
     ON CONFLICT (call_type, id) DO NOTHING RETURNING ${CALL_COLUMNS}`,
    [
      call.callType,
      call.id,
      call.team,
      call.createdBy,
      JSON.stringify(call.custom),
      JSON.stringify(call.settings),
    ],
    PREPARED,
  );
  return rows[0];
}

/** What an update changes; a field left out is kept. */
export interface CallChanges {
  custom?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  /** The call's own overrides (null removes them). */
  overrides?: { grants?: GrantsMap | null } | null;
  /** The call's team (null: no team). */
  team?: string | null;
  createdBy?: string;
}

export async function updateCallRow(
  tx: Queryable,
  callType: string,
  id: string,
  changes: CallChanges,
): Promise<void> {
  const json = (value: unknown): string | null =>
    value === undefined || value === null ? null : JSON.stringify(value);
  await tx.query(
    `UPDATE calls SET
       custom = COALESCE($3::jsonb, custom),
       settings_override = COALESCE($4::jsonb, settings_override),
       config_overrides = CASE WHEN $5 THEN $6::jsonb ELSE config_overrides END,
       team = CASE WHEN $7 THEN $8 ELSE team END,
       created_by_id = COALESCE($9, created_by_id),
       updated_at = now()
     WHERE call_type = $1 AND id = $2`,
    [
      callType,
      id,
      json(changes.custom),
      json(changes.settings),
      Object.hasOwn(changes, 'overrides'),
      json(changes.overrides),
      Object.hasOwn(changes, 'team'),
      changes.team ?? null,
      changes.createdBy ?? null,
    ],
  );
}

/** A statement about one call: its parameters are the call's type and id, then `rest`. */
type CallStatement<Rest extends unknown[]> = (
  tx: Queryable,
  callType: string,
  id: string,
  ...rest: Rest
) => Promise<void>;

function callStatement(sql: string): CallStatement<unknown[]> {
  return async (tx, callType, id, ...rest) => {
    await tx.query(sql, [callType, id, ...rest]);
  };
}

/** Sets `ended_at` once: ending an ended call keeps the first time. */
export const markEnded: CallStatement<[]> = callStatement(
  `UPDATE calls SET ended_at = COALESCE(ended_at, now()), updated_at = now()
   WHERE call_type = $1 AND id = $2`,
);

/** Soft delete: ended and marked deleted; the times it now has, or undefined without a row. */
export async function markDeleted(
  tx: Queryable,
  callType: string,
  id: string,
): Promise<{ ended_at: Date | string; deleted_at: Date | string } | undefined> {
  const rows = await tx.query<{ ended_at: Date | string; deleted_at: Date | string }>(
    `UPDATE calls SET deleted_at = now(), ended_at = COALESCE(ended_at, now()), updated_at = now()
     WHERE call_type = $1 AND id = $2 RETURNING ended_at, deleted_at`,
    [callType, id],
  );
  return rows[0];
}

/** Hard delete: members and blocks go with the row (ON DELETE CASCADE). */
export const deleteCallRow: CallStatement<[]> = callStatement(
  'DELETE FROM calls WHERE call_type = $1 AND id = $2',
);

export async function upsertMembers(
  tx: Queryable,
  callType: string,
  id: string,
  members: readonly MemberFields[],
): Promise<void> {
  for (const member of members) {
    await tx.query(
      `INSERT INTO call_members (call_type, call_id, user_id, role) VALUES ($1, $2, $3, COALESCE($4, 'call_member'))
       ON CONFLICT (call_type, call_id, user_id) DO UPDATE SET role = COALESCE($4, call_members.role)`,
      [callType, id, member.user_id, member.role ?? null],
      PREPARED,
    );
  }
}

export const removeMembers: CallStatement<[userIds: readonly string[]]> = callStatement(
  'DELETE FROM call_members WHERE call_type = $1 AND call_id = $2 AND user_id = ANY($3::text[])',
);

const setMemberGrantsJson: CallStatement<[userId: string, modifiers: string]> = callStatement(
  'UPDATE call_members SET grants = $4::jsonb WHERE call_type = $1 AND call_id = $2 AND user_id = $3',
);

/** Replaces one member's own grant modifiers. */
export function setMemberGrants(
  tx: Queryable,
  callType: string,
  id: string,
  userId: string,
  modifiers: readonly string[],
): Promise<void> {
  return setMemberGrantsJson(tx, callType, id, userId, JSON.stringify(modifiers));
}

export const addBlock: CallStatement<[userId: string]> = callStatement(
  `INSERT INTO call_blocked_users (call_type, call_id, user_id) VALUES ($1, $2, $3)
   ON CONFLICT (call_type, call_id, user_id) DO NOTHING`,
);

export const removeBlock: CallStatement<[userId: string]> = callStatement(
  'DELETE FROM call_blocked_users WHERE call_type = $1 AND call_id = $2 AND user_id = $3',
);

// What still names a role, a permission or a call type (the admin service refuses deletions
// while something does); each answers at most `limit` places, labelled for the message.

/** Stored calls whose own `config_overrides.grants` name `role` (a revoke is a reference too). */
export async function callsNamingRole(
  tx: Queryable,
  role: string,
  limit: number,
): Promise<string[]> {
  const rows = await tx.query<{ place: string }>(
    `SELECT 'call ' || call_type || ':' || id AS place FROM calls
     WHERE jsonb_typeof(config_overrides->'grants') = 'object' AND config_overrides->'grants' ? $1
     ORDER BY call_type, id LIMIT $2`,
    [role, limit],
  );
  return rows.map((row) => row.place);
}

/** Members holding `role` go back to Stream's default member role; how many did. */
export async function resetMembersOfRole(tx: Queryable, role: string): Promise<number> {
  const rows = await tx.query(
    `UPDATE call_members SET role = 'call_member' WHERE role = $1 RETURNING user_id`,
    [role],
  );
  return rows.length;
}

/** Stored calls' overrides and members' own grants that grant or revoke permission `id`. */
export async function placesGrantingPermission(
  tx: Queryable,
  id: string,
  limit: number,
): Promise<string[]> {
  const calls = await tx.query<{ place: string }>(
    `SELECT 'call ' || call_type || ':' || id AS place FROM calls
     WHERE jsonb_path_exists(config_overrides, '$.grants.*[*] ? (@ == $id || @ == $revoke)',
                             jsonb_build_object('id', $1::text, 'revoke', '!' || $1::text))
     ORDER BY call_type, id LIMIT $2`,
    [id, limit],
  );
  const members = await tx.query<{ place: string }>(
    `SELECT 'member ' || user_id || ' of call ' || call_type || ':' || call_id AS place
     FROM call_members WHERE grants ? $1 OR grants ? ('!' || $1)
     ORDER BY call_type, call_id, user_id LIMIT $2`,
    [id, limit],
  );
  return [...calls, ...members].map((row) => row.place);
}

/** Stored calls of call type `name`. */
export async function callsOfType(tx: Queryable, name: string, limit: number): Promise<string[]> {
  const rows = await tx.query<{ place: string }>(
    `SELECT 'call ' || call_type || ':' || id AS place FROM calls WHERE call_type = $1
     ORDER BY id LIMIT $2`,
    [name, limit],
  );
  return rows.map((row) => row.place);
}
