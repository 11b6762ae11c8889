// Creates the schema (idempotent): users, calls, members and the stored grants state, with the
// indexes that keep the injected team filter fast (GIN on users.teams, btree on calls.team).
import type { Queryable } from './database.js';

const SCHEMA_VERSION = 1;

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS rolecall_state (
     key text PRIMARY KEY,
     value jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS users (
     id text PRIMARY KEY,
     name text,
     role text NOT NULL DEFAULT 'user',
     teams text[] NOT NULL DEFAULT '{}',
     custom jsonb NOT NULL DEFAULT '{}',
     deleted_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  // && (overlap) and @> (contains) on teams use this index.
  `CREATE INDEX IF NOT EXISTS users_teams_gin ON users USING gin (teams)`,
  // "no team" ({teams: null}) is a frequent filter of team-less tenants.
  `CREATE INDEX IF NOT EXISTS users_teamless ON users (id) WHERE cardinality(teams) = 0`,
  `CREATE INDEX IF NOT EXISTS users_role ON users (role)`,
  `CREATE INDEX IF NOT EXISTS users_name ON users (lower(name) text_pattern_ops)`,
  `CREATE TABLE IF NOT EXISTS calls (
     call_type text NOT NULL,
     id text NOT NULL,
     team text,
     created_by_id text NOT NULL,
     custom jsonb NOT NULL DEFAULT '{}',
     settings_override jsonb NOT NULL DEFAULT '{}',
     config_overrides jsonb,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     ended_at timestamptz,
     PRIMARY KEY (call_type, id)
   )`,
  `CREATE INDEX IF NOT EXISTS calls_team ON calls (team, created_at DESC)`,
  `CREATE INDEX IF NOT EXISTS calls_created_by ON calls (created_by_id)`,
  `CREATE TABLE IF NOT EXISTS call_members (
     call_type text NOT NULL,
     call_id text NOT NULL,
     user_id text NOT NULL,
     role text NOT NULL DEFAULT 'call_member',
     grants jsonb NOT NULL DEFAULT '[]',
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (call_type, call_id, user_id),
     FOREIGN KEY (call_type, call_id) REFERENCES calls (call_type, id) ON DELETE CASCADE
   )`,
  `CREATE INDEX IF NOT EXISTS call_members_user ON call_members (user_id)`,
  `CREATE INDEX IF NOT EXISTS call_members_role ON call_members (role)`,
];

/** Brings the schema to the current version; safe to run on every start. */
export async function migrateDatabase(db: Queryable): Promise<void> {
  for (const statement of STATEMENTS) await db.query(statement);
  await db.query(
    `INSERT INTO rolecall_state (key, value) VALUES ('schema_version', $1::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(SCHEMA_VERSION)],
  );
}
