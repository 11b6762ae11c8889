// What `rolecall test` and `rolecall diff` share: a grants file resolved in memory, an evaluator
// over the resulting policy, and diagnostics printed the way `rolecall check` prints them.
import { readFile } from 'node:fs/promises';
import { policyWasmPath } from '../compiler/assets.js';
import { renderDiagnostics } from '../compiler/diagnostics/index.js';
import { checkGrantsText } from '../compiler/compile/check.js';
import { resolveGrants } from '../compiler/resolve/index.js';
import type { Diagnostic, ResolvedPolicy, Result } from '../compiler/types.js';
import { buildDataDocument } from '../core/data-document.js';
import type { Evaluator } from '../sdk/evaluator.js';
import { JsEvaluator } from '../sdk/js-evaluator.js';
import { OpaEvaluator } from '../sdk/opa-evaluator.node.js';
import { WasmEvaluator } from '../sdk/wasm-evaluator.js';
import type { EngineChoice } from './args.js';
import { UsageError, type CliIo } from './io.js';

/**
 * Opens an evaluator for one resolved policy. The JS and WASM ones evaluate the data document
 * `compile` would ship (the core's one builder); an OPA one is a running server that must
 * already serve the same grants (checked by revision).
 */
export async function openEvaluator(
  choice: EngineChoice,
  policy: ResolvedPolicy,
): Promise<Evaluator> {
  if (choice.engine === 'opa') {
    return new OpaEvaluator({ url: choice.url, timeoutMs: 10_000 });
  }
  const data = buildDataDocument(policy);
  if (choice.engine === 'js') return JsEvaluator.fromData(data);
  let wasm: Buffer;
  try {
    wasm = await readFile(policyWasmPath);
  } catch {
    throw new UsageError(`the engine ${policyWasmPath} is missing; build it with npm run build`);
  }
  return WasmEvaluator.fromWasm(wasm, data);
}

/**
 * Load → validate → resolve of one grants file, in memory. Built on the front half `rolecall
 * check` runs, so a failure carries the loader's warnings next to the validator's errors.
 */
export function resolveGrantsText(file: string, text: string): Result<ResolvedPolicy> {
  const checked = checkGrantsText(file, text);
  if (!checked.ok) return checked;
  const { document, spec } = checked.value;
  const policy = resolveGrants(spec, { locate: document.locate });
  return { ok: true, value: policy, diagnostics: checked.diagnostics };
}

/** Prints diagnostics the way `rolecall check` does, with code frames from the given texts. */
export function printDiagnostics(
  io: CliIo,
  diagnostics: readonly Diagnostic[],
  sources: Record<string, string>,
  format: 'text' | 'github' = 'text',
): void {
  io.stderr(renderDiagnostics(diagnostics, sources, format));
}
