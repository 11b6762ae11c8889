// Unresolve stage, the inverse of resolve: the effective grants a server reports become the
// smallest grants file that resolves to them (a patch over the builtin defaults), for `rolecall
// pull`; and a resolved policy projects back to the same view, so `rolecall apply` can compare.
import { Document, isScalar, visit } from 'yaml';
import { compareCodeUnits } from '../compare-code-units.js';
import { builtinDefaults, defaultScopeGrants } from '../resolve/catalog.js';
import { normalizeGrants } from '../resolve/index.js';
import type { GrantsMap, GrantsSpec, ResolvedPolicy } from '../types.js';

/** A custom role as the server describes it (`any`: usable at both levels). */
export interface LiveRole {
  level: 'user' | 'call' | 'any';
  description: string;
}

/** A custom permission as the server describes it. */
export interface LivePermission {
  action: string;
  name: string;
  description: string;
  owner: boolean;
  same_team: boolean;
}

/**
 * What an app's permission model is, in effective terms: what the server's API answers, and what
 * a resolved grants file amounts to. Builtin roles and permissions are left out (they are the
 * catalog's); every grants map is normalized (sorted, empty roles dropped).
 */
export interface LiveGrants {
  multi_tenant_enabled: boolean;
  app_grants: GrantsMap;
  /** Custom roles only. */
  roles: Record<string, LiveRole>;
  /** Custom permissions only. */
  permissions: Record<string, LivePermission>;
  /** Every call type (builtin and custom) → its effective grants. */
  call_types: Record<string, GrantsMap>;
  /** `"type:id"` → the grants file's modifiers for that call (`id` grants, `!id` revokes). */
  call_overrides: Record<string, GrantsMap>;
}

/** The builtin call types, whose defaults a grants file patches and which cannot be deleted. */
export function isBuiltinCallType(name: string): boolean {
  return Object.hasOwn(builtinDefaults.call_types, name);
}

/** The LiveGrants view of a resolved policy: what a server holding it would answer. */
export function liveGrantsOf(policy: ResolvedPolicy): LiveGrants {
  const roles: Record<string, LiveRole> = {};
  for (const [name, role] of sortedEntries(policy.roles)) {
    if (!role.builtin) roles[name] = { level: role.level, description: role.description };
  }
  const permissions: Record<string, LivePermission> = {};
  for (const [id, permission] of sortedEntries(policy.permissions)) {
    if (permission.builtin) continue;
    const { action, name, description, owner, same_team } = permission;
    permissions[id] = { action, name, description, owner, same_team };
  }
  return {
    multi_tenant_enabled: policy.settings.multi_tenant_enabled,
    app_grants: normalizeGrants(policy.app_grants),
    roles,
    permissions,
    call_types: mapRecord(policy.call_types, normalizeGrants),
    call_overrides: mapRecord(policy.call_overrides, normalizeGrants),
  };
}

/**
 * The roles whose grants differ between two scopes, each with its grants in `after` (`[]` when it
 * has none there): exactly the patch that turns `before` into `after` under the seed's rule that
 * a named role's list replaces that role's grants.
 */
export function scopePatch(before: GrantsMap, after: GrantsMap): GrantsMap {
  const from = normalizeGrants(before);
  const to = normalizeGrants(after);
  const patch: GrantsMap = {};
  const roles = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort(compareCodeUnits);
  for (const role of roles) {
    const old = from[role] ?? [];
    const current = to[role] ?? [];
    if (!sameList(old, current)) patch[role] = current;
  }
  return patch;
}

/**
 * The smallest grants spec that resolves to `live`: each scope as a patch over its builtin
 * defaults (only the roles that differ, `[]` for a role the defaults grant and the app does not),
 * custom call types with all their grants, default fields left out. Keys are sorted, so the same
 * live state always gives the same spec.
 */
export function unresolveGrants(live: LiveGrants): GrantsSpec {
  const spec: GrantsSpec = { version: 1 };

  const appPatch = scopePatch(defaultScopeGrants({ kind: 'app' }), live.app_grants);
  spec.app = {
    multi_tenant_enabled: live.multi_tenant_enabled,
    ...(Object.keys(appPatch).length > 0 ? { grants: appPatch } : {}),
  };

  const roles: NonNullable<GrantsSpec['roles']> = {};
  for (const [name, role] of sortedEntries(live.roles)) {
    roles[name] = {
      ...(role.description === '' ? {} : { description: role.description }),
      ...(role.level === 'any' ? {} : { level: role.level }),
    };
  }
  if (Object.keys(roles).length > 0) spec.roles = roles;

  const permissions = sortedEntries(live.permissions).map(([id, permission]) => ({
    id,
    action: permission.action,
    ...(permission.name === id ? {} : { name: permission.name }),
    ...(permission.description === '' ? {} : { description: permission.description }),
    ...(permission.owner ? { owner: true } : {}),
    ...(permission.same_team ? { same_team: true } : {}),
  }));
  if (permissions.length > 0) spec.permissions = permissions;

  const callTypes: NonNullable<GrantsSpec['call_types']> = {};
  for (const [name, grants] of sortedEntries(live.call_types)) {
    if (isBuiltinCallType(name)) {
      const patch = scopePatch(defaultScopeGrants({ kind: 'call_type', name }), grants);
      if (Object.keys(patch).length > 0) callTypes[name] = { grants: patch };
    } else {
      // A custom call type starts with no grants: its whole map is the patch.
      callTypes[name] = { grants: normalizeGrants(grants) };
    }
  }
  if (Object.keys(callTypes).length > 0) spec.call_types = callTypes;

  const calls: NonNullable<GrantsSpec['calls']> = {};
  for (const [callKey, modifiers] of sortedEntries(live.call_overrides)) {
    const grants = normalizeGrants(modifiers);
    if (Object.keys(grants).length > 0) calls[callKey] = { config_overrides: { grants } };
  }
  if (Object.keys(calls).length > 0) spec.calls = calls;
  return spec;
}

/**
 * A grants spec as the text of a grants file: `header` as comment lines, then the spec with
 * grant lists in flow style (`user: [read-call, join-call]`), as people write them.
 */
/** Widest list written inline (ids with their quotes and separators). */
const MAX_FLOW_LIST_WIDTH = 72;

export function renderGrantsYaml(spec: GrantsSpec, header: readonly string[]): string {
  const document = new Document(spec);
  // Lists of plain ids read best inline; the list of permission objects stays a block.
  visit(document, {
    Seq(_key, node) {
      const ids = node.items.map((item) => (isScalar(item) ? String(item.value) : undefined));
      const width = ids.reduce((sum, id) => sum + (id?.length ?? Infinity) + 4, 0);
      // Long lists stay one id per line, which also keeps their diffs in git one line per grant.
      if (width <= MAX_FLOW_LIST_WIDTH) node.flow = true;
    },
  });
  document.commentBefore = header.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
  return document.toString({ lineWidth: 100, flowCollectionPadding: false });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => compareCodeUnits(a, b));
}

function mapRecord<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  const mapped: Record<string, U> = {};
  for (const [key, value] of sortedEntries(record)) mapped[key] = map(value);
  return mapped;
}
