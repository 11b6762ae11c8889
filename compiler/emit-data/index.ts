// Emit stage for data.json: the resolved policy at `rolecall_data`, as deterministic JSON.
import type { EmittedFile, ResolvedPolicy } from '../types.js';
import { stableJson } from './stable-json.js';

export { stableJson } from './stable-json.js';

/** data.json of the bundle: `{"rolecall_data": policy}` with sorted keys and a final newline. */
export function emitData(policy: ResolvedPolicy): EmittedFile {
  return { path: 'data.json', contents: stableJson({ rolecall_data: policy }) };
}
