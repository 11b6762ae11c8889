// Reads a decision input in one pass: every shape check of DESIGN §4 rule 1 and the facts the
// rules need, each field looked up once. Only an invalid input pays for a list of problems
// (input.ts words them); a valid one is checked and read by the same loads.
import { isCallLevel, isUserLevel } from '../policy.js';
import type { CompiledPolicy, RoleTable } from './compiled.js';
import {
  isGrantsModifiersOrNull,
  isModifierList,
  isNonEmptyString,
  isObject,
  isStringArray,
  jsonView,
  hasEnumerablePrototypeKeys,
  type JsonObject,
} from './json.js';

/** What the rules read of a valid decision input, looked up once. */
export interface DecisionFacts {
  /** `action`: undefined only when the caller asked about every action (capabilities). */
  action: string | undefined;
  subjectId: string;
  subjectRole: string;
  subjectTeams: readonly string[];
  /** The call role, on a call resource only. */
  callRole: string | undefined;
  /** The roles whose grants count: each only at its own level (DESIGN §4). */
  grantingRoles: readonly string[];
  kind: 'app' | 'call' | 'user';
  /** `resource.team` and `resource.created_by_id` as given (checked on call resources only). */
  resourceTeam: unknown;
  createdById: unknown;
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
const NO_OVERRIDES: JsonObject = Object.freeze({});

/** A missing field and an explicit null read alike, as in Rego. */
function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** An optional string list: none when absent, undefined when malformed. */
function optionalStrings(value: unknown): readonly string[] | undefined {
  if (isAbsent(value)) return NONE;
  return isStringArray(value) ? value : undefined;
}

function isOptionalString(value: unknown): boolean {
  return isAbsent(value) || typeof value === 'string';
}

/** The roles whose grants count: the user role at user level, the call role at call level. */
function grantingRolesOf(policy: CompiledPolicy, role: string, callRole: string | undefined) {
  const userRoleCounts = isUserLevel(policy.roleLevels.get(role));
  const callRoleCounts =
    callRole !== undefined &&
    !(userRoleCounts && callRole === role) &&
    isCallLevel(policy.roleLevels.get(callRole));
  if (userRoleCounts) return callRoleCounts ? [role, callRole] : [role];
  return callRoleCounts ? [callRole] : NONE;
}

/** `context`: [serverSide, listing], or undefined when malformed. */
function readContext(context: unknown): readonly [boolean, boolean] | undefined {
  if (isAbsent(context)) return [false, false];
  if (!isObject(context)) return undefined;
  const side = context['side'];
  if (!isAbsent(side) && side !== 'client' && side !== 'server') return undefined;
  const listing = context['listing'];
  if (!isAbsent(listing) && typeof listing !== 'boolean') return undefined;
  return [side === 'server', listing === true];
}

/** config_overrides.grants of a call resource: {} when absent, undefined when malformed. */
function readInputOverrides(overrides: unknown): JsonObject | undefined {
  if (isAbsent(overrides)) return NO_OVERRIDES;
  if (!isObject(overrides)) return undefined;
  const grants = overrides['grants'];
  if (isAbsent(grants)) return NO_OVERRIDES;
  return isGrantsModifiersOrNull(grants) ? (grants as JsonObject) : undefined;
}

/**
 * The facts of a valid decision input, or undefined when any check of decisionInputProblems
 * fails (the two agree on every input; test/engine/facts.test.ts holds them to it). Capabilities
 * asks about every action, so it checks everything but `action` (`anyAction`).
 */
export function readDecisionFacts(
  policy: CompiledPolicy,
  input: unknown,
  anyAction = false,
): DecisionFacts | undefined {
  // Plain property reads with constant names (V8 keeps them fast); they see what JSON.stringify
  // sends, and so WASM and OPA decide, unless Object.prototype is polluted: then the input is
  // read through a copy of its own enumerable fields.
  const source = hasEnumerablePrototypeKeys() ? jsonView(input) : input;
  if (!isObject(source)) return undefined;
  const action = source['action'];
  if (!anyAction && typeof action !== 'string') return undefined;
  const changes = optionalStrings(source['changes']);
  const context = readContext(source['context']);
  if (changes === undefined || context === undefined) return undefined;

  const subject = source['subject'];
  if (!isObject(subject)) return undefined;
  const subjectId = subject['id'];
  const subjectRole = subject['role'];
  const subjectTeams = optionalStrings(subject['teams']);
  const callRoleValue = subject['call_role'];
  const callGrants = subject['call_grants'];
  if (
    !isNonEmptyString(subjectId) ||
    typeof subjectRole !== 'string' ||
    subjectTeams === undefined ||
    !isOptionalString(callRoleValue) ||
    (!isAbsent(callGrants) && !isModifierList(callGrants))
  ) {
    return undefined;
  }

  const resource = source['resource'];
  if (!isObject(resource)) return undefined;
  const kind = resource['kind'];
  if (kind !== 'app' && kind !== 'call' && kind !== 'user') return undefined;
  const resourceId = resource['id'];
  if (kind !== 'app' && !isNonEmptyString(resourceId)) return undefined;

  const teamless = subjectTeams.length === 0;
  const resourceTeam = resource['team'];
  const createdById = resource['created_by_id'];
  let callRole: string | undefined;
  let withinTeams = true;
  let ownsResource = false;
  let overrideTables: DecisionFacts['overrideTables'];
  let typeTables: DecisionFacts['typeTables'];
  let inputOverrides = NO_OVERRIDES;
  if (kind === 'call') {
    const callType = resource['call_type'];
    const overrides = readInputOverrides(resource['config_overrides']);
    if (
      !isNonEmptyString(callType) ||
      !isOptionalString(resourceTeam) ||
      !isOptionalString(createdById) ||
      overrides === undefined
    ) {
      return undefined;
    }
    inputOverrides = overrides;
    callRole = typeof callRoleValue === 'string' ? callRoleValue : undefined;
    withinTeams = typeof resourceTeam === 'string' ? subjectTeams.includes(resourceTeam) : teamless;
    ownsResource = createdById === subjectId;
    typeTables = policy.callTypes.get(callType);
    overrideTables = policy.calls.get(callType)?.get(resourceId as string);
  } else if (kind === 'user') {
    const userTeams = optionalStrings(resource['teams']);
    if (userTeams === undefined || !isOptionalString(resource['role'])) return undefined;
    withinTeams =
      userTeams.length === 0 ? teamless : userTeams.some((team) => subjectTeams.includes(team));
    ownsResource = resourceId === subjectId;
  }

  const multiTenant = policy.multiTenant;
  return {
    action: typeof action === 'string' ? action : undefined,
    subjectId,
    subjectRole,
    subjectTeams,
    callRole,
    grantingRoles: grantingRolesOf(policy, subjectRole, callRole),
    kind,
    resourceTeam,
    createdById,
    changes,
    serverSide: context[0],
    listing: context[1],
    reachable: !multiTenant || kind === 'app' || (ownsResource && kind === 'user') || withinTeams,
    sameTeam: !multiTenant || kind === 'app' || withinTeams,
    ownsResource,
    overrideTables,
    typeTables,
    inputOverrides,
    memberModifiers: isAbsent(callGrants) ? NONE : callGrants,
  };
}
