// Writes an OPA bundle directory for tests: the engine Rego under rolecall/, data.json with
// the core's data document and a .manifest with the bundle roots, ready for `opa eval -b DIR`.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { engineRegoFiles } from '../../scripts/build-wasm.js';
import type { ResolvedPolicy } from '../../compiler/types.js';
import { buildDataDocument } from '../../core/data-document.js';

export interface BundleDir {
  dir: string;
  remove: () => Promise<void>;
}

/** A temporary bundle directory serving `policy` with the current engine Rego. */
export async function writeBundleDir(policy: ResolvedPolicy): Promise<BundleDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-bundle-'));
  await mkdir(path.join(dir, 'rolecall'));
  for (const file of await engineRegoFiles()) {
    await copyFile(file, path.join(dir, 'rolecall', path.basename(file)));
  }
  await writeFile(path.join(dir, 'data.json'), JSON.stringify(buildDataDocument(policy)));
  const manifest = { revision: policy.revision, roots: ['rolecall', 'rolecall_data'] };
  await writeFile(path.join(dir, '.manifest'), JSON.stringify(manifest));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
