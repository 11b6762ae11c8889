// The API steps that turn an app's live permission model into a grants file's, in dependency
// order: what a grant names exists before the grant, and grants are gone before what they name
// is deleted. Every step leaves a valid state, so a run that stops half way is finished by the
// next one (the plan is always computed from what the server reports).
import { compareCodeUnits } from '../compiler/compare-code-units.js';
import {
  isBuiltinCallType,
  scopePatch,
  type LiveGrants,
  type LivePermission,
  type LiveRole,
} from '../compiler/unresolve/index.js';
import type { GrantsMap } from '../compiler/types.js';
import type { CustomPermissionRequest } from '../sdk/clients/server-client.js';
import type { AdminClient } from './live-grants.js';

/** One API call of an apply, with the line the plan shows for it. */
export interface ApplyStep {
  /** e.g. `createRole interpreter (level call)`. */
  description: string;
  run: (admin: AdminClient) => Promise<unknown>;
}

/** The steps from `live` to `target`; none when they already agree. */
export function planApply(live: LiveGrants, target: LiveGrants): ApplyStep[] {
  const steps: ApplyStep[] = [];

  // Stream has no role update: a custom role whose level or description changed is deleted (its
  // grants removed first) and created again; the grants below then give it the file's grants.
  const recreated = keysOf(live.roles).filter((role) => {
    const wanted = target.roles[role];
    return wanted !== undefined && !sameRole(live.roles[role], wanted);
  });
  let current = live;
  if (recreated.length > 0) {
    steps.push(...removeRoleSteps(live, recreated));
    current = withoutRoles(live, recreated);
  }

  // 1. What grants will name: roles, permissions, custom call types (with their grants).
  for (const role of keysOf(target.roles)) {
    if (Object.hasOwn(current.roles, role)) continue;
    const definition = target.roles[role] as LiveRole;
    const request = {
      name: role,
      ...(definition.level === 'any' ? {} : { level: definition.level }),
      ...(definition.description === '' ? {} : { description: definition.description }),
    };
    steps.push({
      description: `createRole ${role}${definition.level === 'any' ? '' : ` (level ${definition.level})`}`,
      run: (admin) => admin.createRole(request),
    });
  }
  for (const id of keysOf(target.permissions)) {
    const wanted = target.permissions[id] as LivePermission;
    const existing = current.permissions[id];
    if (existing === undefined) {
      steps.push({
        description: `createPermission ${id} (action ${wanted.action})`,
        run: (admin) => admin.createPermission({ id, ...permissionFields(wanted) }),
      });
    } else if (!samePermission(existing, wanted)) {
      steps.push({
        description: `updatePermission ${id} (${changedFields(existing, wanted).join(', ')})`,
        run: (admin) => admin.updatePermission(id, permissionFields(wanted)),
      });
    }
  }
  for (const name of keysOf(target.call_types)) {
    if (Object.hasOwn(current.call_types, name) || isBuiltinCallType(name)) continue;
    const grants = target.call_types[name] ?? {};
    steps.push({
      description: `createCallType ${name}${describeRoles(grants)}`,
      run: (admin) => admin.createCallType({ name, grants }),
    });
  }

  // 2. Grants: settings and `.app`, call types, grants-file call overrides.
  const appPatch = scopePatch(current.app_grants, target.app_grants);
  const tenancyChanged = current.multi_tenant_enabled !== target.multi_tenant_enabled;
  if (tenancyChanged || Object.keys(appPatch).length > 0) {
    const patch = {
      ...(tenancyChanged ? { multi_tenant_enabled: target.multi_tenant_enabled } : {}),
      ...(Object.keys(appPatch).length > 0 ? { grants: appPatch } : {}),
    };
    const parts = [
      ...(tenancyChanged ? [`multi_tenant_enabled ${String(target.multi_tenant_enabled)}`] : []),
      ...(Object.keys(appPatch).length > 0 ? [`grants of ${rolesOf(appPatch)}`] : []),
    ];
    steps.push({
      description: `updateApp ${parts.join(', ')}`,
      run: (admin) => admin.updateApp(patch),
    });
  }
  for (const name of keysOf(current.call_types)) {
    const wanted = target.call_types[name];
    if (wanted === undefined) continue; // deleted below, grants and all
    const patch = scopePatch(current.call_types[name] ?? {}, wanted);
    if (Object.keys(patch).length === 0) continue;
    steps.push({
      description: `updateCallType ${name}: grants of ${rolesOf(patch)}`,
      run: (admin) => admin.updateCallType(name, { grants: patch }),
    });
  }
  for (const callKey of sortedUnion(current.call_overrides, target.call_overrides)) {
    const before = current.call_overrides[callKey] ?? {};
    const after = target.call_overrides[callKey] ?? {};
    if (Object.keys(scopePatch(before, after)).length === 0) continue;
    const { callType, id } = splitCallKey(callKey);
    const grants = Object.keys(after).length === 0 ? null : after;
    steps.push({
      description:
        grants === null
          ? `updateCallOverrides ${callKey}: remove`
          : `updateCallOverrides ${callKey}: modifiers of ${rolesOf(grants)}`,
      run: (admin) => admin.updateCallOverrides(callType, id, grants),
    });
  }

  // 3. Deletions, once no grant names them: call types (with their grants), permissions, roles.
  for (const name of keysOf(current.call_types)) {
    if (Object.hasOwn(target.call_types, name) || isBuiltinCallType(name)) continue;
    steps.push({
      description: `deleteCallType ${name}`,
      run: (admin) => admin.deleteCallType(name),
    });
  }
  for (const id of keysOf(current.permissions)) {
    if (Object.hasOwn(target.permissions, id)) continue;
    steps.push({
      description: `deletePermission ${id}`,
      run: (admin) => admin.deletePermission(id),
    });
  }
  for (const role of keysOf(current.roles)) {
    if (Object.hasOwn(target.roles, role)) continue;
    steps.push({ description: `deleteRole ${role}`, run: (admin) => admin.deleteRole(role) });
  }
  return steps;
}

