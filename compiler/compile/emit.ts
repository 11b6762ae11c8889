// Turns a resolved policy into every output file of `rolecall compile`: the unpacked bundle/,
// bundle.tar.gz and rolecall.gen.ts, paths relative to the output folder.
import { compareCodeUnits } from '../compare-code-units.js';
import { emitData } from '../emit-data/index.js';
import { emitManifest } from '../emit-manifest/index.js';
import { emitTypes } from '../emit-types/index.js';
import { addClientFactory } from '../emit-types/client-factory.js';
import { packBundle, type EngineAssets } from '../pack/index.js';
import type { EmittedFile, ResolvedPolicy } from '../types.js';
import { ROLECALL_VERSION } from './version.js';

export const BUNDLE_DIR = 'bundle';
export const BUNDLE_ARCHIVE = 'bundle.tar.gz';

/** The output files for a policy, in path order. */
export async function emitOutputFiles(
  policy: ResolvedPolicy,
  assets: EngineAssets,
): Promise<EmittedFile[]> {
  const bundleFiles: EmittedFile[] = [
    emitManifest(policy, ROLECALL_VERSION),
    emitData(policy),
    { path: 'policy.wasm', contents: assets.wasm },
    ...assets.rego,
  ];
  const archive = await packBundle(bundleFiles);
  const files: EmittedFile[] = [
    { path: BUNDLE_ARCHIVE, contents: archive },
    ...bundleFiles.map((file) => ({ ...file, path: `${BUNDLE_DIR}/${file.path}` })),
    emitTypes(policy, { extensions: [addClientFactory] }),
  ];
  return files.sort((left, right) => compareCodeUnits(left.path, right.path));
}
