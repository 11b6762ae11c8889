// One decision, local and remote, in every engine, on a SaaS-shaped grants file, in one run: the
// JS engine, rolecall's policy.wasm and a real `opa run -s` (wall time and OPA's own Rego time)
// against two baselines measured alongside — a Map of precomputed answers (the floor) and a
// hand-written grants policy in plain Rego (bench/peer, the peer). Writes bench/results/decisions.md.
// Run: npx tsx bench/decisions.ts
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import * as prettier from 'prettier';
import { Client } from 'undici';
import type { ResolvedPolicy } from '../core/policy.js';
import { WasmEvaluator } from '../sdk/wasm-evaluator.js';
import { canonicalJson } from '../test/contract/canonical.js';
import { buildContractBundle } from '../test/contract/fixture.js';
import { startOpaServer } from '../test/support/opa-server.js';
import { buildPeer, FLOOR_ENTRYPOINT, peerDecide, type PeerDecision } from './peer/peer.js';
import { describeMachine, formatNumber } from './report.js';
import { decisionKey, generateDecisionInputs, generateMalformedInputs } from './saas-inputs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = path.join(root, 'bench', 'fixtures', 'saas.rolecall.yaml');
const INPUT_COUNT = 2_000;
const MALFORMED_COUNT = 200;
const SEED = 20_240_601;
const BATCH_SIZE = 100;
/**
 * In-process calls timed together as one sample: one timer read per block keeps the timer's own
 * cost (tens of ns) out of rows that take well under a microsecond.
 */
const BLOCK_CALLS = 20;
/** Every row runs in each of ROUNDS interleaved rounds, so a noisy moment hits all rows alike. */
const ROUNDS = 5;
const LOCAL_ROUND_MS = 700;
const REMOTE_ROUND_MS = 1_500;
const WARMUP_MS = 250;

interface Row {
  name: string;
  /** µs per decision (per item of a batch, per capabilities call): one per block or request. */
  samples: number[];
  decisions: number;
  elapsedMs: number;
  /** Rows of OPA's own Rego timer have no throughput of their own. */
  hasRate: boolean;
}

interface LocalTask {
  row: Row;
  /** Decisions one call answers (a batch answers many). */
  perCall: number;
  /** Calls per timed block: a batch is timed alone. */
  block: number;
  call: (index: number) => unknown;
  cursor: number;
}

interface RemoteTask {
  wall: Row;
  rego: Row;
  path: string;
  perRequest: number;
  body: (index: number) => unknown;
  cursor: number;
}

const newRow = (name: string, hasRate = true): Row => ({
  name,
  samples: [],
  decisions: 0,
  elapsedMs: 0,
  hasRate,
});

let sink = 0;

async function runLocal(task: LocalTask, budgetMs: number, row = task.row): Promise<void> {
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline) {
    const started = performance.now();
    for (let call = 0; call < task.block; call += 1) {
      let answer = task.call(task.cursor);
      if (answer instanceof Promise) answer = await answer;
      if (answer !== undefined) sink += 1;
      task.cursor += 1;
    }
    const elapsedMs = performance.now() - started;
    const decisions = task.block * task.perCall;
    row.samples.push((elapsedMs * 1000) / decisions);
    row.decisions += decisions;
    row.elapsedMs += elapsedMs;
  }
}

