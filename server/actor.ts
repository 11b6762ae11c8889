// Who is asking: the server itself (server token) or one stored user (user token). The subject of
// every decision comes from here and the database, never from the request body.
import type { Side, Subject } from '../sdk/types.js';
import type { Principal } from './auth.js';
import type { Queryable } from './db/database.js';
import { findIdentity, type UserIdentity } from './store/users.js';
import { ApiError } from './errors.js';

export interface Actor {
  side: Side;
  /** For the server side a stand-in subject: the policy allows it before looking at grants. */
  subject: Subject & { teams: string[] };
  requestId: string;
}

export const SERVER_SUBJECT_ID = 'rolecall-server';

/**
 * The subject of unauthenticated requests: role `anonymous`, no teams, and an id outside the user
 * id charset, so no stored call or user can name it as its owner.
 */
export const ANONYMOUS_SUBJECT_ID = '(anonymous)';

/**
 * Stored users' role and teams by id, kept until a change feed says the row changed (see
 * server/db/change-feed.ts). Bounded: past `limit` entries the oldest go first.
 */
export class ActorCache {
  private readonly rows = new Map<string, UserIdentity>();

  constructor(
    /** The invalidation epoch: a row read before it moved is not kept. */
    private readonly epoch: () => number,
    private readonly limit = 50_000,
  ) {}

  async lookup(db: Queryable, userId: string): Promise<UserIdentity | undefined> {
    const cached = this.rows.get(userId);
    if (cached !== undefined) return cached;
    const epoch = this.epoch();
    const row = await readUser(db, userId);
    // Unknown users are not kept: a user created later must be found by the next request.
    if (row !== undefined && this.epoch() === epoch) {
      if (this.rows.size >= this.limit) {
        const oldest = this.rows.keys().next().value;
        if (oldest !== undefined) this.rows.delete(oldest);
      }
      this.rows.set(userId, row);
    }
    return row;
  }

  forget(userId: string): void {
    this.rows.delete(userId);
  }

  clear(): void {
    this.rows.clear();
  }
}

async function readUser(db: Queryable, userId: string): Promise<UserIdentity | undefined> {
  const user = await findIdentity(db, userId);
  return user === undefined ? undefined : { ...user, teams: [...user.teams].sort() };
}

export async function resolveActor(
  db: Queryable,
  principal: Principal,
  requestId: string,
  cache?: ActorCache,
): Promise<Actor> {
  if (principal.kind === 'server') {
    return {
      side: 'server',
      subject: { id: SERVER_SUBJECT_ID, role: 'admin', teams: [] },
      requestId,
    };
  }
  if (principal.kind === 'anonymous') {
    return {
      side: 'client',
      subject: { id: ANONYMOUS_SUBJECT_ID, role: 'anonymous', teams: [] },
      requestId,
    };
  }
  const user =
    cache === undefined
      ? await readUser(db, principal.userId)
      : await cache.lookup(db, principal.userId);
  if (user === undefined) {
    // Users are created by the back end (the seed: a user cannot pick its own tenant).
    throw new ApiError(401, 'UNKNOWN_USER', 'the token names a user that does not exist');
  }
  // A guest picks its own id: once the back end has made that id a user (a role or teams of
  // its own), the guest's token must not act as that user.
  if (principal.guest && (user.role !== 'guest' || user.teams.length > 0)) {
    throw new ApiError(
      401,
      'GUEST_TOKEN_OUTDATED',
      'the token was issued to a guest, and this user is no longer that guest; ask the back end for a user token',
    );
  }
  return {
    side: 'client',
    subject: { id: user.id, role: user.role, teams: [...user.teams] },
    requestId,
  };
}

export function requireServer(actor: Actor): void {
  if (actor.side !== 'server') {
    throw new ApiError(403, 'SERVER_ONLY', 'this endpoint needs server-side auth (API secret)');
  }
}
