// `rolecall/decision` in JavaScript (DESIGN §4): the same order of evaluation, reasons and words
// as policies/engine/decision.rego, over the compiled decision tables.
import { compareCodePoints } from '../compare.js';
import type { Decision, MatchedGrant } from '../contract.js';
import type { TableEntry } from '../policy.js';
import type { CompiledPolicy, RoleTable } from './compiled.js';
import { decisionInputProblems, problemsMessage } from './input.js';
import { isObject, modifierId, type JsonObject } from './json.js';

/** A grant in effect or a revocation: [scope, role, permission, source]. */
type GrantTuple = readonly [string, string, string, string];

/** What the rules read of a valid decision input, looked up once. */
export interface DecisionFacts {
  subjectId: string;
  subjectRole: string;
  subjectTeams: readonly string[];
  /** The call role, on a call resource only. */
  callRole: string | undefined;
  /** The roles whose grants count: each only at its own level (DESIGN §4). */
  grantingRoles: readonly string[];
  kind: 'app' | 'call' | 'user';
  resource: JsonObject;
  changes: readonly string[];
  serverSide: boolean;
  /** `context.listing`: the input decides a row of a client query (DESIGN §5, Listing). */
  listing: boolean;
  /** Rule 7 and the `same_team` condition, which do not depend on the action. */
  reachable: boolean;
  sameTeam: boolean;
  ownsResource: boolean;
  /** The call's tables: the YAML override's (for the roles it names), then the call type's. */
  overrideTables: ReadonlyMap<string, RoleTable> | undefined;
  typeTables: ReadonlyMap<string, RoleTable> | undefined;
  /** The input's config_overrides.grants (role → modifiers), {} when absent. */
  inputOverrides: JsonObject;
  memberModifiers: readonly string[];
}

const NONE: readonly string[] = [];

/** A list field of a validated input: the array, or none when absent or null. */
function listOf(value: unknown): readonly string[] {
  return Array.isArray(value) ? (value as string[]) : NONE;
}

function userCounts(level: string | undefined): boolean {
  return level === 'user' || level === 'any';
}

function callCounts(level: string | undefined): boolean {
  return level === 'call' || level === 'any';
}

/**
 * Reads the facts of an input that passed decisionInputProblems. Fields are read directly: their
 * names are fixed and none is a property of Object.prototype, and the shapes are already checked.
 */
export function decisionFacts(policy: CompiledPolicy, input: JsonObject): DecisionFacts {
  const subject = input['subject'] as JsonObject;
  const resource = input['resource'] as JsonObject;
  const kind = resource['kind'] as DecisionFacts['kind'];
  const subjectId = subject['id'] as string;
  const subjectRole = subject['role'] as string;
  const subjectTeams = listOf(subject['teams']);
  const teamless = subjectTeams.length === 0;
  const callRoleValue = kind === 'call' ? subject['call_role'] : undefined;
  const callRole = typeof callRoleValue === 'string' ? callRoleValue : undefined;

  const grantingRoles: string[] = [];
  if (userCounts(policy.roleLevels.get(subjectRole))) grantingRoles.push(subjectRole);
  if (
    callRole !== undefined &&
    !grantingRoles.includes(callRole) &&
    callCounts(policy.roleLevels.get(callRole))
  ) {
    grantingRoles.push(callRole);
  }

  let withinTeams = true;
  let ownsResource = false;
  let overrideTables: DecisionFacts['overrideTables'];
  let typeTables: DecisionFacts['typeTables'];
  let inputOverrides: JsonObject = {};
  if (kind === 'call') {
    const team = resource['team'];
    withinTeams = typeof team === 'string' ? subjectTeams.includes(team) : teamless;
    ownsResource = resource['created_by_id'] === subjectId;
    const callType = resource['call_type'] as string;
    typeTables = policy.callTypes.get(callType);
    overrideTables = policy.calls.get(callType)?.get(resource['id'] as string);
    const overrides = resource['config_overrides'];
    const grants = isObject(overrides) ? overrides['grants'] : undefined;
    if (isObject(grants)) inputOverrides = grants;
  } else if (kind === 'user') {
    const userTeams = listOf(resource['teams']);
    withinTeams =
      userTeams.length === 0 ? teamless : userTeams.some((team) => subjectTeams.includes(team));
    ownsResource = resource['id'] === subjectId;
  }
  const multiTenant = policy.multiTenant;
  const context = input['context'];
  return {
    subjectId,
    subjectRole,
    subjectTeams,
    callRole,
    grantingRoles,
    kind,
    resource,
    changes: listOf(input['changes']),
    serverSide: isObject(context) && context['side'] === 'server',
    listing: isObject(context) && context['listing'] === true,
    reachable: !multiTenant || kind === 'app' || (ownsResource && kind === 'user') || withinTeams,
    sameTeam: !multiTenant || kind === 'app' || withinTeams,
    ownsResource,
    overrideTables,
    typeTables,
    inputOverrides,
    memberModifiers: listOf(subject['call_grants']),
  };
}

