// The grants a call really has (the seed's `config.grants` enrichment): the call type's grants,
// then the grants file's overrides for this call, then the call record's own config_overrides.
import type { GrantsMap, ResolvedPolicy } from '../../compiler/types.js';

function applyModifiers(
  grants: Map<string, Set<string>>,
  modifiers: GrantsMap | null | undefined,
): void {
  if (modifiers === null || modifiers === undefined) return;
  for (const [role, list] of Object.entries(modifiers)) {
    const current = grants.get(role) ?? new Set<string>();
    for (const modifier of list) {
      if (modifier.startsWith('!')) current.delete(modifier.slice(1));
      else current.add(modifier);
    }
    grants.set(role, current);
  }
}

export function effectiveCallGrants(
  policy: ResolvedPolicy,
  callType: string,
  callId: string,
  overrides: GrantsMap | null | undefined,
): GrantsMap {
  const grants = new Map<string, Set<string>>();
  for (const [role, list] of Object.entries(policy.call_types[callType] ?? {}))
    grants.set(role, new Set(list));
  applyModifiers(grants, policy.call_overrides[`${callType}:${callId}`]);
  applyModifiers(grants, overrides);
  const result: GrantsMap = {};
  for (const role of [...grants.keys()].sort()) result[role] = [...(grants.get(role) ?? [])].sort();
  return result;
}
