// The reference server: opens the database, brings the stored grants (and --config) live, and
// listens. `startServer` is what `rolecall serve`, the tests, the demo and the benchmark call.
import type { AddressInfo } from 'node:net';
import type { GrantsSpec } from '../compiler/types.js';
import { buildApp } from './app.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateDatabase } from './db/migrate.js';
import { createLoggers, type LogDestination } from './logs.js';
import { applyConfigAtStart } from './policy/config-drift.js';
import { createDefaultToolkit, type ServerEngine } from './policy/default-toolkit.js';
import { LivePolicy } from './policy/live-policy.js';
import { DEFAULT_SCAN_LIMIT } from './services/allowed-page.js';
import type { PolicyToolkit } from './policy/toolkit.js';

export { ApiError } from './errors.js';
export type { Database } from './db/database.js';

export interface ServerOptions {
  apiKey: string;
  apiSecret: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** PostgreSQL URL; embedded PGlite when absent. */
  databaseUrl?: string;
  /** PGlite folder; in memory when absent (ignored with databaseUrl). */
  dataDir?: string;
  /** The grants file applied at start over the stored state (drift is logged). */
  config?: { file: string; text: string } | { spec: GrantsSpec };
  logs?: LogDestination;
  toolkit?: PolicyToolkit;
  /** The local engine decisions run in (ignored with `toolkit`): `js` (default) or `wasm`. */
  engine?: ServerEngine;
  /** Use an already open database (tests, benchmarks); it is not closed by `close()`. */
  database?: Database;
  /**
   * SQL rows one queryCalls may read and decide (rows the team filter lets through but ReadCall
   * refuses cost a decision each); past it the request answers 400 QUERY_TOO_BROAD. Default 20,000.
   */
  queryScanLimit?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  app: ReturnType<typeof buildApp>;
  db: Database;
  live: LivePolicy;
  close: () => Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const loggers = createLoggers(options.logs ?? 'stdout');
  const toolkit = options.toolkit ?? (await createDefaultToolkit(options.engine));
  const ownsDatabase = options.database === undefined;
  const db =
    options.database ??
    (await openDatabase({
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      onConnectionLost: (error) => {
        loggers.log.warn({ err: error.message }, 'database connection lost');
      },
    }));
  try {
    await migrateDatabase(db);
    const spec = await applyConfigAtStart(db, toolkit, options.config, loggers.log);
    const live = await LivePolicy.create(toolkit, spec);
    const app = buildApp({
      db,
      live,
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      log: loggers.log,
      decisionLog: loggers.decisions,
      limits: { queryScanLimit: options.queryScanLimit ?? DEFAULT_SCAN_LIMIT },
    });
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const host = options.host ?? '127.0.0.1';
    loggers.log.info(
      { port, database: db.kind, revision: live.revision },
      'rolecall server listening',
    );
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      app,
      db,
      live,
      // Idempotent: a signal handler and a test may both close the server.
      close: () =>
        (closing ??= (async () => {
          await app.close();
          await live.close();
          if (ownsDatabase) await db.close();
        })()),
    };
  } catch (error) {
    if (ownsDatabase) await db.close();
    throw error;
  }
}
