// Writes that name a role or a call type (a member's or a user's role, a new call's type) check
// the name against this server's grants, then store it. A concurrent deleteRole or
// deleteCallType (one transaction holding the stored grants' row FOR UPDATE) could slip in
// between: a deleted role left assigned, a call of a deleted type. Such writes hold that row for
// their transaction first, so the deletion either commits before them or waits for them (and then
// sees, resets or refuses what they wrote), and they check names only against grants that are
// the stored ones.
import { ApiError } from '../errors.js';
import type { Queryable } from '../db/database.js';
import { holdStoredRevision } from '../store/state.js';
import type { ServiceContext } from './context.js';

/**
 * Holds the stored grants for `tx` and makes sure this server decides with them: if they changed
 * and this server has not applied them yet, the request is refused (409, to be sent again).
 * Call before checking the names the write stores.
 */
export async function holdCurrentGrants(context: ServiceContext, tx: Queryable): Promise<void> {
  const stored = await holdStoredRevision(tx);
  if (stored !== undefined && stored !== context.live.revision) {
    throw new ApiError(
      409,
      'GRANTS_CHANGED',
      'the roles or call types changed while this request ran; send it again',
    );
  }
}
