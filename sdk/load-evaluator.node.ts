// Node-only helpers that read a bundle from disk for the local evaluators; the evaluators
// themselves stay browser-safe. The JS engine needs only data.json, WASM also policy.wasm.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readBundleData, toDataDocument, type PolicyDataDocument } from './bundle.js';
import { JsEvaluator } from './js-evaluator.js';
import { WasmEvaluator } from './wasm-evaluator.js';

/** The bundle folder inside `rolecall compile`'s output folder, or the folder itself. */
function bundleFolder(folder: string, file: string): string {
  return existsSync(path.join(folder, 'bundle', file)) ? path.join(folder, 'bundle') : folder;
}

/**
 * Loads a WasmEvaluator from a bundle.tar.gz file, from a bundle folder holding `policy.wasm`
 * and `data.json`, or from the output folder of `rolecall compile` (which holds `bundle/`).
 */
export async function loadWasmEvaluator(bundlePath: string): Promise<WasmEvaluator> {
  if ((await stat(bundlePath)).isDirectory()) {
    const folder = bundleFolder(bundlePath, 'policy.wasm');
    const [wasm, data] = await Promise.all([
      readFile(path.join(folder, 'policy.wasm')),
      readFile(path.join(folder, 'data.json')),
    ]);
    return WasmEvaluator.fromWasm(wasm, data);
  }
  return WasmEvaluator.fromBundle(await readFile(bundlePath));
}

/** The bundle's data.json document, from the same places or from a data.json file. */
export async function loadPolicyData(bundlePath: string): Promise<PolicyDataDocument> {
  if ((await stat(bundlePath)).isDirectory()) {
    const folder = bundleFolder(bundlePath, 'data.json');
    return toDataDocument(await readFile(path.join(folder, 'data.json')));
  }
  const bytes = await readFile(bundlePath);
  return bundlePath.endsWith('.json') ? toDataDocument(bytes) : readBundleData(bytes);
}

/** Loads a JsEvaluator from the same places, or from a data.json file. */
export async function loadJsEvaluator(bundlePath: string): Promise<JsEvaluator> {
  return JsEvaluator.fromData(await loadPolicyData(bundlePath));
}
