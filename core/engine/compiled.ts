// Turns a data document into the lookup structures the JS engine decides with: Maps keyed by
// name (so a name like "toString" is never found on a prototype), built once per setData.
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

export interface CompiledPolicy {
  revision: string;
  multiTenant: boolean;
  actions: ReadonlyMap<string, ActionDefinition>;
  permissions: ReadonlyMap<string, PermissionDefinition>;
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
  /** Every call-level action with its plain permission id, for capabilities. */
  callLevelActions: readonly (readonly [action: string, permission: string])[];
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
  const callLevelActions: [string, string][] = [];
  for (const [action, definition] of actions) {
    if (definition.level === 'call' && typeof definition.permission === 'string') {
      callLevelActions.push([action, definition.permission]);
    }
  }
  return {
    revision: typeof policy.revision === 'string' ? policy.revision : '',
    multiTenant: policy.settings?.multi_tenant_enabled === true,
    actions,
    permissions,
    roleLevels: toMap(policy.roles, (role) => (role as { level: string }).level),
    app: roleTables(tables?.app),
    callTypes: toMap(tables?.call_types, roleTables),
    calls: callsByType(toMap(tables?.calls, roleTables)),
    callLevelActions,
  };
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
