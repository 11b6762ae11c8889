// `rolecall/decision` in JavaScript (DESIGN §4): the same order of evaluation, reasons and words
// as policies/engine/decision.rego, over the compiled decision tables.
import { compareCodePoints } from '../compare.js';
import type { Decision, MatchedGrant } from '../contract.js';
import { callGrants, conditionsHold, roleLayers, type GrantTuple } from './call-grants.js';
import type { CompiledPolicy } from './compiled.js';
import { isUserLevel } from '../policy.js';
import { readDecisionFacts, type DecisionFacts } from './facts.js';
import { decisionInputProblems, problemsMessage } from './input.js';

/** The input's roles, sorted, for the NOT_GRANTED message. */
function namedRoles({ subjectRole, callRole }: DecisionFacts): string {
  if (callRole === undefined || callRole === subjectRole) return subjectRole;
  return compareCodePoints(subjectRole, callRole) < 0
    ? `${subjectRole}, ${callRole}`
    : `${callRole}, ${subjectRole}`;
}

/** Rule 4: what only a server-side request may change, sorted; empty when nothing is. */
export function serverOnlyChanges(
  policy: CompiledPolicy,
  facts: DecisionFacts,
  action: string,
): string[] {
  const { changes, kind } = facts;
  if (changes.length === 0 && !(policy.multiTenant && action === 'CreateUser')) return [];
  const found: string[] = [];
  if (changes.includes('config_overrides')) found.push('change config_overrides');
  if (action === 'UpdateCallMember' && changes.includes('role')) {
    found.push("change a call member's role");
  }
  const createsOwnCall = action === 'CreateCall' && facts.createdById === facts.subjectId;
  if (changes.includes('created_by_id') && !createsOwnCall) found.push('change created_by_id');
  if (policy.multiTenant) {
    if (action === 'CreateUser') found.push('create users');
    if (kind === 'user' && changes.includes('teams')) found.push("change a user's teams");
    if (kind === 'call' && action !== 'CreateCall' && changes.includes('team')) {
      found.push("change a call's team");
    }
  }
  return found.sort(compareCodePoints);
}

/**
 * Rule 7's one exception: reading a call listed by a client query, whose team the query filter
 * already decided (DESIGN §5, Listing). `same_team` conditions still hold only within the teams.
 */
export function teamDecidedByQuery(facts: DecisionFacts, action: string): boolean {
  return facts.listing && action === 'ReadCall' && facts.kind === 'call';
}

/** Rule 6: a subject with teams creates a call without a team. */
export function teamRequired(policy: CompiledPolicy, facts: DecisionFacts, action: string) {
  return (
    policy.multiTenant &&
    facts.subjectTeams.length > 0 &&
    action === 'CreateCall' &&
    typeof facts.resourceTeam !== 'string'
  );
}

function appGrants(policy: CompiledPolicy, facts: DecisionFacts, action: string): GrantTuple[] {
  const grants: GrantTuple[] = [];
  const role = facts.subjectRole;
  if (!isUserLevel(policy.roleLevels.get(role))) return grants;
  for (const entry of policy.app.get(role)?.get(action) ?? []) {
    if (conditionsHold(facts, entry)) grants.push(['.app', role, entry.permission, entry.source]);
  }
  return grants;
}

function compareTuples(left: GrantTuple, right: GrantTuple): number {
  for (let index = 0; index < 4; index += 1) {
    const order = compareCodePoints(left[index] ?? '', right[index] ?? '');
    if (order !== 0) return order;
  }
  return 0;
}

/** Sorted, without duplicates (the Rego engine's sets). */
function sortedTuples(tuples: GrantTuple[]): GrantTuple[] {
  if (tuples.length < 2) return tuples;
  tuples.sort(compareTuples);
  return tuples.filter(
    (tuple, index) => index === 0 || compareTuples(tuples[index - 1] as GrantTuple, tuple) !== 0,
  );
}

function grantEntry([scope, role, permission, source]: GrantTuple): MatchedGrant {
  return source === '' ? { scope, role, permission } : { scope, role, permission, source };
}

function deny(policy: CompiledPolicy, reason: Decision['reason'], message: string): Decision {
  return { allow: false, reason, message, revision: policy.revision, grants: [] };
}

/** The full decision for any input. */
export function decide(policy: CompiledPolicy, input: unknown): Decision {
  const facts = readDecisionFacts(policy, input);
  if (facts === undefined) {
    // Only an invalid input pays for the list of problems.
    const problems = decisionInputProblems(input) ?? [];
    return deny(policy, 'INVALID_INPUT', problemsMessage(problems));
  }
  const action = facts.action as string;
  const definition = policy.actions.get(action);
  if (definition === undefined) return deny(policy, 'UNKNOWN_ACTION', `unknown action ${action}`);
  if (facts.serverSide) {
    return {
      allow: true,
      reason: 'SERVER_SIDE',
      message: 'server-side requests are not permission checked',
      revision: policy.revision,
      grants: [],
    };
  }
  const serverOnly = serverOnlyChanges(policy, facts, action);
  if (serverOnly.length > 0) {
    return deny(policy, 'SERVER_ONLY', `only a server-side request may ${serverOnly.join('; ')}`);
  }
  if (facts.subjectRole === 'anonymous' && definition.kind === 'write') {
    return deny(
      policy,
      'ANONYMOUS_READ_ONLY',
      `anonymous users cannot perform the write action ${action}`,
    );
  }
  if (teamRequired(policy, facts, action)) {
    return deny(policy, 'TEAM_REQUIRED', "a user with teams must set the call's team to create it");
  }
  if (!facts.reachable && !teamDecidedByQuery(facts, action)) {
    return deny(policy, 'TEAM_MISMATCH', `the ${facts.kind} is outside the subject's teams`);
  }
  const revocations: GrantTuple[] = [];
  const grants = sortedTuples(
    definition.level === 'app'
      ? appGrants(policy, facts, action)
      : definition.level === 'call' && facts.kind === 'call'
        ? callGrants(policy, facts, roleLayers(policy, facts, action), action, revocations)
        : [],
  );
  if (facts.kind === 'user' && grants.length > 0) {
    const forbidden = ['role', 'teams'].filter((name) => facts.changes.includes(name));
    const onlyOwner = grants.every(
      ([, , permission]) => policy.permissions.get(permission)?.owner === true,
    );
    if (onlyOwner && forbidden.length > 0) {
      return deny(
        policy,
        'FORBIDDEN_FIELD',
        `owner grants do not allow changing ${forbidden.join(', ')}`,
      );
    }
  }
  const first = grants[0];
  if (first !== undefined) {
    const [scope, role, permission] = first;
    return {
      allow: true,
      reason: 'GRANTED',
      message: `${action} granted by ${permission} to role ${role} in scope ${scope}`,
      revision: policy.revision,
      grants: grants.map(grantEntry),
    };
  }
  const revoked = sortedTuples(revocations)[0];
  if (revoked !== undefined) {
    const [scope, role, permission] = revoked;
    return {
      allow: false,
      reason: 'REVOKED',
      message: `${action} revoked by !${permission} for role ${role} in scope ${scope}`,
      revision: policy.revision,
      grants: sortedTuples(revocations).map(grantEntry),
    };
  }
  return deny(policy, 'NOT_GRANTED', `no grant of ${action} for role ${namedRoles(facts)}`);
}
