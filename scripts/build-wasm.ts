// Builds policies/build/policy.wasm from the engine Rego with the pinned OPA, all entrypoints.
// Runs as part of `npm run build`; users of `rolecall compile` get the prebuilt file.
import { chmod, copyFile, mkdtemp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tar from 'tar';
import { ENTRYPOINTS, engineDir, policyWasmPath } from '../compiler/assets.js';
import { runOpaOrThrow } from './opa.js';

/** The engine's Rego modules, tests excluded (they never ship in policy.wasm or bundles). */
export async function engineRegoFiles(): Promise<string[]> {
  return (await readdir(engineDir))
    .filter((name) => name.endsWith('.rego') && !name.endsWith('_test.rego'))
    .sort()
    .map((name) => path.join(engineDir, name));
}

/** Compiles the engine to WebAssembly and writes it to `outputPath` atomically. */
export async function buildPolicyWasm(outputPath: string = policyWasmPath): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-wasm-'));
  try {
    const bundlePath = path.join(work, 'bundle.tar.gz');
    const entrypointArgs = ENTRYPOINTS.flatMap((entrypoint) => ['-e', entrypoint]);
    const regoFiles = await engineRegoFiles();
    await runOpaOrThrow(['build', '-t', 'wasm', ...entrypointArgs, '-o', bundlePath, ...regoFiles]);
    await tar.x({ file: bundlePath, cwd: work }, ['/policy.wasm']);
    await mkdir(path.dirname(outputPath), { recursive: true });
    // Copy next to the target and rename, so a concurrent reader never sees a half-written file.
    const staged = `${outputPath}.${String(process.pid)}.${String(Date.now())}.tmp`;
    await copyFile(path.join(work, 'policy.wasm'), staged);
    await chmod(staged, 0o644);
    await rename(staged, outputPath);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  await buildPolicyWasm();
  console.log(`built ${path.relative(process.cwd(), policyWasmPath)}`);
}
