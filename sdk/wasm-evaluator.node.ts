// Node-only helpers that read a bundle or policy.wasm + data.json from disk for WasmEvaluator;
// the evaluator itself stays browser-safe.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { WasmEvaluator } from './wasm-evaluator.js';

/**
 * Loads a WasmEvaluator from a bundle.tar.gz file, from a bundle folder holding `policy.wasm`
 * and `data.json`, or from the output folder of `rolecall compile` (which holds `bundle/`).
 */
export async function loadWasmEvaluator(bundlePath: string): Promise<WasmEvaluator> {
  if ((await stat(bundlePath)).isDirectory()) {
    const folder = existsSync(path.join(bundlePath, 'bundle', 'policy.wasm'))
      ? path.join(bundlePath, 'bundle')
      : bundlePath;
    const [wasm, data] = await Promise.all([
      readFile(path.join(folder, 'policy.wasm')),
      readFile(path.join(folder, 'data.json')),
    ]);
    return WasmEvaluator.fromWasm(wasm, data);
  }
  return WasmEvaluator.fromBundle(await readFile(bundlePath));
}
