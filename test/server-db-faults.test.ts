// The server survives PostgreSQL dropping its connections (a restart, an administrator's
// pg_terminate_backend): the pool's idle connections fail outside any request, which must be
// logged, never crash the process, and the next request gets a fresh connection.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const databaseUrl = process.env['DATABASE_URL'];

describe.runIf(databaseUrl !== undefined)('PostgreSQL connections dropped under the server', () => {
  let test: TestServer;
  const lines: string[] = [];
  const uncaught: unknown[] = [];
  const record = (error: unknown): void => {
    uncaught.push(error);
  };

  beforeAll(async () => {
    process.on('uncaughtException', record);
    test = await startTestServer('postgres', { logs: { write: (line) => lines.push(line) } });
    await test.admin.upsertUsers([{ id: 'alice' }]);
  });
  afterAll(async () => {
    process.off('uncaughtException', record);
    await test.close();
  });

  it('logs the lost idle connections and answers the next request', async () => {
    // Several requests at once leave several idle connections in the pool.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        test.admin.queryUsers({ payload: { filter_conditions: {} } }),
      ),
    );
    const database = new URL(test.databaseUrl ?? '').pathname.slice(1);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const terminated = await admin.query<{ count: string }>(
      `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()) AS killed`,
      [database],
    );
    await admin.end();
    expect(Number(terminated.rows[0]?.count)).toBeGreaterThan(0);
    // Give the pool a moment to notice the closed sockets.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(uncaught).toEqual([]);
    const { users } = await test.admin.queryUsers({ payload: { filter_conditions: {} } });
    expect(users.map((user) => user.id)).toEqual(['alice']);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.some((entry) => entry['msg'] === 'database connection lost')).toBe(true);
  });

  it('close() returns only after every pooled connection is gone from PostgreSQL', async () => {
    const closing = await startTestServer('postgres');
    await Promise.all(
      Array.from({ length: 8 }, () =>
        closing.admin.queryUsers({ payload: { filter_conditions: {} } }),
      ),
    );
    const database = new URL(closing.databaseUrl ?? '').pathname.slice(1);
    // Connected beforehand, so the count is taken the moment close() returns.
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await closing.server.close();
    try {
      const open = await admin.query<{ count: string }>(
        'SELECT count(*) FROM pg_stat_activity WHERE datname = $1',
        [database],
      );
      expect(Number(open.rows[0]?.count)).toBe(0);
    } finally {
      await admin.end();
      await closing.close();
    }
  });
});
