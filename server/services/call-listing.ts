// queryCalls (DESIGN §5, "Listing"): the policy's query_filter decides the team condition, SQL
// applies it, and each row is then decided ReadCall (call-type grants, overrides, membership)
// before it is enriched. Soft-deleted calls are never listed.
import { badRequest } from '../errors.js';
import { allowedPage } from './allowed-page.js';
import { decisionInput, toCallState, type CallState } from './call-records.js';
import {
  blockedCallKeys,
  listCallRows,
  loadMembers,
  readOneSnapshot,
  type CallRow,
  type MemberRow,
} from '../store/calls.js';
import type { DecisionInput } from '../../sdk/types.js';
import type { Queryable } from '../db/database.js';
import type { ServiceContext } from './context.js';
import { listingOf } from './scoped-filter.js';
import type { ListingBody } from '../schemas/bodies.js';

/** queryCalls: the policy's filter, SQL, then every row re-decided (ReadCall) and enriched. */
export async function queryCalls(
  context: ServiceContext,
  body: ListingBody,
): Promise<{ calls: CallState[] }> {
  const request = await listingOf(context, 'calls', body);
  const { condition } = request;
  const membersByCall = new Map<string, MemberRow[]>();
  const membersOf = (row: CallRow): MemberRow[] =>
    membersByCall.get(`${row.call_type}:${row.id}`) ?? [];
  // The chunks are read in one snapshot (REPEATABLE READ), so a call created or changed between
  // two of them cannot shift the order: no call twice in a page, none skipped.
  const scan = await context.db.transaction(async (tx) => {
    await readOneSnapshot(tx);
    return allowedPage<CallRow>(
      {
        fetch: async (chunkLimit, chunkOffset) => {
          const rows = await listCallRows(tx, condition, request.orderSql, chunkLimit, chunkOffset);
          await loadMembers(tx, rows, membersByCall);
          return rows;
        },
        allowed: (rows) => readableRows(context, tx, rows, membersOf),
      },
      request.limit,
      request.offset,
      context.limits.queryScanLimit,
    );
  });
  if (scan.truncated) {
    throw badRequest(
      'QUERY_TOO_BROAD',
      `more than ${String(context.limits.queryScanLimit)} calls match this filter with too few of them readable to fill the page; narrow filter_conditions`,
    );
  }
  const calls: CallState[] = [];
  for (const row of scan.rows) calls.push(await toCallState(context, row, membersOf(row)));
  return { calls };
}

/**
 * One ReadCall decision per row, in one engine evaluation. The row's team was decided by the
 * query filter (with ANY_TEAM, any team), so the input says `listing`: the engine then skips
 * rule 7 for this read and still looks for a read-call grant in the call's layers (`same_team`
 * conditions still hold only within the subject's teams). A call the subject is blocked from is
 * not listed, as it cannot be read (getCall answers USER_BLOCKED).
 */
async function readableRows(
  context: ServiceContext,
  tx: Queryable,
  rows: CallRow[],
  membersOf: (row: CallRow) => MemberRow[],
): Promise<boolean[]> {
  const reads = await context.policy.decideMany(
    rows.map((row) => listedRead(decisionInput(context, 'ReadCall', row, membersOf(row)))),
  );
  const blocked =
    context.actor.side === 'server'
      ? new Set<string>()
      : await blockedCallKeys(tx, rows, context.actor.subject.id);
  return rows.map(
    (row, index) => reads[index]?.allow === true && !blocked.has(`${row.call_type}:${row.id}`),
  );
}

const listedRead = (input: DecisionInput): DecisionInput => ({
  ...input,
  context: { ...input.context, listing: true },
});
