// Node-only helpers that read a bundle or policy.wasm + data.json from disk for WasmEvaluator;
// the evaluator itself stays browser-safe.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { WasmEvaluator } from './wasm-evaluator.js';

/**
 * Loads a WasmEvaluator from a bundle.tar.gz file, or from a folder holding `policy.wasm` and
 * `data.json` (the `bundle/` folder that `rolecall compile` writes).
 */
export async function loadWasmEvaluator(bundlePath: string): Promise<WasmEvaluator> {
  if ((await stat(bundlePath)).isDirectory()) {
    const [wasm, data] = await Promise.all([
      readFile(path.join(bundlePath, 'policy.wasm')),
      readFile(path.join(bundlePath, 'data.json')),
    ]);
    return WasmEvaluator.fromWasm(wasm, new Uint8Array(data));
  }
  return WasmEvaluator.fromBundle(await readFile(bundlePath));
}
