// Turns a resolved policy into every output file of `rolecall compile`: the unpacked bundle/,
// bundle.tar.gz and rolecall.gen.ts (or its .js/.d.ts pair), paths relative to the output folder.
import { compareCodeUnits } from '../compare-code-units.js';
import { emitData } from '../emit-data/index.js';
import { emitManifest } from '../emit-manifest/index.js';
import { emitTypes } from '../emit-types/index.js';
import { addClientFactory, CLIENT_FACTORY_USAGE } from '../emit-types/client-factory.js';
import { emitTypesAsJavaScript } from '../emit-types/javascript.js';
import { packBundle, type EngineAssets } from '../pack/index.js';
import type { EmittedFile, ResolvedPolicy } from '../types.js';
import { ROLECALL_VERSION } from './version.js';

export const BUNDLE_DIR = 'bundle';
export const BUNDLE_ARCHIVE = 'bundle.tar.gz';

/** `ts`: rolecall.gen.ts; `js`: rolecall.gen.js and rolecall.gen.d.ts, for plain JavaScript. */
export type TypesLanguage = 'ts' | 'js';

export const TYPES_LANGUAGES: readonly TypesLanguage[] = ['ts', 'js'];

/** The files of a policy's OPA bundle: manifest, data.json, policy.wasm and the engine's Rego. */
export function bundleFiles(policy: ResolvedPolicy, assets: EngineAssets): EmittedFile[] {
  return [
    emitManifest(policy, ROLECALL_VERSION),
    emitData(policy),
    { path: 'policy.wasm', contents: assets.wasm },
    ...assets.rego,
  ];
}

/** bundle.tar.gz of a policy: what `rolecall compile` writes and the server serves. */
export function packPolicyBundle(
  policy: ResolvedPolicy,
  assets: EngineAssets,
): Promise<Uint8Array> {
  return packBundle(bundleFiles(policy, assets));
}

/** The output files for a policy, in path order. */
export async function emitOutputFiles(
  policy: ResolvedPolicy,
  assets: EngineAssets,
  types: TypesLanguage = 'ts',
): Promise<EmittedFile[]> {
  const inBundle = bundleFiles(policy, assets);
  const archive = await packBundle(inBundle);
  const files: EmittedFile[] = [
    { path: BUNDLE_ARCHIVE, contents: archive },
    ...inBundle.map((file) => ({ ...file, path: `${BUNDLE_DIR}/${file.path}` })),
    ...emitTypeFiles(policy, types),
  ];
  return files.sort((left, right) => compareCodeUnits(left.path, right.path));
}

function emitTypeFiles(policy: ResolvedPolicy, types: TypesLanguage): EmittedFile[] {
  const typesFile = emitTypes(policy, {
    extensions: [addClientFactory],
    header: CLIENT_FACTORY_USAGE,
  });
  return types === 'js' ? emitTypesAsJavaScript(typesFile) : [typesFile];
}
