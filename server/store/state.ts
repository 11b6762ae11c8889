// The SQL of `rolecall_state`, the server's own key → JSON rows: the stored grants spec with the
// revision it resolved to (what every server behind the database follows), and the times the API
// created and changed each call type (the grants file has no place for them).
import type { GrantsSpec } from '../../compiler/types.js';
import { PREPARED, type Queryable } from '../db/database.js';

const SPEC_KEY = 'grants_spec';
const CALL_TYPE_TIMES_KEY = 'call_type_times';

/** Stream's `created_at`/`updated_at` of call types, by name, where the API set them. */
export type CallTypeTimes = Record<string, { created_at?: string; updated_at?: string }>;

async function writeState(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO rolecall_state (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

/**
 * The stored spec and the revision it resolved to, or undefined on a fresh database; `forUpdate`
 * locks the row, which orders concurrent grants changes.
 */
export async function readStoredSpec(
  db: Queryable,
  options: { forUpdate?: boolean } = {},
): Promise<{ spec: GrantsSpec; revision: string } | undefined> {
  const rows = await db.query<{ value: { spec: GrantsSpec; revision: string } }>(
    `SELECT value FROM rolecall_state WHERE key = $1${options.forUpdate === true ? ' FOR UPDATE' : ''}`,
    [SPEC_KEY],
  );
  return rows[0]?.value;
}

/** Only the stored revision: what a server compares with its own before each decision. */
export async function readStoredRevision(db: Queryable): Promise<string | undefined> {
  const rows = await db.query<{ revision: string | null }>(
    `SELECT value->>'revision' AS revision FROM rolecall_state WHERE key = $1`,
    [SPEC_KEY],
    PREPARED,
  );
  return rows[0]?.revision ?? undefined;
}

/**
 * The stored revision, its row held (FOR SHARE) until the transaction ends: a grants change
 * (which locks the row FOR UPDATE) waits for this transaction, or this one waits for it.
 */
export async function holdStoredRevision(tx: Queryable): Promise<string | undefined> {
  const rows = await tx.query<{ revision: string | null }>(
    `SELECT value->>'revision' AS revision FROM rolecall_state WHERE key = $1 FOR SHARE`,
    [SPEC_KEY],
  );
  return rows[0]?.revision ?? undefined;
}

export function writeStoredSpec(db: Queryable, spec: GrantsSpec, revision: string): Promise<void> {
  return writeState(db, SPEC_KEY, { spec, revision });
}

export async function readCallTypeTimes(db: Queryable): Promise<CallTypeTimes> {
  const rows = await db.query<{ value: CallTypeTimes }>(
    'SELECT value FROM rolecall_state WHERE key = $1',
    [CALL_TYPE_TIMES_KEY],
  );
  return rows[0]?.value ?? {};
}

export function writeCallTypeTimes(db: Queryable, times: CallTypeTimes): Promise<void> {
  return writeState(db, CALL_TYPE_TIMES_KEY, times);
}
