// Differential test: fast-check generates ROLECALL_DIFF_RUNS inputs (default 10,000; decisions
// and query filters, malformed ones included) and every engine must agree on canonical JSON:
// `opa eval` over rolecall/batch (one run, the oracle), the JS engine, the WASM evaluator and an
// OPA server.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JsEvaluator } from '../sdk/js-evaluator.js';
import { OpaEvaluator } from '../sdk/opa-evaluator.node.js';
import { findInputProblem } from '../sdk/precheck.js';
import type { BatchResult } from '../sdk/types.js';
import { WasmEvaluator } from '../sdk/wasm-evaluator.js';
import { inputArbitraries, namesOf } from './contract/arbitraries.js';
import { canonicalJson } from './contract/canonical.js';
import { buildContractBundle, type ContractBundle } from './contract/fixture.js';
import { evaluateBatchWithOpa } from './support/opa-eval.js';
import { startOpaServer, type OpaServer } from './support/opa-server.js';

const RUNS = Number(process.env['ROLECALL_DIFF_RUNS'] ?? 10_000);
const SEED = Number(process.env['ROLECALL_DIFF_SEED'] ?? Date.now() % 2 ** 31);
/** Items per request to the OPA server: batches, but not one giant body. */
const SERVER_CHUNK = 1000;

let bundle: ContractBundle;
let server: OpaServer;

beforeAll(async () => {
  bundle = await buildContractBundle();
  server = await startOpaServer(bundle.bundlePath);
});

afterAll(async () => {
  await server.stop();
  await bundle.cleanup();
});

async function evaluateOnServer(batch: { decisions: unknown[]; query_filters: unknown[] }) {
  const evaluator = new OpaEvaluator({ url: server.url, timeoutMs: 120_000 });
  try {
    const result: BatchResult = { decisions: [], query_filters: [] };
    for (let start = 0; start < batch.decisions.length; start += SERVER_CHUNK) {
      const slice = batch.decisions.slice(start, start + SERVER_CHUNK);
      result.decisions.push(
        ...(await evaluator.evaluateBatch({ decisions: slice, query_filters: [] })).decisions,
      );
    }
    for (let start = 0; start < batch.query_filters.length; start += SERVER_CHUNK) {
      const slice = batch.query_filters.slice(start, start + SERVER_CHUNK);
      result.query_filters.push(
        ...(await evaluator.evaluateBatch({ decisions: [], query_filters: slice })).query_filters,
      );
    }
    return result;
  } finally {
    await evaluator.close();
  }
}

async function evaluateInWasm(batch: { decisions: unknown[]; query_filters: unknown[] }) {
  const evaluator = await WasmEvaluator.fromBundle(bundle.bundleBytes);
  try {
    const oneByOne: BatchResult = {
      decisions: await Promise.all(
        batch.decisions.map((input) => evaluator.evaluate('rolecall/decision', input)),
      ),
      query_filters: await Promise.all(
        batch.query_filters.map((input) => evaluator.evaluate('rolecall/query_filter', input)),
      ),
    };
    return { oneByOne, batched: await evaluator.evaluateBatch(batch) };
  } finally {
    await evaluator.close();
  }
}

function evaluateInJs(batch: { decisions: unknown[]; query_filters: unknown[] }) {
  const evaluator = JsEvaluator.fromBundle(bundle.bundleBytes);
  const oneByOne: BatchResult = {
    decisions: batch.decisions.map((input) => evaluator.evaluateSync('rolecall/decision', input)),
    query_filters: batch.query_filters.map((input) =>
      evaluator.evaluateSync('rolecall/query_filter', input),
    ),
  };
  return { oneByOne, batched: evaluator.evaluateBatchSync(batch) };
}

function describeInput(input: unknown): string {
  try {
    return JSON.stringify(input);
  } catch {
    return String(input);
  }
}

