// Creates the schema (idempotent): users, calls, members, blocked users and the stored grants
// state, with the indexes that keep the injected team filter fast (GIN on users.teams, btree on
// calls.team). Later columns are added with ADD COLUMN IF NOT EXISTS, so old databases catch up.
import type { Queryable } from './database.js';

/** The NOTIFY channel of cache invalidations (one JSON payload per change). */
export const CHANGES_CHANNEL = 'rolecall_changes';

const SCHEMA_VERSION = 5;

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
  // Stream's user fields kept as given (profile picture URL, preferred language).
  `ALTER TABLE users ADD COLUMN IF NOT EXISTS image text`,
  `ALTER TABLE users ADD COLUMN IF NOT EXISTS language text`,
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
  // Soft delete (POST …/delete): the row stays so its id stays taken; reads no longer find it.
  `ALTER TABLE calls ADD COLUMN IF NOT EXISTS deleted_at timestamptz`,
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
  // Users blocked from one call (POST …/block): they can neither join nor read it until unblocked.
  `CREATE TABLE IF NOT EXISTS call_blocked_users (
     call_type text NOT NULL,
     call_id text NOT NULL,
     user_id text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (call_type, call_id, user_id),
     FOREIGN KEY (call_type, call_id) REFERENCES calls (call_type, id) ON DELETE CASCADE
   )`,
  // What servers cache (the stored grants, actor rows) changes only through these triggers: each
  // change bumps one counter row (its lock orders the versions like the commits) and notifies
  // every server on CHANGES_CHANNEL when it commits (server/db/change-feed.ts).
  `CREATE TABLE IF NOT EXISTS rolecall_changes (
     id int PRIMARY KEY CHECK (id = 1),
     version bigint NOT NULL
   )`,
  `INSERT INTO rolecall_changes (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
  `CREATE OR REPLACE FUNCTION rolecall_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     next_version bigint;
     subject text;
   BEGIN
     IF TG_TABLE_NAME = 'rolecall_state' THEN
       IF COALESCE(NEW.key, OLD.key) <> 'grants_spec' THEN RETURN NULL; END IF;
       subject := NULL;
     ELSE
       subject := OLD.id;
     END IF;
     UPDATE rolecall_changes SET version = version + 1 WHERE id = 1 RETURNING version INTO next_version;
     PERFORM pg_notify('${CHANGES_CHANNEL}', json_build_object(
       'version', next_version, 'kind', CASE WHEN subject IS NULL THEN 'grants' ELSE 'user' END,
       'id', subject)::text);
     RETURN NULL;
   END $$`,
  `DROP TRIGGER IF EXISTS rolecall_grants_changed ON rolecall_state`,
  `CREATE TRIGGER rolecall_grants_changed AFTER INSERT OR UPDATE OR DELETE ON rolecall_state
     FOR EACH ROW EXECUTE FUNCTION rolecall_note_change()`,
  // A new user is never cached (unknown users are not), so only updates and deletes matter, and
  // of updates only those of who the user is (id, name, role, teams, deleted or not): an app's
  // frequent writes of `custom` (presence, "last seen") neither queue on the counter row's lock
  // nor make every server drop its caches.
  `DROP TRIGGER IF EXISTS rolecall_user_changed ON users`,
  `CREATE TRIGGER rolecall_user_changed AFTER UPDATE ON users
     FOR EACH ROW WHEN ((OLD.id, OLD.name, OLD.role, OLD.teams, OLD.deleted_at)
       IS DISTINCT FROM (NEW.id, NEW.name, NEW.role, NEW.teams, NEW.deleted_at))
     EXECUTE FUNCTION rolecall_note_change()`,
  `DROP TRIGGER IF EXISTS rolecall_user_deleted ON users`,
  `CREATE TRIGGER rolecall_user_deleted AFTER DELETE ON users
     FOR EACH ROW EXECUTE FUNCTION rolecall_note_change()`,
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
