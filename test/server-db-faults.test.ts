// The server survives PostgreSQL dropping its connections (a restart, an administrator's
// pg_terminate_backend): the pool's idle connections fail outside any request, which must be
// logged, never crash the process, and the next request gets a fresh connection.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const databaseUrl = process.env['DATABASE_URL'];

/** Several requests at once, so the server's pool holds several (then idle) connections. */
async function fillPool(server: TestServer, requests: number): Promise<void> {
  await Promise.all(
    Array.from({ length: requests }, () =>
      server.admin.queryUsers({ payload: { filter_conditions: {} } }),
    ),
  );
}

/** A separate connection to the PostgreSQL server, and the name of `server`'s own database. */
async function inspect(server: TestServer): Promise<{ admin: pg.Client; database: string }> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  return { admin, database: new URL(server.databaseUrl ?? '').pathname.slice(1) };
}

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
    await fillPool(test, 5);
    const { admin, database } = await inspect(test);
    const terminated = await admin.query<{ count: string }>(
      `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()) AS killed`,
      [database],
    );
    await admin.end();
    expect(Number(terminated.rows[0]?.count)).toBeGreaterThan(0);
    // The pool hears of the closed sockets asynchronously: wait (bounded) for the log line.
    const lost = (): boolean =>
      lines.some(
        (line) => (JSON.parse(line) as { msg?: string }).msg === 'database connection lost',
      );
    for (let waited = 0; !lost() && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lost()).toBe(true);
    expect(uncaught).toEqual([]);
    const { users } = await test.admin.queryUsers({ payload: { filter_conditions: {} } });
    expect(users.map((user) => user.id)).toEqual(['alice']);
  });

  it('close() returns only after every pooled connection is gone from PostgreSQL', async () => {
    const closing = await startTestServer('postgres');
    await fillPool(closing, 8);
    // Connected beforehand, so the count is taken the moment close() returns.
    const { admin, database } = await inspect(closing);
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
