// Decisions per second and latency of every evaluator on the same inputs, in one run: WASM
// in-process, an OPA server over loopback (one request per decision, several in flight, and
// batches), against a JavaScript Map of precomputed answers — the physical limit of an
// in-process answer. Writes bench/results/evaluators.md.
// Run: npx tsx bench/evaluators.ts
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as prettier from 'prettier';
import type { Evaluator } from '../sdk/evaluator.js';
import { OpaEvaluator } from '../sdk/opa-evaluator.node.js';
import type { Decision } from '../sdk/types.js';
import { WasmEvaluator } from '../sdk/wasm-evaluator.js';
import { inputArbitraries, namesOf } from '../test/contract/arbitraries.js';
import { buildContractBundle } from '../test/contract/fixture.js';
import { startOpaServer } from '../test/support/opa-server.js';
import { describeMachine, formatNumber } from './report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INPUT_COUNT = 2_000;
const BATCH_SIZE = 100;
const CONCURRENCY = 8;
const SEED = 20_240_601;
const ROUNDS = 5;

interface Measurement {
  mode: string;
  /** Decisions answered. */
  decisions: number;
  /** Wall time of the whole pass, ms. */
  wallMs: number;
  /** Latency of each call (one decision, or one batch), ms. */
  latencies: number[];
  /** What one latency sample covers. */
  unit: string;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/** One pass of `call` over the inputs, `inFlight` at a time, timing each call. */
async function measurePass(
  mode: string,
  unit: string,
  units: unknown[][],
  call: (inputs: unknown[]) => unknown,
  inFlight: number,
): Promise<Measurement> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < units.length) {
      const inputs = units[next] ?? [];
      next += 1;
      const before = performance.now();
      await call(inputs);
      latencies.push(performance.now() - before);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const wallMs = performance.now() - started;
  const decisions = units.reduce((sum, inputs) => sum + inputs.length, 0);
  return { mode, decisions, wallMs, latencies: latencies.sort((a, b) => a - b), unit };
}

/** Warms up, then keeps the median of ROUNDS passes (by wall time) to damp outside noise. */
async function measure(
  mode: string,
  unit: string,
  units: unknown[][],
  call: (inputs: unknown[]) => unknown,
  inFlight = 1,
): Promise<Measurement> {
  // Warm up on the first tenth: JIT, keep-alive connections, OPA's caches.
  for (const inputs of units.slice(0, Math.ceil(units.length / 10))) await call(inputs);
  const passes: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    passes.push(await measurePass(mode, unit, units, call, inFlight));
  }
  passes.sort((left, right) => left.wallMs - right.wallMs);
  const median = passes[Math.floor(passes.length / 2)];
  if (median === undefined) throw new Error('no pass measured');
  return median;
}

function singles(inputs: unknown[]): unknown[][] {
  return inputs.map((input) => [input]);
}

function batches(inputs: unknown[]): unknown[][] {
  const result: unknown[][] = [];
  for (let start = 0; start < inputs.length; start += BATCH_SIZE) {
    result.push(inputs.slice(start, start + BATCH_SIZE));
  }
  return result;
}

function decideOne(evaluator: Evaluator) {
  return (inputs: unknown[]) => evaluator.evaluate('rolecall/decision', inputs[0]);
}

function decideBatch(evaluator: Evaluator) {
  return (inputs: unknown[]) => evaluator.evaluateBatch({ decisions: inputs, query_filters: [] });
}

/** Median `timer_rego_query_eval_ns` OPA reports for single decisions, in µs. */
async function medianRegoEvalMicros(url: string, inputs: unknown[]): Promise<number> {
  const samples: number[] = [];
  for (const input of inputs) {
    const response = await fetch(`${url}/v1/data/rolecall/decision?metrics=true`, {
      method: 'POST',
      body: JSON.stringify({ input }),
    });
    const body = (await response.json()) as { metrics?: Record<string, number> };
    const nanos = body.metrics?.['timer_rego_query_eval_ns'];
    if (nanos !== undefined) samples.push(nanos / 1000);
  }
  return percentile(
    samples.sort((a, b) => a - b),
    0.5,
  );
}

