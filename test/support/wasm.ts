// Loads the engine's policy.wasm for tests, rebuilding it first when it is missing or older
// than the engine Rego (so a test never runs a stale module after an engine edit).
import { stat, readFile } from 'node:fs/promises';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { policyWasmPath } from '../../compiler/assets.js';
import { buildPolicyWasm, engineRegoFiles } from '../../scripts/build-wasm.js';

async function modifiedAt(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Builds policies/build/policy.wasm when it is missing or older than the engine Rego. */
export async function ensureFreshPolicyWasm(): Promise<void> {
  const builtAt = await modifiedAt(policyWasmPath);
  const sources = await Promise.all((await engineRegoFiles()).map(modifiedAt));
  const newestSource = Math.max(...sources.map((time) => time ?? 0));
  if (builtAt === undefined || builtAt < newestSource) await buildPolicyWasm();
}

/** policy.wasm, built first if it is missing or stale. */
export async function readFreshPolicyWasm(): Promise<Uint8Array> {
  await ensureFreshPolicyWasm();
  return new Uint8Array(await readFile(policyWasmPath));
}

/** A fresh opa-wasm instance of the engine with `data` set. */
export async function loadEngineWasm(data: unknown): Promise<LoadedPolicy> {
  const policy = await loadPolicy(await readFreshPolicyWasm());
  policy.setData(data as object);
  return policy;
}
