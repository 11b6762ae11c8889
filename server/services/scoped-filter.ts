// The one path from a client's filter to SQL: the policy's query_filter decides (and injects the
// subject's teams), then only the filter it returned is translated. Users and calls both use it,
// so no query can reach SQL without the team filter.
import { refusalOf } from '../decider.js';
import { badRequest } from '../errors.js';
import { checkFilterBounds } from '../query/filter-bounds.js';
import { translateFilter } from '../query/filter-sql.js';
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