function table(results: Measurement[]): string {
  const baseline = results[0];
  if (baseline === undefined) return '';
  const baseRate = baseline.decisions / baseline.wallMs;
  const rows = results.map((result) => {
    const rate = result.decisions / result.wallMs;
    return [
      result.mode,
      `${formatNumber(rate * 1000)}/s`,
      formatNumber(percentile(result.latencies, 0.5) * 1000, 1),
      formatNumber(percentile(result.latencies, 0.99) * 1000, 1),
      result.unit,
      result === baseline ? '1' : `${formatNumber(baseRate / rate, 1)}× slower`,
    ];
  });
  return [
    '| evaluator | decisions/s | p50 µs | p99 µs | latency of | vs Map |',
    '|---|---:|---:|---:|---|---:|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const bundle = await buildContractBundle();
const server = await startOpaServer(bundle.bundlePath);
const wasm = await WasmEvaluator.fromBundle(bundle.bundleBytes);
const opa = new OpaEvaluator({ url: server.url, connections: CONCURRENCY, timeoutMs: 30_000 });
try {
  const arbitraries = inputArbitraries(namesOf(bundle.dataJson));
  const inputs = fc.sample(arbitraries.decision, { numRuns: INPUT_COUNT, seed: SEED });
  // The baseline: every answer computed beforehand, looked up by the input's JSON text (the
  // serialisation every evaluator pays too).
  const answers = new Map<string, Decision>();
  for (const input of inputs) {
    answers.set(JSON.stringify(input), await wasm.evaluate('rolecall/decision', input));
  }
  const results = [
    await measure('Map of precomputed answers', '1 decision', singles(inputs), (one) =>
      answers.get(JSON.stringify(one[0])),
    ),
    await measure('WASM in-process', '1 decision', singles(inputs), decideOne(wasm)),
    await measure(
      `WASM in-process, batches of ${BATCH_SIZE}`,
      `1 batch`,
      batches(inputs),
      decideBatch(wasm),
    ),
    await measure(
      'OPA server, 1 request per decision',
      '1 decision',
      singles(inputs),
      decideOne(opa),
    ),
    await measure(
      `OPA server, ${CONCURRENCY} requests in flight`,
      '1 decision',
      singles(inputs),
      decideOne(opa),
      CONCURRENCY,
    ),
    await measure(
      `OPA server, batches of ${BATCH_SIZE} per request`,
      '1 batch',
      batches(inputs),
      decideBatch(opa),
    ),
  ];
  const regoEvalUs = await medianRegoEvalMicros(server.url, inputs.slice(0, 200));
  const remoteSingle = results.find((result) => result.mode.startsWith('OPA server, 1 request'));
  const remoteP50Us = percentile(remoteSingle?.latencies ?? [], 0.5) * 1000;
  const date = new Date().toISOString().slice(0, 10);
  const markdown = [
    '# Evaluators: decisions per second and latency',
    '',
    `${formatNumber(INPUT_COUNT)} generated \`rolecall/decision\` inputs (the contract suite's generator,`,
    `seed ${SEED}: about one in nine inputs malformed as a whole, more with a malformed field) on`,
    'the contract grants file, the same inputs for every row, measured in one run of',
    '`npx tsx bench/evaluators.ts`. The OPA server is the pinned',
    `\`opa run -s\` on 127.0.0.1 reached through undici (keep-alive pool of ${CONCURRENCY}). The Map row`,
    'looks up answers computed beforehand by the JSON text of the input: the physical limit of an',
    'in-process answer. "vs Map" compares decisions per second. Each row is the median of',
    `${ROUNDS} passes over all inputs (by wall time), after a warm-up.`,
    '',
    table(results),
    '',
    `Of the ${formatNumber(remoteP50Us)} µs median of one remote decision, OPA's own metrics`,
    `(\`?metrics=true\`, \`timer_rego_query_eval_ns\`) put a median of ${formatNumber(regoEvalUs)} µs in`,
    "Rego evaluation in OPA's interpreter; the rest is HTTP over loopback, JSON and the client.",
    '',
    `Run on ${date}. Machine: ${describeMachine()}.`,
    'Absolute numbers vary between machines; the ratios are the result.',
    '',
  ].join('\n');
  // Formatted like the rest of the repository, so `prettier --check .` stays green.
  const resultsPath = path.join(root, 'bench', 'results', 'evaluators.md');
  const formatted = await prettier.format(markdown, {
    ...(await prettier.resolveConfig(resultsPath)),
    filepath: resultsPath,
  });
  process.stdout.write(formatted);
  await mkdir(path.dirname(resultsPath), { recursive: true });
  await writeFile(resultsPath, formatted);
} finally {
  await opa.close();
  await wasm.close();
  await server.stop();
  await bundle.cleanup();
}
