// The differential comparison shared by test/engine/differential.test.ts (every CI run) and
// scripts/differential.ts (a million inputs): fast-check generates decision and query_filter
// inputs (malformed ones included) and every engine must answer the oracle's canonical JSON —
// `opa eval` of the bundle, at all five entrypoints.
import fc from 'fast-check';
import type { BatchResult } from '../../core/contract.js';
import { JsEvaluator } from '../../sdk/js-evaluator.js';
import type { OpaEvaluator } from '../../sdk/opa-evaluator.node.js';
import { findInputProblem } from '../../sdk/precheck.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import { runOpaOrThrow } from '../../scripts/opa.js';
import { inputArbitraries, namesOf } from '../contract/arbitraries.js';
import { canonicalJson } from '../contract/canonical.js';
import type { ContractBundle } from '../contract/fixture.js';
import { evaluateBatchWithOpa, opaEvalValue } from './opa-eval.js';

/** Items per request to an OPA server: batches, but not one giant body. */
const SERVER_CHUNK = 1000;

export interface DifferentialOptions {
  bundle: ContractBundle;
  /** Inputs in all: 60% decisions, 40% query filters; capabilities on every 10th decision. */
  runs: number;
  seed: number;
  /** A running OPA server with the same bundle, compared too when given. */
  server?: OpaEvaluator;
}

export interface DifferentialReport {
  /** Answers compared, per entrypoint. */
  compared: Record<string, number>;
  mismatchCount: number;
  /** The first few mismatches, each with its input and both answers. */
  mismatches: string[];
  decisionReasons: Set<string>;
  filterReasons: Set<string>;
}

type Batch = { decisions: unknown[]; query_filters: unknown[] };

function describeInput(input: unknown): string {
  try {
    return JSON.stringify(input);
  } catch {
    return String(input);
  }
}

/** The oracle sees what the pre-check lets through; what it stops reaches OPA as `null`. */
function oracleInput(input: unknown): unknown {
  return findInputProblem(input) === undefined ? input : null;
}

async function capabilitiesWithOpa(bundleDir: string, inputs: unknown[]): Promise<unknown[]> {
  const query =
    '[answer | some item in input.items; answer := data.rolecall.capabilities with input as item]';
  const stdout = await runOpaOrThrow(
    ['eval', '--bundle', bundleDir, '--stdin-input', '--format', 'json', query],
    { input: JSON.stringify({ items: inputs.map(oracleInput) }), timeoutMs: 600_000 },
  );
  return opaEvalValue(stdout) as unknown[];
}

async function serverBatch(server: OpaEvaluator, batch: Batch): Promise<BatchResult> {
  const result: BatchResult = { decisions: [], query_filters: [] };
  for (let start = 0; start < batch.decisions.length; start += SERVER_CHUNK) {
    const decisions = batch.decisions.slice(start, start + SERVER_CHUNK);
    result.decisions.push(
      ...(await server.evaluateBatch({ decisions, query_filters: [] })).decisions,
    );
  }
  for (let start = 0; start < batch.query_filters.length; start += SERVER_CHUNK) {
    const queryFilters = batch.query_filters.slice(start, start + SERVER_CHUNK);
    result.query_filters.push(
      ...(await server.evaluateBatch({ decisions: [], query_filters: queryFilters })).query_filters,
    );
  }
  return result;
}

