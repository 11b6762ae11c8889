// The one builder of the data document every engine reads (data.json): the resolved policy at
// `rolecall_data`, plus what derives from it — the permission index and the decision tables —
// so `compile`, the server, `rolecall test` and the SDK always evaluate the same document.
import { compareCodeUnits } from './compare.js';
import { modifierPermission } from './layering.js';
import type { DecisionTables, GrantsMap, ResolvedPolicy, TableEntry } from './policy.js';

/** data.json: `{rolecall_data: policy}` with its derived parts. */
export interface PolicyDataDocument {
  rolecall_data: ResolvedPolicy;
}

/** Action → the sorted ids of every permission (catalog or custom) whose action it is. */
export function indexPermissionsByAction(
  permissions: ResolvedPolicy['permissions'],
): Record<string, string[]> {
  const index: Record<string, string[]> = {};
  for (const [id, permission] of Object.entries(permissions)) {
    (index[permission.action] ??= []).push(id);
  }
  for (const ids of Object.values(index)) ids.sort(compareCodeUnits);
  return index;
}

/**
 * The data document of a resolved policy. Derived parts are always rebuilt from the grants, so
 * they can never be stale, whatever the policy object carried.
 */
export function buildDataDocument(policy: ResolvedPolicy): PolicyDataDocument {
  const resolved: ResolvedPolicy = { ...policy };
  delete resolved.permissions_by_action;
  delete resolved.decision_tables;
  return {
    rolecall_data: {
      ...resolved,
      permissions_by_action: indexPermissionsByAction(policy.permissions),
      decision_tables: buildDecisionTables(policy),
    },
  };
}

/** One layer's modifier of a (role, permission): where it was written and what it does. */
interface LayerEvent {
  grants: boolean;
  scope: string;
  source: string;
}

/** The state of one (role, permission) after some layers, and whether any of them granted it. */
interface LayeredState {
  last: LayerEvent;
  grantedBefore: boolean;
}

/**
 * Builds the decision tables (DESIGN §4): `.app` grants per role and app-level action, and for
 * every call type and YAML call override, per role and call-level action, the state of each
 * permission after the call type's grants and the override — the layers that do not depend on
 * the input. An engine then layers only the input's overrides and the member's grants on top.
 */
export function buildDecisionTables(policy: ResolvedPolicy): DecisionTables {
  const entryOf = (permission: string, event: LayerEvent): TableEntry | undefined => {
    const definition = policy.permissions[permission];
    if (definition === undefined) return undefined;
    return {
      permission,
      grants: event.grants,
      scope: event.scope,
      source: event.source,
      owner: definition.owner,
      same_team: definition.same_team,
    };
  };
  const levelOf = (permission: string): string | undefined => {
    const definition = Object.hasOwn(policy.permissions, permission)
      ? policy.permissions[permission]
      : undefined;
    if (definition === undefined || !Object.hasOwn(policy.actions, definition.action)) {
      return undefined;
    }
    return policy.actions[definition.action]?.level;
  };
  /** role → action → entries, sorted by permission, of the states whose level is `level`. */
  const toTable = (states: Map<string, Map<string, LayeredState>>, level: 'app' | 'call') => {
    const table: Record<string, Record<string, TableEntry[]>> = {};
    for (const role of [...states.keys()].sort(compareCodeUnits)) {
      const byAction: Record<string, TableEntry[]> = {};
      const permissions = states.get(role) ?? new Map<string, LayeredState>();
      for (const permission of [...permissions.keys()].sort(compareCodeUnits)) {
        const state = permissions.get(permission);
        // A revoke matters only when it removed a grant of an earlier layer.
        if (state === undefined || (!state.last.grants && !state.grantedBefore)) continue;
        if (levelOf(permission) !== level) continue;
        const entry = entryOf(permission, state.last);
        const action = policy.permissions[permission]?.action;
        if (entry === undefined || action === undefined) continue;
        (byAction[action] ??= []).push(entry);
      }
      if (Object.keys(byAction).length > 0) table[role] = sortKeys(byAction);
    }
    return table;
  };

  const appStates = grantStates(policy.app_grants, '.app', policy.sources.app);
  const callTypes: DecisionTables['call_types'] = {};
  for (const callType of Object.keys(policy.call_types).sort(compareCodeUnits)) {
    const states = grantStates(
      policy.call_types[callType] ?? {},
      `call_type:${callType}`,
      policy.sources.call_types[callType] ?? {},
    );
    callTypes[callType] = toTable(states, 'call');
  }
  const calls: DecisionTables['calls'] = {};
  for (const callKey of Object.keys(policy.call_overrides).sort(compareCodeUnits)) {
    const callType = callKey.slice(0, callKey.indexOf(':'));
    const modifiers = policy.call_overrides[callKey] ?? {};
    const states = grantStates(
      policy.call_types[callType] ?? {},
      `call_type:${callType}`,
      policy.sources.call_types[callType] ?? {},
    );
    // Only the roles the override names differ from the call type's table.
    for (const role of [...states.keys()]) {
      if (!Object.hasOwn(modifiers, role)) states.delete(role);
    }
    applyLayer(states, modifiers, `call:${callKey}`, policy.sources.call_overrides[callKey] ?? {});
    calls[callKey] = toTable(states, 'call');
  }
  return { app: toTable(appStates, 'app'), call_types: callTypes, calls };
}

/** The states of a plain grants scope (every id grants). */
function grantStates(
  grants: GrantsMap,
  scope: string,
  sources: Record<string, Record<string, string>>,
): Map<string, Map<string, LayeredState>> {
  const states = new Map<string, Map<string, LayeredState>>();
  applyLayer(states, grants, scope, sources);
  return states;
}

/**
 * Layers one modifier map over the states, per (role, permission): the last writer wins, and
 * inside one layer a revoke wins over a grant of the same id.
 */
function applyLayer(
  states: Map<string, Map<string, LayeredState>>,
  modifiers: GrantsMap,
  scope: string,
  sources: Record<string, Record<string, string>>,
): void {
  for (const [role, list] of Object.entries(modifiers)) {
    let roleStates = states.get(role);
    if (roleStates === undefined) {
      roleStates = new Map();
      states.set(role, roleStates);
    }
    const ordered = [...list].sort(
      (left, right) => Number(left.startsWith('!')) - Number(right.startsWith('!')),
    );
    const written = new Map<string, LayerEvent>();
    for (const modifier of ordered) {
      const permission = modifierPermission(modifier);
      written.set(permission, {
        grants: !modifier.startsWith('!'),
        scope,
        source: sources[role]?.[permission] ?? '',
      });
    }
    for (const [permission, event] of written) {
      const before = roleStates.get(permission);
      const grantedBefore = before !== undefined && (before.last.grants || before.grantedBefore);
      roleStates.set(permission, { last: event, grantedBefore });
    }
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort(compareCodeUnits)) sorted[key] = record[key] as T;
  return sorted;
}
