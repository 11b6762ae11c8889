// One entrypoint of an engine instance from loadEngineWasm, asserting opa-wasm answered exactly
// one result (kept apart from wasm.ts, which benchmarks import outside vitest).
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { expect } from 'vitest';

/** The value `entrypoint` answers for `input`; fails the test unless there is exactly one. */
export function evaluateEngineWasm(
  policy: LoadedPolicy,
  entrypoint: string,
  input: unknown,
): unknown {
  const results = policy.evaluate(input, entrypoint) as { result: unknown }[];
  expect(results).toHaveLength(1);
  return results[0]?.result;
}
