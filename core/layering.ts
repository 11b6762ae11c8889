// The seed's grant update semantics, shared by the resolver and the reference server:
// scope patches replace per role, and call overrides are `id` / `!id` modifiers.
import { compareCodeUnits } from './compare.js';
import type { GrantsMap, ResolvedPolicy } from './policy.js';

/** Sorted, de-duplicated copy of a list of ids (code-unit order, so output is deterministic). */
function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort(compareCodeUnits);
}

/**
 * Normalizes a grants map: sorted keys, sorted unique lists, and roles with no grants dropped,
 * so "no grants" has one representation and equal grants always hash to the same revision.
 */
export function normalizeGrants(grants: GrantsMap): GrantsMap {
  const normalized: GrantsMap = {};
  for (const role of Object.keys(grants).sort(compareCodeUnits)) {
    const ids = sortedUnique(grants[role] ?? []);
    if (ids.length > 0) normalized[role] = ids;
  }
  return normalized;
}

/**
 * Applies a scope patch (`app.grants`, a call type's `grants`, `updateApp`, `updateCallType`):
 * `undefined` keeps the scope, `null` resets it to `defaults`, and each role a patch names gets
 * exactly the listed permissions (`[]` clears it); roles it does not name keep their grants.
 */
export function patchScope(
  current: GrantsMap,
  patch: GrantsMap | null | undefined,
  defaults: GrantsMap = {},
): GrantsMap {
  if (patch === undefined) return normalizeGrants(current);
  if (patch === null) return normalizeGrants(defaults);
  const patched: GrantsMap = { ...current };
  for (const [role, ids] of Object.entries(patch)) patched[role] = ids;
  return normalizeGrants(patched);
}

/** The permission id a modifier is about (`!send-video` → `send-video`). */
export function modifierPermission(modifier: string): string {
  return modifier.startsWith('!') ? modifier.slice(1) : modifier;
}

/**
 * Applies modifier lists to resolved grants, per role: a bare id adds the permission, `!id`
 * removes it, everything else stays. Used to show a call's effective grants (`config.grants`).
 */
export function applyModifiers(
  grants: GrantsMap,
  modifiers: GrantsMap | null | undefined,
): GrantsMap {
  if (modifiers === null || modifiers === undefined) return normalizeGrants(grants);
  const applied: GrantsMap = { ...grants };
  for (const [role, list] of Object.entries(modifiers)) {
    const held = new Set(applied[role] ?? []);
    for (const modifier of list) {
      if (modifier.startsWith('!')) held.delete(modifier.slice(1));
      else held.add(modifier);
    }
    applied[role] = [...held];
  }
  return normalizeGrants(applied);
}

/** Normalizes a modifier map for storage: sorted unique modifiers, empty lists dropped. */
export function normalizeModifiers(modifiers: GrantsMap | null | undefined): GrantsMap {
  return modifiers === null || modifiers === undefined ? {} : normalizeGrants(modifiers);
}

/**
 * The grants a call really has (the seed's `config.grants` enrichment): the call type's grants,
 * then the grants file's overrides for this call, then the call record's own overrides — the
 * layers every engine applies before the member's own grants.
 */
export function effectiveCallGrants(
  policy: Pick<ResolvedPolicy, 'call_types' | 'call_overrides'>,
  callType: string,
  callId: string,
  overrides: GrantsMap | null | undefined,
): GrantsMap {
  const typeGrants = Object.hasOwn(policy.call_types, callType)
    ? (policy.call_types[callType] ?? {})
    : {};
  const callKey = `${callType}:${callId}`;
  const fileOverrides = Object.hasOwn(policy.call_overrides, callKey)
    ? policy.call_overrides[callKey]
    : undefined;
  return applyModifiers(applyModifiers(typeGrants, fileOverrides), overrides);
}

/**
 * A member's modifiers after `updateUserPermissions`: each granted id replaces its revoke and
 * each revoked id its grant, so the list never holds both; sorted for storage.
 */
export function updateMemberModifiers(
  current: readonly string[],
  granted: readonly string[],
  revoked: readonly string[],
): string[] {
  const modifiers = new Set(current);
  for (const permission of granted) {
    modifiers.delete(`!${permission}`);
    modifiers.add(permission);
  }
  for (const permission of revoked) {
    modifiers.delete(permission);
    modifiers.add(`!${permission}`);
  }
  return [...modifiers].sort(compareCodeUnits);
}