it(`opa eval, WASM and the OPA server agree on ${RUNS} generated inputs (seed ${SEED})`, async () => {
  const arbitraries = inputArbitraries(namesOf(bundle.dataJson));
  const decisionCount = Math.ceil(RUNS * 0.6);
  const batch = {
    decisions: fc.sample(arbitraries.decision, { numRuns: decisionCount, seed: SEED }),
    query_filters: fc.sample(arbitraries.queryFilter, {
      numRuns: RUNS - decisionCount,
      seed: SEED + 1,
    }),
  };
  // The oracle sees what the pre-check lets through; an item it stops (lone surrogates …) goes
  // to opa eval as `null`, so the pre-check's own answer is checked against the engine's answer
  // for a non-object input.
  const oracleBatch = {
    decisions: batch.decisions.map((input) =>
      findInputProblem(input) === undefined ? input : null,
    ),
    query_filters: batch.query_filters.map((input) =>
      findInputProblem(input) === undefined ? input : null,
    ),
  };
  const [oracle, wasm, remote] = await Promise.all([
    // The oracle: `opa eval` of data.rolecall.batch over the whole batch, in one process run.
    evaluateBatchWithOpa(bundle.bundleDir, oracleBatch, {
      timeoutMs: 300_000,
    }) as Promise<BatchResult>,
    evaluateInWasm(batch),
    evaluateOnServer(batch),
  ]);
  const js = evaluateInJs(batch);

  const mismatches: string[] = [];
  for (const kind of ['decisions', 'query_filters'] as const) {
    const inputs = batch[kind];
    for (let index = 0; index < inputs.length; index += 1) {
      const expected = canonicalJson(oracle[kind][index]);
      const answers = {
        'js one by one': js.oneByOne[kind][index],
        'js batch': js.batched[kind][index],
        'wasm one by one': wasm.oneByOne[kind][index],
        'wasm batch': wasm.batched[kind][index],
        'opa server batch': remote[kind][index],
      };
      for (const [engine, answer] of Object.entries(answers)) {
        const actual = answer === undefined ? 'undefined' : canonicalJson(answer);
        if (actual !== expected && mismatches.length < 5) {
          mismatches.push(
            `${kind}[${index}] ${engine}\n  input:  ${describeInput(inputs[index])}\n  oracle: ${expected}\n  got:    ${actual}`,
          );
        }
      }
    }
  }
  expect(mismatches, `seed ${SEED}; rerun with ROLECALL_DIFF_SEED=${SEED}`).toEqual([]);
  expect(oracle.decisions).toHaveLength(batch.decisions.length);
  expect(oracle.query_filters).toHaveLength(batch.query_filters.length);
  // The generator must reach the interesting answers, not only INVALID_INPUT.
  const reasons = new Set(oracle.decisions.map((decision) => decision.reason));
  for (const reason of ['GRANTED', 'REVOKED', 'NOT_GRANTED', 'INVALID_INPUT', 'TEAM_MISMATCH']) {
    expect(reasons).toContain(reason);
  }
  const filterReasons = new Set(oracle.query_filters.map((result) => result.reason));
  for (const reason of ['INJECTED', 'INVALID_FILTER', 'INVALID_INPUT']) {
    expect(filterReasons).toContain(reason);
  }
}, 180_000);

it('capabilities: JS, WASM and the OPA server agree on generated inputs', async () => {
  // Each capabilities answer runs the full decision for every call-level action, so a few
  // hundred inputs cover it; the entrypoint is not in rolecall/batch, hence not in opa eval.
  const count = Math.max(100, Math.ceil(RUNS / 30));
  const inputs = fc.sample(inputArbitraries(namesOf(bundle.dataJson)).decision, {
    numRuns: count,
    seed: SEED + 2,
  });
  const wasm = await WasmEvaluator.fromBundle(bundle.bundleBytes);
  const remote = new OpaEvaluator({ url: server.url, timeoutMs: 60_000 });
  try {
    const [local, served] = await Promise.all([
      Promise.all(inputs.map((input) => wasm.evaluate('rolecall/capabilities', input))),
      Promise.all(inputs.map((input) => remote.evaluate('rolecall/capabilities', input))),
    ]);
    const js = JsEvaluator.fromBundle(bundle.bundleBytes);
    const inJs = inputs.map((input) => js.evaluateSync('rolecall/capabilities', input));
    const mismatches = inputs.flatMap((input, index) =>
      canonicalJson(local[index]) === canonicalJson(served[index]) &&
      canonicalJson(inJs[index]) === canonicalJson(served[index])
        ? []
        : [
            `${describeInput(input)}\n  wasm: ${canonicalJson(local[index])}\n  js:   ${canonicalJson(inJs[index])}\n  opa:  ${canonicalJson(served[index])}`,
          ],
    );
    expect(mismatches.slice(0, 5), `seed ${SEED}`).toEqual([]);
    expect(local.some((capabilities) => capabilities.length > 0)).toBe(true);
  } finally {
    await remote.close();
    await wasm.close();
  }
}, 120_000);
