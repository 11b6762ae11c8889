// The one database interface the server talks to: parameterized SQL and transactions, with an
// embedded PGlite adapter (memory or on disk) and a PostgreSQL adapter (pg) behind it. A lost
// connection fails the statement or transaction that needed it (DatabaseUnavailableError), never
// the process.
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type SqlValue = string | number | boolean | null | string[] | Record<string, unknown>;

/** Something that runs one parameterized statement; a database or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<Row[]>;
}

export interface QueryOptions {
  /**
   * The statement's text is fixed (its values are all parameters) and it runs often: PostgreSQL
   * keeps it prepared on each connection, so it is parsed and planned once, not per request.
   * Only for texts from a fixed set, never for SQL built from a request (a filter).
   */
  prepare?: boolean;
}

/** Passed as `options` by the hot statements (see QueryOptions.prepare). */
export const PREPARED: QueryOptions = { prepare: true };

export interface Database extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
  /**
   * Delivers the payloads NOTIFY sends on `channel` after their transactions commit; resolves
   * once listening. On PGlite (one process) they are delivered before the statement or
   * transaction that committed them resolves; on PostgreSQL a dedicated connection receives
   * them a little later, and `onLost` is told when that connection ends (payloads may be lost).
   * Absent on wrappers that cannot listen: their users must assume anything may have changed.
   */
  listen?(
    channel: string,
    onPayload: (payload: string) => void,
    onLost: (error: Error) => void,
  ): Promise<() => Promise<void>>;
}

/** Channel names are identifiers we choose; refuse anything that would need quoting. */
function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  return channel;
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
    listen: async (channel, onPayload) => db.listen(checkChannel(channel), onPayload),
  };
}

/**
 * The database could not be reached, or dropped the connection a request was using (a restart,
 * pg_terminate_backend): that request failed as a whole and may be retried. A transaction cut
 * before its COMMIT was rolled back by PostgreSQL; one cut during COMMIT may or may not have
 * committed, like any commit whose answer is lost.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(cause: unknown) {
    super(`database connection lost: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** SQLSTATEs of a connection that is gone or refused: class 08, and 57P01–57P03 (shutdowns). */
const CONNECTION_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123])$/;
/** Socket errors of node, and the errors pg raises itself when its socket ends. */
const CONNECTION_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const PG_CONNECTION_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_SQLSTATE.test(code) || CONNECTION_ERRNO.has(code)))
    return true;
  return PG_CONNECTION_MESSAGE.test(error.message);
}

/** Rethrows a lost connection as DatabaseUnavailableError, anything else as it is. */
function connectionFailure(error: unknown): unknown {
  return isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
}

/** Told of a pooled connection that PostgreSQL closed (restart, pg_terminate_backend). */
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
  const statementNames = new StatementNames();
  const run = async <Row>(
    target: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly unknown[],
    options?: QueryOptions,
  ): Promise<Row[]> => {
    const name = options?.prepare === true ? statementNames.nameOf(sql) : undefined;
    try {
      const config = { text: sql, values: [...params], ...(name === undefined ? {} : { name }) };
      return (await target.query(config)).rows as Row[];
    } catch (error) {
      throw connectionFailure(error);
    }
  };
  // pool.end() resolves once its clients are told to end, not once their sockets are closed;
  // count them so close() returns only when PostgreSQL has seen every connection go.
  let openClients = 0;
  let lastClientClosed: (() => void) | undefined;
  pool.on('connect', (client) => {
    openClients += 1;
    // pg-pool listens for a checked-out client's first 'error' only (`once`) and destroys the
    // client; a dying connection can emit a second one (the FATAL message, then the socket),
    // which with no listener left is an uncaught exception. The first is already handled and
    // reported where it happened, so a later one is dropped here.
    client.on('error', ignoreLateError);
  });
  pool.on('remove', () => {
    openClients -= 1;
    if (openClients === 0) lastClientClosed?.();
  });
  // Fail at start, not at the first request, when the server cannot be reached.
  await pool.query('SELECT 1');
  return {
    kind: 'postgres',
    query: <Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) =>
      run<Row>(pool, sql, params, options),
    transaction: async (work) => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw connectionFailure(error);
      }
      // A checked-out client is the pool's no more: its connection's error (PostgreSQL ended the
      // backend between two statements) is emitted on the client, and with no listener there it
      // is an uncaught exception. Record it; the next statement then fails, and the client is
      // destroyed on release instead of going back to the pool.
      let lost: Error | undefined;
      const onError = (error: Error): void => {
        lost ??= error;
        onConnectionLost?.(error);
      };
      client.on('error', onError);
      let broken: unknown;
      try {
        await run(client, 'BEGIN', []);
        const result = await work({
          query: <Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) =>
            run<Row>(client, sql, params, options),
        });
        await run(client, 'COMMIT', []);
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // Nothing was committed (PostgreSQL rolls back a transaction whose backend ends), but
          // this connection cannot be used again.
          broken = rollbackError;
        }
        if (lost !== undefined || broken !== undefined) {
          throw error instanceof DatabaseUnavailableError
            ? error
            : new DatabaseUnavailableError(lost ?? error);
        }
        throw error;
      } finally {
        client.off('error', onError);
        // An error destroys the client: a broken connection never serves another request.
        client.release(lost ?? (broken === undefined ? undefined : toError(broken)));
      }
    },
    listen: async (channel, onPayload, onLost) => {
      // Outside the pool: LISTEN belongs to one session, which must stay open.
      const client = new pg.Client({ connectionString: url });
      let ended = false;
      client.on('notification', (message) => {
        if (message.channel === channel && message.payload !== undefined)
          onPayload(message.payload);
      });
      client.on('error', (error) => {
        if (!ended) onLost(error);
        ended = true;
      });
      client.on('end', () => {
        if (!ended) onLost(new Error('the LISTEN connection ended'));
        ended = true;
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${checkChannel(channel)}`);
      } catch (error) {
        ended = true;
        await client.end().catch(() => undefined);
        throw connectionFailure(error);
      }
      return async () => {
        ended = true;
        await client.end().catch(() => undefined);
      };
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

/**
 * Names of prepared statements, one per SQL text (pg prepares a name once per connection). A
 * fixed set of texts uses them; past `limit` texts, a statement simply runs unprepared.
 */
class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly limit = 256) {}

  nameOf(sql: string): string | undefined {
    const known = this.names.get(sql);
    if (known !== undefined || this.names.size >= this.limit) return known;
    const name = `rolecall_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    this.names.set(sql, name);
    return name;
  }
}

function ignoreLateError(): void {
  // See openPostgres: the error that matters reached the request or the pool's listener.
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
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