/** Runs one differential comparison and reports every disagreement with the oracle. */
export async function compareEngines(options: DifferentialOptions): Promise<DifferentialReport> {
  const { bundle, runs, seed, server } = options;
  const arbitraries = inputArbitraries(namesOf(bundle.dataJson));
  const decisionCount = Math.ceil(runs * 0.6);
  const batch: Batch = {
    decisions: fc.sample(arbitraries.decision, { numRuns: decisionCount, seed }),
    query_filters: fc.sample(arbitraries.queryFilter, {
      numRuns: runs - decisionCount,
      seed: seed + 1,
    }),
  };
  const capabilityInputs = batch.decisions.filter((_, index) => index % 10 === 0);

  const js = JsEvaluator.fromBundle(bundle.bundleBytes);
  const wasm = await WasmEvaluator.fromBundle(bundle.bundleBytes);
  try {
    const [oracle, oracleCapabilities, remote, remoteCapabilities] = await Promise.all([
      evaluateBatchWithOpa(
        bundle.bundleDir,
        {
          decisions: batch.decisions.map(oracleInput),
          query_filters: batch.query_filters.map(oracleInput),
        },
        { timeoutMs: 600_000 },
      ) as Promise<BatchResult>,
      capabilitiesWithOpa(bundle.bundleDir, capabilityInputs),
      server === undefined ? undefined : serverBatch(server, batch),
      server === undefined
        ? undefined
        : Promise.all(
            capabilityInputs.map((input) => server.evaluate('rolecall/capabilities', input)),
          ),
    ]);
    const jsBatch = js.evaluateBatchSync(batch);
    const wasmBatch = await wasm.evaluateBatch(batch);

    const report: DifferentialReport = {
      compared: {},
      mismatchCount: 0,
      mismatches: [],
      decisionReasons: new Set(oracle.decisions.map((decision) => decision.reason)),
      filterReasons: new Set(oracle.query_filters.map((result) => result.reason)),
    };
    const check = (label: string, input: unknown, expected: unknown, actual: unknown) => {
      report.compared[label] = (report.compared[label] ?? 0) + 1;
      const wanted = canonicalJson(expected);
      const got = actual === undefined ? 'undefined' : canonicalJson(actual);
      if (wanted === got) return;
      report.mismatchCount += 1;
      if (report.mismatches.length < 5) {
        report.mismatches.push(
          `${label}\n  input:  ${describeInput(input)}\n  oracle: ${wanted}\n  got:    ${got}`,
        );
      }
    };

    for (const [index, input] of batch.decisions.entries()) {
      const expected = oracle.decisions[index];
      check('decision: js', input, expected, js.evaluateSync('rolecall/decision', input));
      check('allow: js', input, expected?.allow, js.evaluateSync('rolecall/allow', input));
      check('batch decision: js', input, expected, jsBatch.decisions[index]);
      check('decision: wasm', input, expected, await wasm.evaluate('rolecall/decision', input));
      check('allow: wasm', input, expected?.allow, await wasm.evaluate('rolecall/allow', input));
      check('batch decision: wasm', input, expected, wasmBatch.decisions[index]);
      if (remote !== undefined) {
        check('batch decision: opa server', input, expected, remote.decisions[index]);
      }
    }
    for (const [index, input] of batch.query_filters.entries()) {
      const expected = oracle.query_filters[index];
      check('query_filter: js', input, expected, js.evaluateSync('rolecall/query_filter', input));
      check('batch query_filter: js', input, expected, jsBatch.query_filters[index]);
      const inWasm = await wasm.evaluate('rolecall/query_filter', input);
      check('query_filter: wasm', input, expected, inWasm);
      check('batch query_filter: wasm', input, expected, wasmBatch.query_filters[index]);
      if (remote !== undefined) {
        check('batch query_filter: opa server', input, expected, remote.query_filters[index]);
      }
    }
    for (const [index, input] of capabilityInputs.entries()) {
      const expected = oracleCapabilities[index];
      check('capabilities: js', input, expected, js.evaluateSync('rolecall/capabilities', input));
      const inWasm = await wasm.evaluate('rolecall/capabilities', input);
      check('capabilities: wasm', input, expected, inWasm);
      if (remoteCapabilities !== undefined) {
        check('capabilities: opa server', input, expected, remoteCapabilities[index]);
      }
    }
    return report;
  } finally {
    await Promise.all([js.close(), wasm.close()]);
  }
}
