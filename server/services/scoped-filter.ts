// The one path from a client's filter to SQL: the policy's query_filter decides (and injects the
// subject's teams), then only the filter it returned is translated. Users and calls both use it,
// so no query can reach SQL without the team filter; their sort and page are read here too.
import { refusalOf } from '../decider.js';
import { badRequest } from '../errors.js';
import { checkFilterBounds } from '../query/filter-bounds.js';
import { translateFilter } from '../query/filter-sql.js';
import { translateSort } from '../query/sort-sql.js';
import type { ListingBody } from '../schemas/bodies.js';
import type { ServiceContext } from './context.js';

const ACTION_OF = { users: 'QueryUsers', calls: 'QueryCalls' } as const;

/**
 * The SQL condition of the filter the policy allows; throws the refusal or a 400. The filter's
 * structural limits are checked first, for every subject: a filter past them never reaches the
 * policy, the decision log or the translator.
 */
export async function scopedFilterCondition(
  context: ServiceContext,
  resource: 'users' | 'calls',
  filterConditions: Record<string, unknown>,
): Promise<{ sql: string; params: unknown[] }> {
  const bounds = checkFilterBounds(filterConditions);
  if (!bounds.ok) throw badRequest(bounds.code, bounds.message);
  const verdict = await context.policy.queryFilter(ACTION_OF[resource], filterConditions);
  if (!verdict.allow || verdict.filter === null) throw refusalOf(verdict);
  const condition = translateFilter(resource, verdict.filter);
  if (!condition.ok) throw badRequest('INVALID_FILTER', condition.message);
  return condition;
}

/** A listing request ready for SQL: the allowed filter's condition, the order and the page. */
export interface Listing {
  condition: { sql: string; params: unknown[] };
  orderSql: string;
  limit: number;
  offset: number;
}

/** Stream's page defaults: 25 rows from the first. */
const DEFAULT_PAGE = { limit: 25, offset: 0 } as const;

/** queryUsers' or queryCalls' validated body as SQL parts (the sort is checked before the policy). */
export async function listingOf(
  context: ServiceContext,
  resource: 'users' | 'calls',
  body: ListingBody,
): Promise<Listing> {
  const order = translateSort(resource, body.sort);
  if (!order.ok) throw badRequest('INVALID_SORT', order.message);
  return {
    condition: await scopedFilterCondition(context, resource, body.filter_conditions ?? {}),
    orderSql: order.sql,
    limit: body.limit ?? DEFAULT_PAGE.limit,
    offset: body.offset ?? DEFAULT_PAGE.offset,
  };
}
