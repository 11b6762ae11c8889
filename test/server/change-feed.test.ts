// The change feed on PostgreSQL: when its LISTEN connection is killed, the counter alone keeps
// the caches correct, and the feed listens again on its own, so notifications come back.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../server/db/change-feed.js';
import { openPostgres, type Database } from '../../server/db/database.js';
import { CHANGES_CHANNEL, migrateDatabase } from '../../server/db/migrate.js';

const baseUrl = process.env['DATABASE_URL'];

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.runIf(baseUrl !== undefined)('change feed on PostgreSQL', () => {
  let db: Database;
  let scratch: string;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    scratch = `rolecall_feed_${String(Date.now())}`;
    await admin.query(`CREATE DATABASE ${scratch}`);
    const url = new URL(baseUrl ?? '');
    url.pathname = `/${scratch}`;
    db = await openPostgres(url.toString());
    await migrateDatabase(db);
  });
  afterAll(async () => {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.end();
  });

  it('listens again after its connection is killed, and resets the caches meanwhile', async () => {
    const events: string[] = [];
    const lost: string[] = [];
    const feed = await ChangeFeed.open(
      db,
      {
        grants: () => events.push('grants'),
        user: (id) => events.push(`user:${id}`),
        reset: () => events.push('reset'),
      },
      (error) => lost.push(error.message),
    );
    try {
      expect(feed.listening).toBe(true);
      await db.query(`INSERT INTO users (id) VALUES ('ann')`);
      await db.query(`UPDATE users SET name = 'Ann' WHERE id = 'ann'`);
      await waitFor(() => events.includes('user:ann'));

      // Kill the session that LISTENs (not the pool's): the feed is told, and stops listening.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = $1 AND query ILIKE 'LISTEN ${CHANGES_CHANNEL}%'`,
        [scratch],
      );
      await waitFor(() => lost.length > 0);
      // A change while nobody listens is still caught by the counter on the next sync.
      events.length = 0;
      await db.query(`UPDATE users SET name = 'Ann B' WHERE id = 'ann'`);
      await feed.sync();
      expect(events).toContain('reset');

      // Back on its own, and notifications flow again.
      await waitFor(() => feed.listening);
      events.length = 0;
      await db.query(`UPDATE users SET name = 'Ann C' WHERE id = 'ann'`);
      await waitFor(() => events.includes('user:ann'));
    } finally {
      await feed.close();
    }
    expect(feed.listening).toBe(false);
  });
});
