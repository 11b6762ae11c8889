// The one database interface the server talks to: parameterized SQL and transactions, with an
// embedded PGlite adapter (memory or on disk) and a PostgreSQL adapter (pg) behind it.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type SqlValue = string | number | boolean | null | string[] | Record<string, unknown>;

/** Something that runs one parameterized statement; a database or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface Database extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

/** Opens PGlite in memory (no dataDir) or persisted in `dataDir`. */
export async function openPglite(dataDir?: string): Promise<Database> {
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const run = async <Row>(
    target: Pick<PGlite, 'query'>,
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<Row[]> => (await target.query<Row>(sql, [...params])).rows;
  return {
    kind: 'pglite',
    query: (sql, params) => run(db, sql, params),
    transaction: (work) =>
      db.transaction((tx) => work({ query: (sql, params) => run(tx, sql, params) })),
    close: () => db.close(),
  };
}

/** Told of an idle pooled connection that PostgreSQL closed (restart, pg_terminate_backend). */
export type ConnectionLost = (error: Error) => void;

/** Opens a pool on a PostgreSQL server named by a connection URL (DATABASE_URL). */
export async function openPostgres(
  url: string,
  onConnectionLost?: ConnectionLost,
): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection's error is emitted on the pool, outside any request; without a listener
  // it is an uncaught exception that takes the server down. The pool drops that connection and
  // opens a new one for the next query, so reporting it is all there is to do.
  pool.on('error', (error) => onConnectionLost?.(error));
  // pool.end() resolves once its clients are told to end, not once their sockets are closed;
  // count them so close() returns only when PostgreSQL has seen every connection go.
  let openClients = 0;
  let lastClientClosed: (() => void) | undefined;
  pool.on('connect', () => {
    openClients += 1;
  });
  pool.on('remove', () => {
    openClients -= 1;
    if (openClients === 0) lastClientClosed?.();
  });
  // Fail at start, not at the first request, when the server cannot be reached.
  await pool.query('SELECT 1');
  return {
    kind: 'postgres',
    query: async <Row>(sql: string, params: readonly unknown[] = []) =>
      (await pool.query(sql, [...params])).rows as Row[],
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async <Row>(sql: string, params: readonly unknown[] = []) =>
            (await client.query(sql, [...params])).rows as Row[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    close: async () => {
      const allClosed = new Promise<void>((resolve) => {
        lastClientClosed = resolve;
      });
      await pool.end();
      if (openClients > 0) await allClosed;
    },
  };
}

/** PostgreSQL when a URL is given (usually DATABASE_URL), else embedded PGlite. */
export function openDatabase(options: {
  databaseUrl?: string;
  dataDir?: string;
  onConnectionLost?: ConnectionLost;
}): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgres(options.databaseUrl, options.onConnectionLost);
  }
  return openPglite(options.dataDir);
}