/** The table of one role on the call: the YAML override's when it names the role. */
export function callTable(facts: DecisionFacts, role: string): RoleTable | undefined {
  return facts.overrideTables?.get(role) ?? facts.typeTables?.get(role);
}

/** The input's roles, sorted, for the NOT_GRANTED message. */
function namedRoles(facts: DecisionFacts): string {
  const roles = [facts.subjectRole];
  if (facts.callRole !== undefined && facts.callRole !== facts.subjectRole) {
    roles.push(facts.callRole);
  }
  return roles.sort(compareCodePoints).join(', ');
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
  const createsOwnCall =
    action === 'CreateCall' && facts.resource['created_by_id'] === facts.subjectId;
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
    typeof facts.resource['team'] !== 'string'
  );
}

function conditionsHold(facts: DecisionFacts, entry: { owner: boolean; same_team: boolean }) {
  return (!entry.owner || facts.ownsResource) && (!entry.same_team || facts.sameTeam);
}

/** One layer's modifier of a permission, for one role. */
interface RuntimeEvent {
  grants: boolean;
  scope: 'input' | 'member';
}

/**
 * The modifiers of the input layers (the call record's overrides, then the member's grants)
 * that name a permission of `action`, for one role: permission → last event, and whether an
 * input-layer grant came before a member-layer event.
 */
function runtimeEvents(
  policy: CompiledPolicy,
  facts: DecisionFacts,
  role: string,
  action: string,
): Map<string, { last: RuntimeEvent; inputGranted: boolean }> | undefined {
  let events: Map<string, { last: RuntimeEvent; inputGranted: boolean }> | undefined;
  const record = (modifiers: readonly string[], scope: RuntimeEvent['scope']) => {
    for (const modifier of modifiers) {
      const permission = modifierId(modifier);
      if (policy.permissions.get(permission)?.action !== action) continue;
      events ??= new Map();
      const grants = !modifier.startsWith('!');
      const before = events.get(permission);
      const inputGranted =
        before !== undefined &&
        (before.inputGranted || (before.last.scope === 'input' && before.last.grants));
      events.set(permission, { last: { grants, scope }, inputGranted });
    }
  };
  // A call being created has no live record yet: its overrides grant and revoke nothing.
  if (action !== 'CreateCall' && Object.hasOwn(facts.inputOverrides, role)) {
    record(facts.inputOverrides[role] as string[], 'input');
  }
  record(facts.memberModifiers, 'member');
  return events;
}

/** Grants in effect and revocations of a call-level action, conditions applied. */
export function callGrants(
  policy: CompiledPolicy,
  facts: DecisionFacts,
  action: string,
  revocations: GrantTuple[] | undefined,
): GrantTuple[] {
  const grants: GrantTuple[] = [];
  for (const role of facts.grantingRoles) {
    const entries: readonly TableEntry[] = callTable(facts, role)?.get(action) ?? [];
    const events = runtimeEvents(policy, facts, role, action);
    for (const entry of entries) {
      if (events?.has(entry.permission) === true) continue;
      if (!conditionsHold(facts, entry)) continue;
      const tuple = [entry.scope, role, entry.permission, entry.source] as const;
      if (entry.grants) grants.push(tuple);
      else revocations?.push(tuple);
      // Capabilities only asks whether anything grants (it passes no revocation list).
      if (revocations === undefined && grants.length > 0) return grants;
    }
    if (events === undefined) continue;
    for (const [permission, { last, inputGranted }] of events) {
      const definition = policy.permissions.get(permission);
      if (definition === undefined || !conditionsHold(facts, definition)) continue;
      const tuple = [last.scope, role, permission, ''] as const;
      if (last.grants) {
        grants.push(tuple);
      } else if (entries.some((entry) => entry.permission === permission) || inputGranted) {
        // A `!` reports a revocation only when an earlier layer granted the permission.
        revocations?.push(tuple);
      }
    }
  }
  return grants;
}

function appGrants(policy: CompiledPolicy, facts: DecisionFacts, action: string): GrantTuple[] {
  const grants: GrantTuple[] = [];
  const role = facts.subjectRole;
  if (!userCounts(policy.roleLevels.get(role))) return grants;
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
  const problems = decisionInputProblems(input);
  if (problems !== undefined) return deny(policy, 'INVALID_INPUT', problemsMessage(problems));
  const valid = input as JsonObject;
  const action = valid['action'] as string;
  const definition = policy.actions.get(action);
  if (definition === undefined) return deny(policy, 'UNKNOWN_ACTION', `unknown action ${action}`);
  const facts = decisionFacts(policy, valid);
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
        ? callGrants(policy, facts, action, revocations)
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
