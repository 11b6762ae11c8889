// Writes that name a role or a call type (a member's or a user's role, a new call's type) check
// the name against this server's grants, then store it. A concurrent deleteRole or
// deleteCallType (one transaction holding the stored grants' row FOR UPDATE) could slip in
// between: a deleted role left assigned, a call of a deleted type. Such writes hold that row for
// their transaction first, so the deletion either commits before them or waits for them (and then
// sees, resets or refuses what they wrote), and they check names only against grants that are
// the stored ones.
import type { Queryable } from '../db/database.js';
import { holdStoredRevision } from '../store/state.js';
import type { ServiceContext } from './context.js';

/**
 * Holds the stored grants for `tx` and makes them this server's grants if they are not yet (a
 * change committed a moment ago, here or on another server, not applied so far). Call before
 * checking the names the write stores.
 */
export async function holdCurrentGrants(context: ServiceContext, tx: Queryable): Promise<void> {
  const stored = await holdStoredRevision(tx);
  if (stored === undefined || stored === context.live.revision) return;
  // Held, the stored grants cannot change until this transaction ends.
  await context.live.applyStored(tx);
}
