// Turns a data document into the lookup structures the JS engine decides with: Maps keyed by
// name (so a name like "toString" is never found on a prototype), built once per setData.
import { compareCodePoints } from '../compare.js';
import type { ResolvedPolicy, TableEntry } from '../policy.js';
import { isObject } from './json.js';

/** action → the entries of one role in one scope. */
export type RoleTable = ReadonlyMap<string, readonly TableEntry[]>;

export interface ActionDefinition {
  level: string;
  kind: string;
  permission: string;
}

export interface PermissionDefinition {
  action: string;
  owner: boolean;
  same_team: boolean;
}

/** A modifier as written (`send-audio` or `!send-audio`), resolved to its permission. */
export interface ModifierMeaning {
  permission: string;
  /** The action the permission is about. */
  action: string;
  /** false for a `!` revoke. */
  grants: boolean;
}

export interface CallActionIndex {
  index: number;
  permissionIndex: number;
  kind: string;
}

export interface CompiledPolicy {
  revision: string;
  multiTenant: boolean;
  actions: ReadonlyMap<string, ActionDefinition>;
  permissions: ReadonlyMap<string, PermissionDefinition>;
  /**
   * Every known modifier, both spellings: a decision resolves the input's modifiers with one
   * lookup, never slicing the `!` off (which allocates a string per modifier per decision).
   */
  modifiers: ReadonlyMap<string, ModifierMeaning>;
  /** role → level (`user`, `call` or `any`). */
  roleLevels: ReadonlyMap<string, string>;
  /** role → app-level action → `.app` grants. */
  app: ReadonlyMap<string, RoleTable>;
  /** call type → role → table. */
  callTypes: ReadonlyMap<string, ReadonlyMap<string, RoleTable>>;
  /**
   * Call type → call id → role → table, for the roles a YAML call override ("type:id") names;
   * two levels, so a decision never builds the "type:id" string to look it up.
   */
  calls: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, RoleTable>>>;
  /**
   * The plain permission ids of the call-level actions, unique and in code point order: what
   * capabilities answers, filtered, so a call never sorts its answer.
   */
  callLevelPermissions: readonly string[];
  /** Each call-level action numbered: its own index, and its permission's in the list above. */
  callActions: ReadonlyMap<string, CallActionIndex>;
}

function toMap<U>(record: unknown, convert: (value: object) => U): Map<string, U> {
  const map = new Map<string, U>();
  if (!isObject(record)) return map;
  for (const [key, value] of Object.entries(record)) {
    // Data from our builder is well formed; anything else holds nothing rather than throwing.
    if (typeof value === 'object' && value !== null) map.set(key, convert(value));
  }
  return map;
}

function roleTables(record: unknown): Map<string, RoleTable> {
  return toMap(record, (byAction) => toMap(byAction, (entries) => entries as TableEntry[]));
}

/**
 * Compiles `rolecall_data` for the JS engine. Like the Rego engine it reads only what is there:
 * missing parts hold no grants (the SDK's data reader adds the tables to a document without them).
 */
export function compilePolicy(data: Record<string, unknown>): CompiledPolicy {
  const policy = data as Partial<ResolvedPolicy>;
  const tables = policy.decision_tables;
  const actions = toMap(policy.actions, (value) => value as ActionDefinition);
  const permissions = toMap(policy.permissions, (value) => value as PermissionDefinition);
  const { callLevelPermissions, callActions } = numberCallActions(actions);
  return {
    revision: typeof policy.revision === 'string' ? policy.revision : '',
    // Multi-tenant unless the data says false: no compile writes a document without the boolean,
    // and a garbled one keeps tenants apart (fail closed), as in policies/engine/common.rego.
    multiTenant: policy.settings?.multi_tenant_enabled !== false,
    actions,
    permissions,
    modifiers: modifierMeanings(permissions),
    roleLevels: toMap(policy.roles, (role) => (role as { level: string }).level),
    app: roleTables(tables?.app),
    callTypes: toMap(tables?.call_types, roleTables),
    calls: callsByType(toMap(tables?.calls, roleTables)),
    callLevelPermissions,
    callActions,
  };
}

function numberCallActions(actions: ReadonlyMap<string, ActionDefinition>) {
  const callLevel = [...actions].filter(
    ([, definition]) => definition.level === 'call' && typeof definition.permission === 'string',
  );
  const callLevelPermissions = [...new Set(callLevel.map(([, { permission }]) => permission))].sort(
    compareCodePoints,
  );
  const permissionIndex = new Map(
    callLevelPermissions.map((permission, index) => [permission, index]),
  );
  const callActions = new Map<string, CallActionIndex>();
  for (const [index, [action, definition]] of callLevel.entries()) {
    callActions.set(action, {
      index,
      permissionIndex: permissionIndex.get(definition.permission) ?? 0,
      kind: definition.kind,
    });
  }
  return { callLevelPermissions, callActions };
}

function modifierMeanings(permissions: ReadonlyMap<string, PermissionDefinition>) {
  const meanings = new Map<string, ModifierMeaning>();
  for (const [permission, { action }] of permissions) {
    meanings.set(permission, { permission, action, grants: true });
    meanings.set(`!${permission}`, { permission, action, grants: false });
  }
  return meanings;
}

function callsByType(byKey: Map<string, Map<string, RoleTable>>) {
  const byType = new Map<string, Map<string, Map<string, RoleTable>>>();
  for (const [callKey, tables] of byKey) {
    const separator = callKey.indexOf(':');
    const callType = callKey.slice(0, separator);
    let calls = byType.get(callType);
    if (calls === undefined) {
      calls = new Map<string, Map<string, RoleTable>>();
      byType.set(callType, calls);
    }
    calls.set(callKey.slice(separator + 1), tables);
  }
  return byType;
}
