// Two pino streams: one line per HTTP request, and one OPA-shaped decision-log line per decision
// (decision_id, revision, path, input, result), which is what an auditor replays.
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';

export interface ServerLoggers {
  /** Request lines and server events (drift, start, errors). */
  log: Logger;
  /** Decision-log lines only. */
  decisions: Logger;
}

export type LogDestination = 'stdout' | 'silent' | { write: (line: string) => void };

function toLogger(destination: LogDestination, name: string): Logger {
  if (destination === 'silent') return pino({ enabled: false });
  if (destination === 'stdout') return pino({ name });
  return pino(
    { name },
    {
      write: (line: string) => {
        destination.write(line);
      },
    },
  );
}

export function createLoggers(destination: LogDestination): ServerLoggers {
  return {
    log: toLogger(destination, 'rolecall-server'),
    decisions: toLogger(destination, 'rolecall-decisions'),
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

/** Writes one decision in the shape of OPA's decision logs. */
export function logDecision(logger: Logger, entry: DecisionLogEntry): string {
  const decisionId = randomUUID();
  logger.info(
    {
      decision_id: decisionId,
      revision: entry.revision,
      path: entry.path,
      input: entry.input,
      result: entry.result,
      ...(entry.requestId === undefined ? {} : { req_id: entry.requestId }),
      timestamp: new Date().toISOString(),
    },
    'decision',
  );
  return decisionId;
}
