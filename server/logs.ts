// Two pino streams: one line per HTTP request, and one OPA-shaped decision-log line per decision
// (decision_id, revision, path, input, result), which is what an auditor replays. Decision lines
// are bounded: which decisions are written is configurable, and a large input or result is written
// as its size and SHA-256 instead of a copy.
import { createHash, randomUUID } from 'node:crypto';
import pino, { type Level, type Logger } from 'pino';

export interface ServerLoggers {
  /** Request lines and server events (drift, start, errors). */
  log: Logger;
  /** Decision-log lines only. */
  decisions: Logger;
}

export type LogDestination = 'stdout' | 'silent' | { write: (line: string) => void };

/** Level of the server log (request lines are `info`); decision lines follow DecisionLogMode. */
export type LogLevel = Level | 'silent';

/** Which decisions are written: every one, only refusals (`allow: false`), or none. */
export type DecisionLogMode = 'all' | 'deny' | 'off';

export const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
export const DECISION_LOG_MODES: readonly DecisionLogMode[] = ['all', 'deny', 'off'];

/**
 * Bytes of JSON (UTF-8) above which an input or a result is summarized as `{size, sha256}`:
 * an ordinary decision input (subject, resource, call grants) is well below it, a large filter or
 * a call with a big `custom` is not.
 */
export const DECISION_LOG_INLINE_BYTES = 2 * 1024;

export interface LoggerOptions {
  /** Server log level; `info` by default. */
  level?: LogLevel;
  /** `all` by default. */
  decisionLog?: DecisionLogMode;
}

// The mode travels with the decisions logger, so whoever holds the logger (the Decider) needs
// nothing else to honour it.
const decisionModes = new WeakMap<Logger, DecisionLogMode>();

function toLogger(destination: LogDestination, name: string, level: LogLevel): Logger {
  if (destination === 'silent' || level === 'silent') return pino({ enabled: false });
  if (destination === 'stdout') return pino({ name, level });
  return pino(
    { name, level },
    {
      write: (line: string) => {
        destination.write(line);
      },
    },
  );
}

export function createLoggers(
  destination: LogDestination,
  options: LoggerOptions = {},
): ServerLoggers {
  const mode = options.decisionLog ?? 'all';
  const decisions = toLogger(destination, 'rolecall-decisions', mode === 'off' ? 'silent' : 'info');
  decisionModes.set(decisions, mode);
  return {
    log: toLogger(destination, 'rolecall-server', options.level ?? 'info'),
    decisions,
  };
}

export interface DecisionLogEntry {
  path: string;
  input: unknown;
  result: unknown;
  revision: string;
  /** The request the decision belongs to (fastify request id). */
  requestId?: string;
}

/** A value too large to copy into a log line: what identifies it without repeating it. */
export interface ValueSummary {
  /** Bytes of its JSON text (UTF-8). */
  size: number;
  /** SHA-256 of that JSON text, hex. */
  sha256: string;
}

/** The value itself when its JSON is at most DECISION_LOG_INLINE_BYTES, else its summary. */
function inlineOrSummary(value: unknown): { value: unknown } | { summary: ValueSummary } {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined || text.length * 3 <= DECISION_LOG_INLINE_BYTES) return { value };
  const size = Buffer.byteLength(text, 'utf8');
  if (size <= DECISION_LOG_INLINE_BYTES) return { value };
  return { summary: { size, sha256: createHash('sha256').update(text).digest('hex') } };
}

function isDeny(result: unknown): boolean {
  return (
    typeof result === 'object' && result !== null && (result as { allow?: unknown }).allow === false
  );
}

/** What a summarized result keeps verbatim: its verdict. */
function verdictOf(result: unknown): Record<string, unknown> {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return {};
  const { allow, reason } = result as { allow?: unknown; reason?: unknown };
  return {
    ...(typeof allow === 'boolean' ? { allow } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/**
 * Writes one decision in the shape of OPA's decision logs, unless the logger's mode leaves it
 * out (`deny` writes refusals only, `off` nothing). A large input is written as
 * `input_summary: {size, sha256}` instead of `input`, a large result as
 * `result_summary: {size, sha256, allow?, reason?}`. Returns the decision id, if written.
 */
export function logDecision(logger: Logger, entry: DecisionLogEntry): string | undefined {
  const mode = decisionModes.get(logger) ?? 'all';
  if (mode === 'off' || !logger.isLevelEnabled('info')) return undefined;
  if (mode === 'deny' && !isDeny(entry.result)) return undefined;
  const decisionId = randomUUID();
  const input = inlineOrSummary(entry.input);
  const result = inlineOrSummary(entry.result);
  logger.info(
    {
      decision_id: decisionId,
      revision: entry.revision,
      path: entry.path,
      ...('value' in input ? { input: input.value } : { input_summary: input.summary }),
      ...('value' in result
        ? { result: result.value }
        : { result_summary: { ...result.summary, ...verdictOf(entry.result) } }),
      ...(entry.requestId === undefined ? {} : { req_id: entry.requestId }),
      timestamp: new Date().toISOString(),
    },
    'decision',
  );
  return decisionId;
}
