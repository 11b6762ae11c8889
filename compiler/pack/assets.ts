// Reads the shipped engine assets a bundle needs: the engine Rego and the prebuilt policy.wasm.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { engineDir, policyWasmPath } from '../assets.js';
import type { EmittedFile } from '../types.js';
import { compareCodeUnits } from '../compare-code-units.js';

/** The package is missing a file it ships (e.g. policy.wasm before `npm run build`). */
export class MissingAssetError extends Error {
  override name = 'MissingAssetError';
  readonly code = 'MISSING_ASSET';
}

export interface EngineAssets {
  /** `rolecall/<name>.rego` for each engine module (tests excluded). */
  rego: EmittedFile[];
  wasm: Uint8Array;
}

/** Reads the engine Rego from `regoDir` and the prebuilt module from `wasmPath`. */
export async function readEngineAssets(
  regoDir: string = engineDir,
  wasmPath: string = policyWasmPath,
): Promise<EngineAssets> {
  if (!existsSync(wasmPath)) {
    throw new MissingAssetError(
      `the prebuilt policy engine is missing at ${wasmPath}; run npm run build`,
    );
  }
  const names = (await readdir(regoDir))
    .filter((name) => name.endsWith('.rego') && !name.endsWith('_test.rego'))
    .sort(compareCodeUnits);
  if (names.length === 0) throw new MissingAssetError(`no engine Rego found in ${regoDir}`);
  const rego = await Promise.all(
    names.map(async (name) => ({
      path: `rolecall/${name}`,
      contents: await readFile(path.join(regoDir, name), 'utf8'),
    })),
  );
  return { rego, wasm: new Uint8Array(await readFile(wasmPath)) };
}
