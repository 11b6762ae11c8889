// Applies API grant changes to the stored GrantsSpec with the seed's rules: a patch replaces the
// grants of the roles it names, `[]` clears a role, `null` resets the scope to the defaults; and
// declares or drops roles, custom permissions, call types and grants-file call overrides.
// Names come from requests: they are read and written as own properties only (a call type named
// `__proto__` is a key the validator refuses, never a prototype).
import type { GrantsMap, GrantsSpec } from '../../compiler/types.js';
import { own } from '../../core/engine/json.js';

function clone(spec: GrantsSpec): GrantsSpec {
  return structuredClone(spec);
}

/**
 * The grants as the grants file would resolve them: each list names an id once, the first time
 * (a file's repeat is the DUPLICATE_GRANT warning), so the stored spec and its export hold no
 * repeats whatever a client sent (as a user's teams are made distinct).
 */
function distinctGrants(grants: GrantsMap): GrantsMap {
  return Object.fromEntries(
    Object.entries(grants).map(([role, modifiers]) => [role, [...new Set(modifiers)]]),
  );
}

function mergeScope(
  current: GrantsMap | null | undefined,
  patch: GrantsMap | null,
): GrantsMap | null {
  if (patch === null) return null;
  return { ...(current ?? {}), ...distinctGrants(patch) };
}

export function patchAppSettings(
  spec: GrantsSpec,
  patch: { multi_tenant_enabled?: boolean; grants?: GrantsMap | null },
): GrantsSpec {
  const next = clone(spec);
  const app = { ...(next.app ?? {}) };
  if (patch.multi_tenant_enabled !== undefined)
    app.multi_tenant_enabled = patch.multi_tenant_enabled;
  if (patch.grants !== undefined) app.grants = mergeScope(app.grants, patch.grants);
  next.app = app;
  return next;
}

export function patchCallTypeGrants(
  spec: GrantsSpec,
  callType: string,
  grants: GrantsMap | null,
): GrantsSpec {
  const next = clone(spec);
  const callTypes = next.call_types ?? {};
  const current = own(callTypes, callType) ?? {};
  next.call_types = {
    ...callTypes,
    [callType]: { ...current, grants: mergeScope(current.grants, grants) },
  };
  return next;
}

export function addRole(
  spec: GrantsSpec,
  name: string,
  definition: { description?: string; level?: 'user' | 'call' },
): GrantsSpec {
  const next = clone(spec);
  next.roles = { ...(next.roles ?? {}), [name]: definition };
  return next;
}

/** Drops the role and any empty grant lists it still has (they are not grants). */
export function removeRole(spec: GrantsSpec, name: string): GrantsSpec {
  const next = clone(spec);
  next.roles = Object.fromEntries(
    Object.entries(next.roles ?? {}).filter(([role]) => role !== name),
  );
  const dropEmpty = (grants: GrantsMap | null | undefined): GrantsMap | null | undefined => {
    if (grants === null || grants === undefined) return grants;
    return Object.fromEntries(Object.entries(grants).filter(([role]) => role !== name));
  };
  if (next.app?.grants !== undefined)
    next.app = { ...next.app, grants: dropEmpty(next.app.grants) ?? null };
  for (const [type, definition] of Object.entries(next.call_types ?? {})) {
    if (definition.grants !== undefined && next.call_types !== undefined) {
      next.call_types[type] = { ...definition, grants: dropEmpty(definition.grants) ?? null };
    }
  }
  return next;
}

/** One entry of the spec's `permissions` list (a custom permission). */
export type CustomPermission = NonNullable<GrantsSpec['permissions']>[number];

/** Declares a custom call type; without grants it starts with none (DESIGN §2). */
export function addCallType(spec: GrantsSpec, name: string, grants: GrantsMap | null): GrantsSpec {
  const next = clone(spec);
  next.call_types = {
    ...(next.call_types ?? {}),
    [name]: grants === null ? {} : { grants: distinctGrants(grants) },
  };
  return next;
}

/** Drops a call type's declaration (the caller has checked nothing refers to it). */
export function removeCallType(spec: GrantsSpec, name: string): GrantsSpec {
  const next = clone(spec);
  next.call_types = Object.fromEntries(
    Object.entries(next.call_types ?? {}).filter(([callType]) => callType !== name),
  );
  return next;
}

/** Adds a custom permission, or replaces the one with the same id in place (order is kept). */
export function putPermission(spec: GrantsSpec, permission: CustomPermission): GrantsSpec {
  const next = clone(spec);
  const permissions = next.permissions ?? [];
  const index = permissions.findIndex((existing) => existing.id === permission.id);
  if (index < 0) permissions.push(permission);
  else permissions[index] = permission;
  next.permissions = permissions;
  return next;
}

/** Drops a custom permission (the caller has checked no grant names it). */
export function removePermission(spec: GrantsSpec, id: string): GrantsSpec {
  const next = clone(spec);
  next.permissions = (next.permissions ?? []).filter((permission) => permission.id !== id);
  return next;
}

/**
 * Sets the grants-file overrides (`calls:` layer) of call `type:id` to `grants`, modifiers as
 * in the file; `null` removes the call's entry.
 */
export function setCallOverrides(
  spec: GrantsSpec,
  callKey: string,
  grants: GrantsMap | null,
): GrantsSpec {
  const next = clone(spec);
  const others = Object.entries(next.calls ?? {}).filter(([key]) => key !== callKey);
  const entry =
    grants === null
      ? []
      : [[callKey, { config_overrides: { grants: distinctGrants(grants) } }] as const];
  next.calls = Object.fromEntries([...others, ...entry]);
  if (Object.keys(next.calls).length === 0) delete next.calls;
  return next;
}
