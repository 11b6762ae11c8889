// What every service function gets: the database, the live policy, the decider and the actor.
import type { Actor } from '../actor.js';
import type { Database } from '../db/database.js';
import type { Decider } from '../decider.js';
import type { LivePolicy } from '../policy/live-policy.js';
import type { FastifyBaseLogger } from 'fastify';

export interface ServiceContext {
  db: Database;
  live: LivePolicy;
  decider: Decider;
  actor: Actor;
  log: FastifyBaseLogger;
}

export function contextOf(actor: Actor): { side: Actor['side'] } {
  return { side: actor.side };
}