async function post(client: Client, requestPath: string, input: unknown) {
  const response = await client.request({
    path: `${requestPath}?metrics=true`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  const payload = (await response.body.json()) as {
    result?: unknown;
    metrics?: Record<string, number>;
  };
  if (response.statusCode !== 200 || payload.result === undefined) {
    throw new Error(`${requestPath} answered ${response.statusCode}: ${JSON.stringify(payload)}`);
  }
  return { result: payload.result, regoNs: payload.metrics?.['timer_rego_query_eval_ns'] ?? 0 };
}

async function runRemote(client: Client, task: RemoteTask, budgetMs: number, record = true) {
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline) {
    const input = task.body(task.cursor);
    task.cursor += 1;
    const started = performance.now();
    const { regoNs } = await post(client, task.path, input);
    const elapsedMs = performance.now() - started;
    if (!record) continue;
    task.wall.samples.push((elapsedMs * 1000) / task.perRequest);
    task.wall.decisions += task.perRequest;
    task.wall.elapsedMs += elapsedMs;
    task.rego.samples.push(regoNs / 1000 / task.perRequest);
    task.rego.decisions += task.perRequest;
    task.rego.elapsedMs += regoNs / 1e6;
  }
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

const p50 = (row: Row | undefined) =>
  row === undefined ? Number.NaN : percentile(row.samples, 0.5);
const microseconds = (value: number) => formatNumber(value, value < 10 ? 2 : value < 100 ? 1 : 0);
const ratio = (value: number) => `${formatNumber(value, value < 10 ? 2 : 1)}×`;
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

function batchesOf<T>(items: T[]): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    batches.push(items.slice(start, start + BATCH_SIZE));
  }
  return batches;
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('no input');
  return item;
}

type JsEvaluatorModule = typeof import('../sdk/js-evaluator.js');

/**
 * The JS engine as users run it: the build in dist/ (plain tsc output) when `npm run build` made
 * one. The sources run through tsx, whose esbuild output wraps every named closure in a
 * `__name(…)` call — a cost the published package does not have (about a quarter of a decision
 * in a profile) — so they are only the fallback, and the report says which ran.
 */
