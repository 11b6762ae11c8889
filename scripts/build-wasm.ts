// Builds policies/build/policy.wasm from the engine Rego with the pinned OPA, all entrypoints.
// Runs as part of `npm run build`; users of `rolecall compile` get the prebuilt file.
import { mkdtemp, mkdir, readdir, rm, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { ENTRYPOINTS, engineDir, policyWasmPath } from '../compiler/assets.js';
import { runOpaOrThrow } from './opa.js';

const work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-wasm-'));
try {
  const regoFiles = (await readdir(engineDir))
    .filter((name) => name.endsWith('.rego') && !name.endsWith('_test.rego'))
    .map((name) => path.join(engineDir, name));
  const bundlePath = path.join(work, 'bundle.tar.gz');
  const entrypointArgs = ENTRYPOINTS.flatMap((entrypoint) => ['-e', entrypoint]);
  await runOpaOrThrow(['build', '-t', 'wasm', ...entrypointArgs, '-o', bundlePath, ...regoFiles]);
  await tar.x({ file: bundlePath, cwd: work }, ['/policy.wasm']);
  await mkdir(path.dirname(policyWasmPath), { recursive: true });
  await copyFile(path.join(work, 'policy.wasm'), policyWasmPath);
  console.log(`built ${path.relative(process.cwd(), policyWasmPath)}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