/** Steps that take every grant and modifier of `roles` away, then delete the roles. */
function removeRoleSteps(live: LiveGrants, roles: readonly string[]): ApplyStep[] {
  const steps: ApplyStep[] = [];
  const cleared = (grants: GrantsMap): GrantsMap =>
    Object.fromEntries(
      roles.filter((role) => Object.hasOwn(grants, role)).map((role) => [role, []]),
    );
  const appPatch = cleared(live.app_grants);
  if (Object.keys(appPatch).length > 0) {
    steps.push({
      description: `updateApp grants of ${rolesOf(appPatch)} (to recreate the role)`,
      run: (admin) => admin.updateApp({ grants: appPatch }),
    });
  }
  for (const name of keysOf(live.call_types)) {
    const patch = cleared(live.call_types[name] ?? {});
    if (Object.keys(patch).length === 0) continue;
    steps.push({
      description: `updateCallType ${name}: grants of ${rolesOf(patch)} (to recreate the role)`,
      run: (admin) => admin.updateCallType(name, { grants: patch }),
    });
  }
  for (const callKey of keysOf(live.call_overrides)) {
    const modifiers = live.call_overrides[callKey] ?? {};
    if (Object.keys(cleared(modifiers)).length === 0) continue;
    const rest = withoutKeys(modifiers, roles);
    const grants = Object.keys(rest).length === 0 ? null : rest;
    const { callType, id } = splitCallKey(callKey);
    steps.push({
      description: `updateCallOverrides ${callKey}: modifiers of ${roles.join(', ')} (to recreate the role)`,
      run: (admin) => admin.updateCallOverrides(callType, id, grants),
    });
  }
  for (const role of roles) {
    steps.push({
      description: `deleteRole ${role} (to recreate it: a role's level and description cannot be updated)`,
      run: (admin) => admin.deleteRole(role),
    });
  }
  return steps;
}

/** `live` after removeRoleSteps: the roles and all their grants gone. */
function withoutRoles(live: LiveGrants, roles: readonly string[]): LiveGrants {
  const strip = (scopes: Record<string, GrantsMap>) =>
    Object.fromEntries(
      Object.entries(scopes).map(([name, grants]) => [name, withoutKeys(grants, roles)]),
    );
  const overrides = strip(live.call_overrides);
  return {
    ...live,
    roles: withoutKeys(live.roles, roles),
    app_grants: withoutKeys(live.app_grants, roles),
    call_types: strip(live.call_types),
    call_overrides: Object.fromEntries(
      Object.entries(overrides).filter(([, grants]) => Object.keys(grants).length > 0),
    ),
  };
}

function permissionFields(permission: LivePermission): Omit<CustomPermissionRequest, 'id'> {
  return {
    action: permission.action,
    name: permission.name,
    description: permission.description,
    owner: permission.owner,
    same_team: permission.same_team,
  };
}

const PERMISSION_FIELDS = ['action', 'name', 'description', 'owner', 'same_team'] as const;

function changedFields(before: LivePermission, after: LivePermission): string[] {
  return PERMISSION_FIELDS.filter((field) => before[field] !== after[field]).map(
    (field) => `${field} ${JSON.stringify(before[field])} → ${JSON.stringify(after[field])}`,
  );
}

function samePermission(a: LivePermission, b: LivePermission): boolean {
  return changedFields(a, b).length === 0;
}

function sameRole(a: LiveRole | undefined, b: LiveRole): boolean {
  return a !== undefined && a.level === b.level && a.description === b.description;
}

/** `type:id` → its parts; the id may itself hold no `:` in a grants file, the type never. */
function splitCallKey(callKey: string): { callType: string; id: string } {
  const colon = callKey.indexOf(':');
  return { callType: callKey.slice(0, colon), id: callKey.slice(colon + 1) };
}

function keysOf(record: Record<string, unknown>): string[] {
  return Object.keys(record).sort(compareCodeUnits);
}

function sortedUnion(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareCodeUnits);
}

function withoutKeys<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
}

function rolesOf(grants: GrantsMap): string {
  return keysOf(grants).join(', ');
}

function describeRoles(grants: GrantsMap): string {
  return Object.keys(grants).length === 0 ? '' : ` with grants of ${rolesOf(grants)}`;
}
