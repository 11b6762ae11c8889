// The call-level layering of DESIGN §4 for one input: the precomputed table of each granting role
// on the call, then the input's two layers on top (the call record's config_overrides, then the
// member's call_grants). The input layers are grouped by action once per input, so a decision
// and a capabilities call (which asks about every action) share the same work.
import type { TableEntry } from '../policy.js';
import type { CompiledPolicy, RoleTable } from './compiled.js';
import type { DecisionFacts } from './facts.js';

/** A grant in effect or a revocation: [scope, role, permission, source]. */
export type GrantTuple = readonly [string, string, string, string];

/** The last modifier of one permission in the input layers, for one role. */
interface LayerEvent {
  grants: boolean;
  scope: 'input' | 'member';
  /** Whether an input-layer grant came before a later event (a `!` then revokes something). */
  inputGranted: boolean;
}

/** One granting role on the call: its table, and its input-layer events by action. */
export interface RoleLayers {
  role: string;
  table: RoleTable | undefined;
  /** action → permission → last event; undefined when the input names no modifier. */
  events: Map<string, Map<string, LayerEvent>> | undefined;
}

const NO_ENTRIES: readonly TableEntry[] = [];

/** The table of one role on the call: the YAML override's when it names the role. */
function callTable(facts: DecisionFacts, role: string): RoleTable | undefined {
  return facts.overrideTables?.get(role) ?? facts.typeTables?.get(role);
}

export function conditionsHold(
  facts: DecisionFacts,
  entry: { owner: boolean; same_team: boolean },
): boolean {
  return (!entry.owner || facts.ownsResource) && (!entry.same_team || facts.sameTeam);
}

function recordEvents(
  policy: CompiledPolicy,
  byAction: Map<string, Map<string, LayerEvent>>,
  modifiers: readonly string[],
  scope: LayerEvent['scope'],
  onlyAction: string | undefined,
): void {
  for (const modifier of modifiers) {
    const meaning = policy.modifiers.get(modifier);
    if (meaning === undefined) continue;
    if (onlyAction !== undefined && meaning.action !== onlyAction) continue;
    // A call being created has no live record yet: its overrides grant and revoke nothing.
    if (scope === 'input' && meaning.action === 'CreateCall') continue;
    let events = byAction.get(meaning.action);
    if (events === undefined) {
      events = new Map();
      byAction.set(meaning.action, events);
    }
    const before = events.get(meaning.permission);
    const inputGranted =
      before !== undefined && (before.inputGranted || (before.scope === 'input' && before.grants));
    events.set(meaning.permission, { grants: meaning.grants, scope, inputGranted });
  }
}

/**
 * The layers of every granting role, in the order of facts.grantingRoles: for every action, or
 * only for `onlyAction` (a decision asks about one).
 */
export function roleLayers(
  policy: CompiledPolicy,
  facts: DecisionFacts,
  onlyAction?: string,
): RoleLayers[] {
  return facts.grantingRoles.map((role) => {
    const overrides = Object.hasOwn(facts.inputOverrides, role)
      ? (facts.inputOverrides[role] as string[])
      : undefined;
    if (overrides === undefined && facts.memberModifiers.length === 0) {
      return { role, table: callTable(facts, role), events: undefined };
    }
    const events = new Map<string, Map<string, LayerEvent>>();
    if (overrides !== undefined) recordEvents(policy, events, overrides, 'input', onlyAction);
    recordEvents(policy, events, facts.memberModifiers, 'member', onlyAction);
    return { role, table: callTable(facts, role), events: events.size > 0 ? events : undefined };
  });
}

/**
 * Grants in effect and revocations of a call-level action, conditions applied. Without a
 * revocation list (capabilities) it stops at the first grant: only whether anything grants counts.
 */
export function callGrants(
  policy: CompiledPolicy,
  facts: DecisionFacts,
  layers: readonly RoleLayers[],
  action: string,
  revocations: GrantTuple[] | undefined,
): GrantTuple[] {
  const grants: GrantTuple[] = [];
  for (const { role, table, events: byAction } of layers) {
    const entries = table?.get(action) ?? NO_ENTRIES;
    const events = byAction?.get(action);
    for (const entry of entries) {
      if (events?.has(entry.permission) === true) continue;
      if (!conditionsHold(facts, entry)) continue;
      const tuple = [entry.scope, role, entry.permission, entry.source] as const;
      if (entry.grants) grants.push(tuple);
      else revocations?.push(tuple);
      if (revocations === undefined && grants.length > 0) return grants;
    }
    if (events === undefined) continue;
    for (const [permission, { grants: granted, scope, inputGranted }] of events) {
      const definition = policy.permissions.get(permission);
      if (definition === undefined || !conditionsHold(facts, definition)) continue;
      const tuple = [scope, role, permission, ''] as const;
      if (granted) {
        grants.push(tuple);
        if (revocations === undefined) return grants;
      } else if (entries.some((entry) => entry.permission === permission) || inputGranted) {
        // A `!` reports a revocation only when an earlier layer granted the permission.
        revocations?.push(tuple);
      }
    }
  }
  return grants;
}

/**
 * Each action some layer of these roles could grant (their tables' and their modifiers'), maybe
 * more than once: the caller skips repeats.
 */
export function forEachLayeredAction(
  layers: readonly RoleLayers[],
  visit: (action: string) => void,
): void {
  for (const { table, events } of layers) {
    if (table !== undefined) for (const action of table.keys()) visit(action);
    if (events !== undefined) for (const action of events.keys()) visit(action);
  }
}
