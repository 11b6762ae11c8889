// The SQL of the users table: one function per statement, parameters always bound. Deleted users
// (soft delete) are invisible to every read but the row stays, so deleteRole can tell them apart.
// What a row means for a request (decisions, the wire shape) is the services' job.
import { PREPARED, type Queryable } from '../db/database.js';
import { pageStatement, type SqlCondition } from './page.js';

export interface UserRow {
  id: string;
  name: string | null;
  role: string;
  teams: string[];
  custom: Record<string, unknown>;
  image: string | null;
  language: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** Who a user is, as decisions need it: id, role and teams. */
export type UserIdentity = Pick<UserRow, 'id' | 'role' | 'teams'>;

/** The fields an upsert or partial update writes; an absent one is left as it is. */
export interface UserFields {
  name?: string;
  role?: string;
  teams?: string[];
  custom?: Record<string, unknown>;
  image?: string;
  language?: string;
}

/** Fields a partial update clears. */
export type ClearableField = 'name' | 'custom' | 'teams' | 'image' | 'language';

const USER_COLUMNS = 'id, name, role, teams, custom, image, language, created_at, updated_at';

const jsonOrNull = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

export async function findUserRow(db: Queryable, id: string): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL`,
    [id],
    PREPARED,
  );
  return rows[0];
}

export async function findIdentity(db: Queryable, id: string): Promise<UserIdentity | undefined> {
  const rows = await db.query<UserIdentity>(
    'SELECT id, role, teams FROM users WHERE id = $1 AND deleted_at IS NULL',
    [id],
    PREPARED,
  );
  return rows[0];
}

/** The identities of those of `ids` that exist (in no particular order). */
export function findIdentities(db: Queryable, ids: readonly string[]): Promise<UserIdentity[]> {
  return db.query<UserIdentity>(
    'SELECT id, role, teams FROM users WHERE id = ANY($1::text[]) AND deleted_at IS NULL',
    [ids],
    PREPARED,
  );
}

/**
 * Creates the user or sets the given fields, keeping the others. A deleted user's id comes back
 * as a new user: nothing of the deleted one (role, teams, name, custom, created_at) is kept.
 */
export async function upsertUserRow(
  tx: Queryable,
  id: string,
  fields: UserFields,
): Promise<UserRow | undefined> {
  const rows = await tx.query<UserRow>(
    `INSERT INTO users (id, name, role, teams, custom, image, language, deleted_at)
     VALUES ($1, $2, COALESCE($3, 'user'), COALESCE($4::text[], '{}'), COALESCE($5::jsonb, '{}'), $6, $7, NULL)
     ON CONFLICT (id) DO UPDATE SET
       name = CASE WHEN users.deleted_at IS NULL THEN COALESCE($2, users.name) ELSE $2 END,
       image = CASE WHEN users.deleted_at IS NULL THEN COALESCE($6, users.image) ELSE $6 END,
       language = CASE WHEN users.deleted_at IS NULL THEN COALESCE($7, users.language) ELSE $7 END,
       role = COALESCE($3, CASE WHEN users.deleted_at IS NULL THEN users.role ELSE 'user' END),
       teams = COALESCE($4::text[], CASE WHEN users.deleted_at IS NULL THEN users.teams ELSE '{}' END),
       custom = COALESCE($5::jsonb, CASE WHEN users.deleted_at IS NULL THEN users.custom ELSE '{}' END),
       created_at = CASE WHEN users.deleted_at IS NULL THEN users.created_at ELSE now() END,
       deleted_at = NULL,
       updated_at = now()
     RETURNING ${USER_COLUMNS}`,
    [
      id,
      fields.name ?? null,
      fields.role ?? null,
      fields.teams ?? null,
      jsonOrNull(fields.custom),
      fields.image ?? null,
      fields.language ?? null,
    ],
  );
  return rows[0];
}

/** Sets the given fields and clears `clear`; undefined when there is no such user. */
export async function updateUserRow(
  db: Queryable,
  id: string,
  fields: UserFields,
  clear: readonly ClearableField[],
): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `UPDATE users SET
       name = CASE WHEN $6 THEN NULL ELSE COALESCE($2, name) END,
       role = COALESCE($3, role),
       teams = CASE WHEN $7 THEN '{}'::text[] ELSE COALESCE($4::text[], teams) END,
       custom = CASE WHEN $8 THEN '{}'::jsonb ELSE COALESCE($5::jsonb, custom) END,
       image = CASE WHEN $9 THEN NULL ELSE COALESCE($10, image) END,
       language = CASE WHEN $11 THEN NULL ELSE COALESCE($12, language) END,
       updated_at = now()
     WHERE id = $1 AND deleted_at IS NULL RETURNING ${USER_COLUMNS}`,
    [
      id,
      fields.name ?? null,
      fields.role ?? null,
      fields.teams ?? null,
      jsonOrNull(fields.custom),
      clear.includes('name'),
      clear.includes('teams'),
      clear.includes('custom'),
      clear.includes('image'),
      fields.image ?? null,
      clear.includes('language'),
      fields.language ?? null,
    ],
    PREPARED,
  );
  return rows[0];
}

/** Soft-deletes a user; undefined when there is no such (undeleted) user. */
export async function softDeleteUserRow(tx: Queryable, id: string): Promise<UserRow | undefined> {
  const rows = await tx.query<UserRow>(
    `UPDATE users SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING ${USER_COLUMNS}`,
    [id],
  );
  return rows[0];
}

/** A new guest (role `guest`, no teams); undefined when the id is taken. */
export async function insertGuestRow(
  tx: Queryable,
  id: string,
  name: string | undefined,
  custom: Record<string, unknown>,
): Promise<UserRow | undefined> {
  const rows = await tx.query<UserRow>(
    `INSERT INTO users (id, name, role, teams, custom) VALUES ($1, $2, 'guest', '{}', $3::jsonb)
     ON CONFLICT (id) DO NOTHING RETURNING ${USER_COLUMNS}`,
    [id, name ?? null, JSON.stringify(custom)],
  );
  return rows[0];
}

/** A page of undeleted users matching `condition` (SQL built from the allowed filter). */
export function listUserRows(
  db: Queryable,
  condition: SqlCondition,
  orderSql: string,
  limit: number,
  offset: number,
): Promise<UserRow[]> {
  const page = pageStatement('users', USER_COLUMNS, condition, orderSql, limit, offset);
  return db.query<UserRow>(page.sql, page.params);
}

/** Undeleted users whose user role is `role`, at most `limit` ids. */
export async function usersWithRole(tx: Queryable, role: string, limit: number): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    'SELECT id FROM users WHERE role = $1 AND deleted_at IS NULL ORDER BY id LIMIT $2',
    [role, limit],
  );
  return rows.map((row) => row.id);
}
