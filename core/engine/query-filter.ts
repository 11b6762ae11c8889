// `rolecall/query_filter` in JavaScript (DESIGN §5): rewrites a client's queryUsers / queryCalls
// filter so it stays inside the subject's teams, or denies it — the words of query_filter.rego.
import { compareCodePoints } from '../compare.js';
import type { FilterConditions, QueryFilterResult } from '../contract.js';
import { isUserLevel } from '../policy.js';
import type { CompiledPolicy } from './compiled.js';
import { problemsMessage, queryInputProblems } from './input.js';
import { field, isObject, ownField, type JsonObject } from './json.js';

const QUERY_KINDS = {
  QueryUsers: { action: 'SearchUser', field: 'teams' },
  QueryCalls: { action: 'QueryCalls', field: 'team' },
} as const;

const FILTER_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$in',
  '$nin',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$exists',
  '$and',
  '$or',
  '$nor',
  '$autocomplete',
  '$contains',
]);

const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);

/** Unknown operators and malformed `$and`/`$or`/`$nor`, at any depth (an iterative walk). */
function filterProblems(conditions: JsonObject): Set<string> {
  const problems = new Set<string>();
  const pending: unknown[] = [conditions];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (Array.isArray(node)) {
      pending.push(...(node as unknown[]));
      continue;
    }
    if (!isObject(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('$') && !FILTER_OPERATORS.has(key)) {
        problems.add(`unknown operator ${key}`);
      }
      if (LOGICAL_OPERATORS.has(key) && !(Array.isArray(value) && value.every(isObject))) {
        problems.add(`${key} must be an array of objects`);
      }
      pending.push(value);
    }
  }
  return problems;
}

function result(
  allow: boolean,
  reason: QueryFilterResult['reason'],
  filter: FilterConditions | null,
  injected: boolean,
  message: string,
): QueryFilterResult {
  return { allow, reason, filter, injected, message };
}

/** A team value provably inside the subject's teams (several operators are ANDed). */
function teamValueWithin(value: unknown, teams: readonly string[]): boolean {
  const scalarWithin = (scalar: unknown) =>
    typeof scalar === 'string' ? teams.includes(scalar) : scalar === null && teams.length === 0;
  if (typeof value === 'string' || value === null) return scalarWithin(value);
  if (Array.isArray(value)) return value.length === 0 && teams.length === 0;
  if (!isObject(value)) return false;
  return Object.entries(value).some(([operator, argument]) => {
    if (operator === '$eq') return scalarWithin(argument);
    return (
      operator === '$in' &&
      Array.isArray(argument) &&
      argument.length > 0 &&
      argument.every(scalarWithin)
    );
  });
}

export function queryFilter(policy: CompiledPolicy, input: unknown): QueryFilterResult {
  const problems = queryInputProblems(input);
  if (problems !== undefined) {
    return result(false, 'INVALID_INPUT', null, false, problemsMessage(problems));
  }
  const valid = input as JsonObject;
  const conditionsValue = field(field(valid, 'query'), 'filter_conditions');
  const conditions: JsonObject = isObject(conditionsValue) ? conditionsValue : {};
  if (field(field(valid, 'context'), 'side') === 'server') {
    return result(true, 'SERVER_SIDE', conditions, false, 'server-side queries are not filtered');
  }
  const found = filterProblems(conditions);
  if (found.size > 0) {
    const message = `invalid filter: ${[...found].sort(compareCodePoints).join('; ')}`;
    return result(false, 'INVALID_FILTER', null, false, message);
  }
  const kind = QUERY_KINDS[ownField(valid, 'action') as keyof typeof QUERY_KINDS];
  const subject = ownField(valid, 'subject') as JsonObject;
  const role = ownField(subject, 'role') as string;
  // An owner grant never holds on a search, so it grants no query.
  const entries = isUserLevel(policy.roleLevels.get(role))
    ? (policy.app.get(role)?.get(kind.action) ?? []).filter((entry) => !entry.owner)
    : [];
  if (entries.length === 0) {
    const message = `no grant of ${kind.action} for role ${role}`;
    return result(false, 'NOT_GRANTED', null, false, message);
  }
  if (!policy.multiTenant)
    return result(true, 'SINGLE_TENANT', conditions, false, 'multi-tenant is off');
  const teamsValue = field(subject, 'teams');
  const teams: readonly string[] = Array.isArray(teamsValue) ? (teamsValue as string[]) : [];
  const teamValue = ownField(conditions, kind.field);
  if (teamValue === undefined) {
    const filter = { ...conditions, [kind.field]: teams.length > 0 ? { $in: teams } : null };
    const message = `added a ${kind.field} condition for the subject's teams`;
    return result(true, 'INJECTED', filter, true, message);
  }
  if (teamValueWithin(teamValue, teams)) {
    const message = `the ${kind.field} condition stays inside the subject's teams`;
    return result(true, 'WITHIN_TEAMS', conditions, false, message);
  }
  if (entries.some((entry) => !entry.same_team)) {
    // `{}` on the team field means all teams: the condition leaves the filter.
    const allTeams = isObject(teamValue) && Object.keys(teamValue).length === 0;
    const filter = allTeams
      ? Object.fromEntries(Object.entries(conditions).filter(([key]) => key !== kind.field))
      : conditions;
    return result(true, 'ANY_TEAM', filter, false, `the subject may ${kind.action} in any team`);
  }
  const message = `the ${kind.field} condition reaches outside the subject's teams`;
  return result(false, 'CROSS_TEAM_QUERY', null, false, message);
}
