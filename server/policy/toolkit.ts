// What the server needs from the compiler and the SDK to turn a GrantsSpec into decisions:
// validate, resolve, emit data.json, pack the bundle and run a swappable evaluator.
import type { Diagnostic, GrantsSpec, ResolvedPolicy } from '../../compiler/types.js';
import type { Evaluator } from '../../sdk/evaluator.js';

/** An evaluator whose grants can be swapped without reloading the engine. */
export interface SwappableEvaluator extends Evaluator {
  setData(data: Record<string, unknown>): void | Promise<void>;
}

/** A loaded grants file: its spec and warnings, or the diagnostics that refuse it. */
export type LoadedSpec =
  | { ok: true; spec: GrantsSpec; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

export interface PolicyToolkit {
  /** Parses and validates a grants file (for --config). */
  loadFile(file: string, text: string): LoadedSpec;
  /** Validates a spec built from API requests; errors only matter (there are no positions). */
  validateSpec(spec: GrantsSpec): Diagnostic[];
  resolve(spec: GrantsSpec): ResolvedPolicy;
  /** The bundle's data.json document (`{rolecall_data: …}`). */
  dataDocument(policy: ResolvedPolicy): Record<string, unknown>;
  /** bundle.tar.gz with the engine, policy.wasm, data.json and manifest. */
  packBundle(policy: ResolvedPolicy): Promise<Uint8Array>;
  createEvaluator(data: Record<string, unknown>): Promise<SwappableEvaluator>;
}
