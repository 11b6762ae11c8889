// Emit stage for the bundle's .manifest: revision, roots and the WASM entrypoints.
// The entrypoints sit under `metadata`, not the standard `wasm` field: see docs/compile.md.
import { ENTRYPOINTS } from '../assets.js';
import { stableJson } from '../emit-data/index.js';
import type { EmittedFile, ResolvedPolicy } from '../types.js';

/** The path of the prebuilt module inside the bundle. */
const WASM_MODULE_PATH = '/policy.wasm';

/** The bundle roots: the engine's package and the resolved data. */
const BUNDLE_ROOTS = ['rolecall', 'rolecall_data'] as const;

export interface BundleManifest {
  revision: string;
  roots: string[];
  metadata: {
    rolecall: { version: string; wasm: { entrypoint: string; module: string }[] };
  };
}

/** .manifest of the bundle; `version` is the rolecall package version that compiled it. */
export function emitManifest(policy: ResolvedPolicy, version: string): EmittedFile {
  const manifest: BundleManifest = {
    revision: policy.revision,
    roots: [...BUNDLE_ROOTS],
    metadata: {
      rolecall: {
        version,
        wasm: ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: WASM_MODULE_PATH })),
      },
    },
  };
  return { path: '.manifest', contents: stableJson(manifest) };
}
