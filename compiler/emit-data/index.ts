// Emit stage for data.json: the resolved policy at `rolecall_data`, as deterministic JSON, with
// the index the engine looks permissions up in (derived here, so it can never be stale).
import { compareCodeUnits } from '../compare-code-units.js';
import type { EmittedFile, ResolvedPolicy } from '../types.js';
import { stableJson } from './stable-json.js';

export { stableJson } from './stable-json.js';

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

/** The data document the engine reads: `{rolecall_data: policy}` with `permissions_by_action`. */
export function toPolicyDataDocument(policy: ResolvedPolicy): { rolecall_data: ResolvedPolicy } {
  return {
    rolecall_data: {
      ...policy,
      permissions_by_action: indexPermissionsByAction(policy.permissions),
    },
  };
}

/** data.json of the bundle: the data document with sorted keys and a final newline. */
export function emitData(policy: ResolvedPolicy): EmittedFile {
  return { path: 'data.json', contents: stableJson(toPolicyDataDocument(policy)) };
}
