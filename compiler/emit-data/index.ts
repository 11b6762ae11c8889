// Emit stage for data.json: the data document of the core's one builder (the resolved policy with
// its permission index and decision tables), as deterministic JSON.
import { buildDataDocument } from '../../core/data-document.js';
import type { EmittedFile, ResolvedPolicy } from '../types.js';
import { stableJson } from './stable-json.js';

export { stableJson } from './stable-json.js';

/** data.json of the bundle: the data document with sorted keys and a final newline. */
export function emitData(policy: ResolvedPolicy): EmittedFile {
  return { path: 'data.json', contents: stableJson(buildDataDocument(policy)) };
}
