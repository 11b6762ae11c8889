// The reference server: opens the database, brings the stored grants (and --config) live, and
// listens. `startServer` is what `rolecall serve`, the tests, the demo and the benchmark call.
import type { AddressInfo } from 'node:net';
import type { GrantsSpec } from '../compiler/types.js';
import { buildApp } from './app.js';
import { ActorCache } from './actor.js';
import { credentialsProblem } from './auth.js';
import { ChangeFeed } from './db/change-feed.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateDatabase } from './db/migrate.js';
import {
  createLoggers,
  DECISION_LOG_MODES,
  LOG_LEVELS,
  type DecisionLogMode,
  type LogDestination,
  type LogLevel,
} from './logs.js';
import { applyConfigAtStart } from './policy/config-drift.js';
import { createDefaultToolkit, type ServerEngine } from './policy/default-toolkit.js';
import { LivePolicy } from './policy/live-policy.js';
import { DEFAULT_SCAN_LIMIT } from './services/allowed-page.js';
import type { PolicyToolkit } from './policy/toolkit.js';
import type { CallIdRule } from './services/context.js';

export { ApiError } from './errors.js';
export type { Database } from './db/database.js';
export type { CallIdRule } from './services/context.js';
export { MIN_SECRET_LENGTH, credentialsProblem } from './auth.js';
export { DECISION_LOG_INLINE_BYTES, DECISION_LOG_MODES, LOG_LEVELS } from './logs.js';
export type { DecisionLogMode, LogLevel } from './logs.js';

export interface ServerOptions {
  apiKey: string;
  /** Signs and verifies tokens (HS256): at least MIN_SECRET_LENGTH (16) characters. */
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
  /** Level of the server log (one `info` line per request); `info` by default. */
  logLevel?: LogLevel;
  /**
   * Decision-log lines: `all` (default), `deny` (refusals only) or `off`. Inputs and results
   * larger than DECISION_LOG_INLINE_BYTES are written as their size and SHA-256.
   */
  decisionLog?: DecisionLogMode;
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
  /**
   * Call ids clients may create: `any` (default, Stream's behaviour: one namespace, so a create
   * attempt can tell an id is taken) or `team-prefixed`: a client creates a call in team T only
   * with an id `T:…`, and an id `T:…` only in team T (400 CALL_ID_NOT_TEAM_PREFIXED otherwise).
   */
  callIds?: CallIdRule;
}

const CALL_ID_RULES: readonly CallIdRule[] = ['any', 'team-prefixed'];

export interface RunningServer {
  url: string;
  port: number;
  app: ReturnType<typeof buildApp>;
  db: Database;
  live: LivePolicy;
  close: () => Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const problem = credentialsProblem(options.apiKey, options.apiSecret);
  if (problem !== undefined) throw new Error(`cannot start the server: ${problem}`);
  const callIds = options.callIds ?? 'any';
  if (!CALL_ID_RULES.includes(callIds)) {
    throw new Error(
      `cannot start the server: callIds is "any" or "team-prefixed", not "${callIds}"`,
    );
  }
  const logLevel = options.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(
      `cannot start the server: logLevel is one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`,
    );
  }
  const decisionLog = options.decisionLog ?? 'all';
  if (!DECISION_LOG_MODES.includes(decisionLog)) {
    throw new Error(
      `cannot start the server: decisionLog is all, deny or off, not "${decisionLog}"`,
    );
  }
  const loggers = createLoggers(options.logs ?? 'stdout', { level: logLevel, decisionLog });
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
  let feed: ChangeFeed | undefined;
  try {
    await migrateDatabase(db);
    const spec = await applyConfigAtStart(db, toolkit, options.config, loggers.log);
    const live = await LivePolicy.create(toolkit, spec);
    // The feed's handlers reach the cache through this holder: the cache needs the feed's epoch.
    const holder: { actors?: ActorCache } = {};
    feed = await ChangeFeed.open(
      db,
      {
        grants: () => {
          live.markStale();
        },
        user: (userId) => holder.actors?.forget(userId),
        reset: () => {
          holder.actors?.clear();
          live.markStale();
        },
      },
      (error) => {
        loggers.log.warn({ err: error.message }, 'change feed lost; every change now drops caches');
      },
    );
    const openFeed = feed;
    const actors = new ActorCache(() => openFeed.currentEpoch);
    holder.actors = actors;
    const app = buildApp({
      caches: { feed: openFeed, actors },
      db,
      live,
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      log: loggers.log,
      decisionLog: loggers.decisions,
      limits: { queryScanLimit: options.queryScanLimit ?? DEFAULT_SCAN_LIMIT },
      callIds,
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
          await openFeed.close();
          await live.close();
          if (ownsDatabase) await db.close();
        })()),
    };
  } catch (error) {
    await feed?.close();
    if (ownsDatabase) await db.close();
    throw error;
  }
}
