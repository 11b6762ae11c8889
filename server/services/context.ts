// What every service function gets: the database, the live policy, the decider and the actor.
import type { Actor } from '../actor.js';
import type { Database } from '../db/database.js';
import type { LivePolicy } from '../policy/live-policy.js';
import type { RequestPolicy } from '../request-policy.js';
import type { FastifyBaseLogger } from 'fastify';

export interface ServiceContext {
  db: Database;
  live: LivePolicy;
  /** The policy as this request asks it (subject, side and request id filled in, logged). */
  policy: RequestPolicy;
  actor: Actor;
  log: FastifyBaseLogger;
  limits: ServiceLimits;
  /** `any` when absent. */
  callIds?: CallIdRule;
  /** Signs a user token with the app secret (guests get theirs from the server). */
  issueGuestToken: (userId: string, expiresInSeconds: number) => Promise<string>;
}

/**
 * Which ids a client may give the calls it creates: `any` (Stream's behaviour), or
 * `team-prefixed`: a call in team T needs an id `T:…`, and a prefixed id needs that team.
 */
export type CallIdRule = 'any' | 'team-prefixed';

/** Operator limits on what one request may cost. */
export interface ServiceLimits {
  /** SQL rows one queryCalls may read and decide before it answers 400 QUERY_TOO_BROAD. */
  queryScanLimit: number;
}
