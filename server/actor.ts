// Who is asking: the server itself (server token) or one stored user (user token). The subject of
// every decision comes from here and the database, never from the request body.
import type { Side, Subject } from '../sdk/types.js';
import type { Principal } from './auth.js';
import type { Queryable } from './db/database.js';
import { ApiError } from './errors.js';

export interface Actor {
  side: Side;
  /** For the server side a stand-in subject: the policy allows it before looking at grants. */
  subject: Subject & { teams: string[] };
  requestId: string;
}

export const SERVER_SUBJECT_ID = 'rolecall-server';

export async function resolveActor(
  db: Queryable,
  principal: Principal,
  requestId: string,
): Promise<Actor> {
  if (principal.kind === 'server') {
    return {
      side: 'server',
      subject: { id: SERVER_SUBJECT_ID, role: 'admin', teams: [] },
      requestId,
    };
  }
  const rows = await db.query<{ id: string; role: string; teams: string[] }>(
    'SELECT id, role, teams FROM users WHERE id = $1 AND deleted_at IS NULL',
    [principal.userId],
  );
  const user = rows[0];
  if (user === undefined) {
    // Users are created by the back end (the seed: a user cannot pick its own tenant).
    throw new ApiError(401, 'UNKNOWN_USER', 'the token names a user that does not exist');
  }
  return {
    side: 'client',
    subject: { id: user.id, role: user.role, teams: [...user.teams].sort() },
    requestId,
  };
}

export function requireServer(actor: Actor): void {
  if (actor.side !== 'server') {
    throw new ApiError(403, 'SERVER_ONLY', 'this endpoint needs server-side auth (API secret)');
  }
}