async function loadJsEvaluator(): Promise<{ module: JsEvaluatorModule; from: string } | string> {
  const built = path.join(root, 'dist', 'sdk', 'js-evaluator.js');
  try {
    if (existsSync(built)) {
      return { module: (await import(built)) as JsEvaluatorModule, from: 'dist/ (the build)' };
    }
    return { module: await import('../sdk/js-evaluator.js'), from: 'the sources through tsx' };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const yaml = await readFile(FIXTURE, 'utf8');
const bundle = await buildContractBundle(yaml);
const policyData = JSON.parse(bundle.dataJson) as { rolecall_data: ResolvedPolicy };
const wasm = await WasmEvaluator.fromBundle(bundle.bundleBytes);
// rolecall's policy.wasm driven like the peer, straight through opa-wasm: no SDK pre-check.
const rawWasm = await loadPolicy(bundle.wasm);
rawWasm.setData(policyData);
const peer = await buildPeer(bundle.dataJson);
const opa = await startOpaServer([bundle.bundlePath, peer.bundleDir]);
const client = new Client(opa.url, { pipelining: 1 });
const notes: string[] = [];
const note = (line: string) => {
  notes.push(line);
  console.log(line);
};
try {
  const inputs = generateDecisionInputs(policyData.rolecall_data, INPUT_COUNT, SEED);
  const malformed = generateMalformedInputs(policyData.rolecall_data, MALFORMED_COUNT, SEED + 1);
  const batches = batchesOf(inputs);

  // Before measuring: the inputs are what they claim, and the engines answer alike.
  const answers = new Map<string, { allow: boolean; reason: string }>();
  const wasmDecisions: unknown[] = [];
  const wasmCapabilities: unknown[] = [];
  let peerAgrees = 0;
  const disagreements = new Map<string, number>();
  for (const input of inputs) {
    const decision = await wasm.evaluate('rolecall/decision', input);
    if (decision.reason === 'INVALID_INPUT') {
      throw new Error(`generated input is malformed: ${decision.message}`);
    }
    const key = decisionKey(input);
    const known = answers.get(key);
    if (known !== undefined && canonicalJson(known) !== canonicalJson(decision)) {
      throw new Error(`two inputs with the key ${key} have different answers`);
    }
    answers.set(key, decision);
    wasmDecisions.push(decision);
    wasmCapabilities.push(await wasm.evaluate('rolecall/capabilities', input));
    const rawResult: unknown = rawWasm.evaluate(input, 'rolecall/decision');
    if (
      canonicalJson((rawResult as { result: unknown }[])[0]?.result) !== canonicalJson(decision)
    ) {
      throw new Error('opa-wasm alone and WasmEvaluator answer differently');
    }
    const peerDecision: PeerDecision = peerDecide(peer.policy, input);
    if (peerDecision.allow === decision.allow) peerAgrees += 1;
    else {
      const kind = `rolecall ${decision.reason}, peer ${peerDecision.reason}`;
      disagreements.set(kind, (disagreements.get(kind) ?? 0) + 1);
    }
  }
  let peerSeesMalformed = 0;
  for (const input of malformed) {
    const decision = await wasm.evaluate('rolecall/decision', input);
    if (decision.reason !== 'INVALID_INPUT') {
      throw new Error(`malformed input is accepted: ${JSON.stringify(input)}`);
    }
    if (peerDecide(peer.policy, input).reason === 'invalid_input') peerSeesMalformed += 1;
  }
  const allowed = wasmDecisions.filter((decision) => (decision as { allow: boolean }).allow);
  const agreement = (peerAgrees / inputs.length) * 100;
  const reasons = new Map<string, number>();
  for (const decision of wasmDecisions) {
    const { reason } = decision as { reason: string };
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const counts = (tally: Map<string, number>) =>
    [...tally].map(([name, count]) => `${name} ${formatNumber(count)}`).join(', ');
  note(
    `rolecall allows ${formatNumber(allowed.length)} of the ${formatNumber(inputs.length)} well-formed inputs ` +
      `(${counts(reasons)}); the peer's allow agrees on ${formatNumber(agreement, 2)}% of them` +
      (disagreements.size === 0 ? '.' : ` (differences: ${counts(disagreements)}).`),
  );
  note(
    `The peer calls ${formatNumber(peerSeesMalformed)} of the ${formatNumber(malformed.length)} malformed inputs invalid_input (rolecall: all).`,
  );
  const sample = inputs.slice(0, 50);
  for (const [index, input] of sample.entries()) {
    const remote = await post(client, '/v1/data/rolecall/decision', input);
    const remotePeer = await post(client, '/v1/data/peer/decision', input);
    if (
      canonicalJson(remote.result) !== canonicalJson(wasmDecisions[index]) ||
      canonicalJson(remotePeer.result) !== canonicalJson(peerDecide(peer.policy, input))
    ) {
      throw new Error(`OPA and WASM answer differently for ${JSON.stringify(input)}`);
    }
  }

  const local = (name: string, call: (index: number) => unknown, perCall = 1): LocalTask => ({
    row: newRow(name),
    perCall,
    block: perCall === 1 ? BLOCK_CALLS : 1,
    call,
    cursor: 0,
  });
  const localTasks: LocalTask[] = [
    local('Map of precomputed answers', (index) => answers.get(decisionKey(at(inputs, index)))),
  ];

  const jsLoaded = await loadJsEvaluator();
  if (typeof jsLoaded === 'string') {
    note(`JS engine rows skipped: sdk/js-evaluator.ts does not load (${jsLoaded}).`);
  } else {
    note(`JS engine loaded from ${jsLoaded.from}.`);
    const js = jsLoaded.module.JsEvaluator.fromData(bundle.dataJson);
    let differences = 0;
    let firstDifference = '';
    const compare = (label: string, input: unknown, mine: unknown, reference: unknown) => {
      if (canonicalJson(mine) === canonicalJson(reference)) return;
      differences += 1;
      firstDifference ||= `${label} ${JSON.stringify(input)}: JS ${JSON.stringify(mine)}, WASM ${JSON.stringify(reference)}`;
    };
    for (const [index, input] of inputs.entries()) {
      compare('decision', input, js.evaluateSync('rolecall/decision', input), wasmDecisions[index]);
      const capabilities = js.evaluateSync('rolecall/capabilities', input);
      compare('capabilities', input, capabilities, wasmCapabilities[index]);
    }
    for (const input of malformed) {
      const reference = await wasm.evaluate('rolecall/decision', input);
      compare('malformed', input, js.evaluateSync('rolecall/decision', input), reference);
    }
    note(
      differences === 0
        ? `The JS engine answers exactly like WASM on all ${formatNumber(2 * inputs.length + malformed.length)} checked calls.`
        : `The JS engine differs from WASM on ${formatNumber(differences)} calls, e.g. ${firstDifference}`,
    );
    localTasks.push(
      local('JS `decision`', (index) => js.evaluateSync('rolecall/decision', at(inputs, index))),
      local('JS `capabilities`', (index) =>
        js.evaluateSync('rolecall/capabilities', at(inputs, index)),
      ),
      local(
        `JS \`batch\` of ${BATCH_SIZE}, per item`,
        (index) => js.evaluateBatchSync({ decisions: at(batches, index), query_filters: [] }),
        BATCH_SIZE,
      ),
      local('JS `decision`, malformed input', (index) =>
        js.evaluateSync('rolecall/decision', at(malformed, index)),
      ),
    );
  }
  localTasks.push(
    local('WASM `decision` (WasmEvaluator)', (index) =>
      wasm.evaluate('rolecall/decision', at(inputs, index)),
    ),
    local('WASM `decision` (opa-wasm alone)', (index) =>
      rawWasm.evaluate(at(inputs, index), 'rolecall/decision'),
    ),
    local('WASM `capabilities`', (index) =>
      wasm.evaluate('rolecall/capabilities', at(inputs, index)),
    ),
    local(
      `WASM \`batch\` of ${BATCH_SIZE}, per item`,
      (index) => wasm.evaluateBatch({ decisions: at(batches, index), query_filters: [] }),
      BATCH_SIZE,
    ),
    local('WASM `decision`, malformed input', (index) =>
      wasm.evaluate('rolecall/decision', at(malformed, index)),
    ),
    local('peer WASM `decision`', (index) => peerDecide(peer.policy, at(inputs, index))),
    local('peer WASM `decision`, malformed input', (index) =>
      peerDecide(peer.policy, at(malformed, index)),
    ),
    local('floor WASM: a constant answer', (index) =>
      peerDecide(peer.policy, at(inputs, index), FLOOR_ENTRYPOINT),
    ),
  );

  const remote = (
    name: string,
    requestPath: string,
    body: (index: number) => unknown,
    perRequest = 1,
  ): RemoteTask => ({
    wall: newRow(`OPA ${name}, wall`),
    rego: newRow(`OPA ${name}, Rego eval`, false),
    path: requestPath,
    perRequest,
    body,
    cursor: 0,
  });
  const remoteTasks = [
    remote('`decision`', '/v1/data/rolecall/decision', (index) => at(inputs, index)),
    remote('`capabilities`', '/v1/data/rolecall/capabilities', (index) => at(inputs, index)),
    remote(
      `\`batch\` of ${BATCH_SIZE}, per item`,
      '/v1/data/rolecall/batch',
      (index) => ({ decisions: at(batches, index), query_filters: [] }),
      BATCH_SIZE,
    ),
    remote('peer `decision`', '/v1/data/peer/decision', (index) => at(inputs, index)),
    remote('floor: a constant answer', '/v1/data/floor/decision', (index) => at(inputs, index)),
  ];

  // Warm-up (JIT, OPA's caches, keep-alive), then the interleaved rounds.
  for (const task of localTasks) await runLocal(task, WARMUP_MS, newRow('warm-up'));
  for (const task of remoteTasks) await runRemote(client, task, WARMUP_MS, false);
  for (let round = 0; round < ROUNDS; round += 1) {
    console.log(`round ${String(round + 1)} of ${String(ROUNDS)}`);
    for (const task of localTasks) await runLocal(task, LOCAL_ROUND_MS);
    for (const task of remoteTasks) await runRemote(client, task, REMOTE_ROUND_MS);
  }
  if (sink === 0) throw new Error('no call answered');

  const rows = [
    ...localTasks.map((task) => task.row),
    ...remoteTasks.flatMap((task) => [task.wall, task.rego]),
  ];
  const byName = (name: string) => rows.find((row) => row.name === name);
  const mapP50 = p50(byName('Map of precomputed answers'));
  const peerP50 = p50(byName('peer WASM `decision`'));
  const table = [
    '| row | p50 µs | p99 µs | mean µs | per second | p50 vs peer WASM | p50 vs Map |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const median = p50(row);
      const cells = [
        row.name,
        microseconds(median),
        microseconds(percentile(row.samples, 0.99)),
        microseconds((row.elapsedMs * 1000) / row.decisions),
        row.hasRate ? formatNumber(row.decisions / (row.elapsedMs / 1000)) : '—',
        ratio(median / peerP50),
        ratio(median / mapP50),
      ];
      return `| ${cells.join(' | ')} |`;
    }),
  ].join('\n');

  // The headline checks, each a ratio of medians measured in this run.
  const checks: string[] = [];
  const jsP50 = p50(byName('JS `decision`'));
  if (!Number.isNaN(jsP50)) {
    checks.push(
      `JS decision p50 ${microseconds(jsP50)} µs (target ≤ 1 µs: ${verdict(jsP50 <= 1)}): ` +
        `${ratio(peerP50 / jsP50)} faster than peer WASM (target ≥ 8×: ${verdict(peerP50 / jsP50 >= 8)}), ` +
        `${ratio(jsP50 / mapP50)} the Map (target ≤ 10×: ${verdict(jsP50 / mapP50 <= 10)}).`,
    );
  }
  const wasmP50 = p50(byName('WASM `decision` (WasmEvaluator)'));
  const rawWasmP50 = p50(byName('WASM `decision` (opa-wasm alone)'));
  checks.push(
    `WASM decision p50 ${microseconds(wasmP50)} µs through WasmEvaluator, ${microseconds(rawWasmP50)} µs in ` +
      `opa-wasm alone, vs peer WASM ${microseconds(peerP50)} µs: ${ratio(wasmP50 / peerP50)} and ` +
      `${ratio(rawWasmP50 / peerP50)} the peer's time.`,
  );
  const regoP50 = p50(byName('OPA `decision`, Rego eval'));
  const peerRegoP50 = p50(byName('OPA peer `decision`, Rego eval'));
  checks.push(
    `OPA Rego per decision p50 ${microseconds(regoP50)} µs vs peer Rego ${microseconds(peerRegoP50)} µs: ` +
      `${ratio(regoP50 / peerRegoP50)} (wall ${microseconds(p50(byName('OPA `decision`, wall')))} µs vs ` +
      `${microseconds(p50(byName('OPA peer `decision`, wall')))} µs).`,
  );
  // The floor (a constant answer) is what any policy costs per evaluation; above it is the
  // policy's own work, which is what the two policies differ in.
  const wasmFloorP50 = p50(byName('floor WASM: a constant answer'));
  const regoFloorP50 = p50(byName('OPA floor: a constant answer, Rego eval'));
  const aboveFloor = (mine: number, theirs: number, floor: number) =>
    `${microseconds(mine - floor)} µs vs ${microseconds(theirs - floor)} µs, ` +
    ratio((mine - floor) / (theirs - floor));
  checks.push(
    `Above the floor (a constant answer: ${microseconds(wasmFloorP50)} µs in opa-wasm, ` +
      `${microseconds(regoFloorP50)} µs of Rego eval in OPA), rolecall vs the peer: ` +
      `WASM ${aboveFloor(rawWasmP50, peerP50, wasmFloorP50)}; ` +
      `OPA Rego ${aboveFloor(regoP50, peerRegoP50, regoFloorP50)}.`,
  );
  const batchRegoP50 = p50(byName(`OPA \`batch\` of ${BATCH_SIZE}, per item, Rego eval`));
  checks.push(
    `OPA batch item Rego p50 ${microseconds(batchRegoP50)} µs vs single decision Rego ` +
      `${microseconds(regoP50)} µs: ${ratio(batchRegoP50 / regoP50)} ` +
      `(target ≤ 0.5×: ${verdict(batchRegoP50 / regoP50 <= 0.5)}).`,
  );
  const capabilityRatios = [
    ['JS', 'JS `capabilities`', 'JS `decision`'],
    ['WASM', 'WASM `capabilities`', 'WASM `decision` (WasmEvaluator)'],
    ['OPA Rego', 'OPA `capabilities`, Rego eval', 'OPA `decision`, Rego eval'],
  ].flatMap(([engine = '', capabilities = '', decision = '']) => {
    const value = p50(byName(capabilities)) / p50(byName(decision));
    return Number.isNaN(value) ? [] : [`${engine} ${ratio(value)} (${verdict(value <= 2)})`];
  });
  checks.push(`capabilities vs one decision (target ≤ 2×): ${capabilityRatios.join(', ')}.`);
  const malformedRatios = [
    ['JS', 'JS `decision`, malformed input', 'JS `decision`'],
    ['WASM', 'WASM `decision`, malformed input', 'WASM `decision` (WasmEvaluator)'],
    ['peer WASM', 'peer WASM `decision`, malformed input', 'peer WASM `decision`'],
  ].flatMap(([engine = '', bad = '', good = '']) => {
    const value = p50(byName(bad)) / p50(byName(good));
    return Number.isNaN(value) ? [] : [`${engine} ${ratio(value)}`];
  });
  checks.push(`malformed input vs a well-formed decision: ${malformedRatios.join(', ')}.`);
  for (const check of checks) console.log(check);

  const date = new Date().toISOString().slice(0, 10);
  const paragraph = (...parts: string[]) => parts.join(' ');
  const markdown = [
    '# Decisions: one local and remote decision in every engine',
    '',
    paragraph(
      `Run on ${date}. Machine: ${describeMachine()}.`,
      'Absolute numbers vary between machines; the ratios are the result.',
    ),
    '',
    paragraph(
      `${formatNumber(INPUT_COUNT)} well-formed \`rolecall/decision\` inputs on call resources`,
      `(seed ${String(SEED)}, \`bench/saas-inputs.ts\`) and ${formatNumber(MALFORMED_COUNT)} malformed ones`,
      'on `bench/fixtures/saas.rolecall.yaml` (multi-tenant, 10 custom roles, 20 call types, per-call',
      '`!` overrides), the same inputs for every row, in one run of `npx tsx bench/decisions.ts`.',
      'The peer is `bench/peer/peer.rego`, a plain grants policy written by hand over the same',
      "compiled grants. The floor is `bench/peer/floor.rego`, a constant answer in the peer's shape:",
      'what one evaluation costs whatever the policy. OPA is the pinned `opa run -s` serving the',
      'rolecall bundle, the peer and the floor together, reached over loopback with undici, one',
      'request at a time; "Rego eval" is OPA\'s own `timer_rego_query_eval_ns` of the same requests.',
      'Batches count per item. In-process rows time blocks of',
      `${String(BLOCK_CALLS)} consecutive calls (a batch alone) and divide, so p50 and p99 are of`,
      'those means; OPA rows time each request. Every row ran in each of',
      `${String(ROUNDS)} interleaved rounds (${formatNumber(LOCAL_ROUND_MS)} ms in-process,`,
      `${formatNumber(REMOTE_ROUND_MS)} ms over HTTP) after a warm-up. Ratios are of medians (the`,
      'machine is shared): below 1× is faster than the baseline.',
    ),
    '',
    table,
    '',
    '## Checks',
    '',
    ...checks.map((check) => `- ${check}`),
    '',
    '## Inputs and agreement',
    '',
    ...notes.map((line) => `- ${line}`),
    '',
  ].join('\n');
  const resultsPath = path.join(root, 'bench', 'results', 'decisions.md');
  const formatted = await prettier.format(markdown, {
    ...(await prettier.resolveConfig(resultsPath)),
    proseWrap: 'always',
    filepath: resultsPath,
  });
  process.stdout.write(formatted);
  await mkdir(path.dirname(resultsPath), { recursive: true });
  await writeFile(resultsPath, formatted);
} finally {
  await client.close();
  await opa.stop();
  await wasm.close();
  await peer.cleanup();
  await bundle.cleanup();
}
