// `rolecall serve`: the reference server on embedded PGlite (memory, or --data-dir) or on
// PostgreSQL when DATABASE_URL is set; runs until SIGINT/SIGTERM, then closes cleanly.
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  credentialsProblem,
  DECISION_LOG_MODES,
  LOG_LEVELS,
  startServer,
  type CallIdRule,
  type DecisionLogMode,
  type LogLevel,
} from '../../server/index.js';
import { defineCommand, usageLine } from '../args.js';
import { readGrantsText } from '../files.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

export const spec = defineCommand({
  usage:
    '[--config FILE] [--port N] [--host H] --api-key KEY --api-secret SECRET [--data-dir DIR]\n' +
    '       [--engine js|wasm] [--call-ids any|team-prefixed] [--log-level LEVEL] [--decision-log all|deny|off]',
  summary:
    "The reference server: Stream's REST wire for users, calls, roles, permissions, call types and app settings, every request decided by the policy.",
  options: {
    config: { type: 'string' },
    port: { type: 'string', default: '3030' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    'data-dir': { type: 'string' },
    engine: { type: 'string', default: 'js' },
    'call-ids': { type: 'string', default: 'any' },
    'log-level': { type: 'string', default: 'info' },
    'decision-log': { type: 'string', default: 'all' },
  },
  flags: {
    config: 'a grants file applied at start over the stored grants (drift is logged)',
    port: 'the port to listen on; 0 picks a free one',
    host: 'the address to listen on',
    'api-key': "the app's public key (or ROLECALL_API_KEY)",
    'api-secret': 'signs and verifies tokens, at least 16 characters (or ROLECALL_API_SECRET)',
    'data-dir': 'keep the embedded database in this folder (default: in memory)',
    engine: 'the local decision engine: js or wasm',
    'call-ids': 'any, or team-prefixed (a call in team T needs an id "T:…")',
    'log-level': `server log level: ${LOG_LEVELS.join(', ')}`,
    'decision-log': 'one JSON line per decision: all, deny (refusals only) or off',
  },
  notes: 'DATABASE_URL=postgres://… selects PostgreSQL instead of the embedded PGlite.',
});

const USAGE = usageLine('serve', spec);

interface ServeArgs {
  config: string | undefined;
  port: number;
  host: string;
  apiKey: string;
  apiSecret: string;
  dataDir: string | undefined;
  engine: 'js' | 'wasm';
  callIds: CallIdRule;
  logLevel: LogLevel;
  decisionLog: DecisionLogMode;
}

function parseServeArgs(argv: string[]): ServeArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: spec.options, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0–65535\n${USAGE}`);
  const apiKey = values['api-key'] ?? process.env['ROLECALL_API_KEY'];
  const apiSecret = values['api-secret'] ?? process.env['ROLECALL_API_SECRET'];
  if (apiKey === undefined || apiKey === '')
    throw new UsageError(`--api-key is required\n${USAGE}`);
  if (apiSecret === undefined) throw new UsageError(`--api-secret is required\n${USAGE}`);
  // The same rule as startServer's, said in the CLI's words.
  const problem = credentialsProblem(apiKey, apiSecret);
  if (problem !== undefined) throw new UsageError(`--api-secret: ${problem}\n${USAGE}`);
  const engine = values.engine;
  if (engine !== 'js' && engine !== 'wasm') {
    throw new UsageError(`unknown --engine "${engine}"; use js or wasm\n${USAGE}`);
  }
  const callIds = values['call-ids'];
  if (callIds !== 'any' && callIds !== 'team-prefixed') {
    throw new UsageError(`unknown --call-ids "${callIds}"; use any or team-prefixed\n${USAGE}`);
  }
  const logLevel = LOG_LEVELS.find((level) => level === values['log-level']);
  if (logLevel === undefined) {
    throw new UsageError(
      `unknown --log-level "${values['log-level']}"; use ${LOG_LEVELS.join(', ')}\n${USAGE}`,
    );
  }
  const decisionLog = DECISION_LOG_MODES.find((mode) => mode === values['decision-log']);
  if (decisionLog === undefined) {
    throw new UsageError(
      `unknown --decision-log "${values['decision-log']}"; use all, deny or off\n${USAGE}`,
    );
  }
  return {
    engine,
    callIds,
    logLevel,
    decisionLog,
    config: values.config,
    port,
    host: values.host,
    apiKey,
    apiSecret,
    dataDir: values['data-dir'],
  };
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseServeArgs(argv);
  let config: { file: string; text: string } | undefined;
  if (args.config !== undefined) {
    try {
      config = {
        file: args.config,
        text: await readGrantsText(path.resolve(io.cwd, args.config)),
      };
    } catch (error) {
      io.stderr(`rolecall serve: cannot read ${args.config}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }
  const databaseUrl = process.env['DATABASE_URL'];
  // Opening the database and compiling the grants can take seconds on a loaded machine: say so.
  const database =
    databaseUrl !== undefined && databaseUrl !== ''
      ? 'PostgreSQL from DATABASE_URL'
      : args.dataDir === undefined
        ? 'embedded PGlite in memory'
        : `embedded PGlite in ${args.dataDir}`;
  io.stderr(`rolecall serve: starting on ${args.host}:${String(args.port)} with ${database}…\n`);
  let server;
  try {
    server = await startServer({
      apiKey: args.apiKey,
      apiSecret: args.apiSecret,
      engine: args.engine,
      callIds: args.callIds,
      logLevel: args.logLevel,
      decisionLog: args.decisionLog,
      port: args.port,
      host: args.host,
      ...(config === undefined ? {} : { config }),
      ...(databaseUrl === undefined || databaseUrl === '' ? {} : { databaseUrl }),
      ...(args.dataDir === undefined ? {} : { dataDir: path.resolve(io.cwd, args.dataDir) }),
    });
  } catch (error) {
    io.stderr(`rolecall serve: ${(error as Error).message}\n`);
    return 1;
  }
  io.stderr(`rolecall serve: listening on ${server.url} (${server.db.kind})\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (received: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(received);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.stderr(`rolecall serve: ${signal} received, closing ${server.url}…\n`);
  await server.close();
  io.stderr('rolecall serve: closed\n');
  return EXIT_OK;
}
