// What one `rolecall/capabilities` call costs in WASM, against one `rolecall/decision` and against
// one decision per call-level action, on the same generated call tiles, in one run (tinybench).
// Writes bench/results/capabilities.md.
// Run: npx tsx bench/capabilities.ts
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as prettier from 'prettier';
import { Bench } from 'tinybench';
import { WasmEvaluator } from '../sdk/wasm-evaluator.js';
import { inputArbitraries, namesOf } from '../test/contract/arbitraries.js';
import { buildContractBundle } from '../test/contract/fixture.js';
import { describeMachine, formatNumber } from './report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INPUT_COUNT = 1_000;
const SEED = 20_240_601;
const TIME_MS = 3_000;

/** The actions `rolecall/capabilities` evaluates (call level, with a permission) → permission. */
function callLevelActions(dataJson: string): Map<string, string> {
  const data = JSON.parse(dataJson) as {
    rolecall_data: { actions: Record<string, { level?: unknown; permission?: unknown }> };
  };
  const actions = new Map<string, string>();
  for (const [name, action] of Object.entries(data.rolecall_data.actions)) {
    if (action.level === 'call' && typeof action.permission === 'string') {
      actions.set(name, action.permission);
    }
  }
  return actions;
}

function isCallInput(input: unknown): input is Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  const resource: unknown = (input as Record<string, unknown>)['resource'];
  return (
    typeof resource === 'object' &&
    resource !== null &&
    (resource as Record<string, unknown>)['kind'] === 'call'
  );
}

/** Call tiles: generated decision inputs on a call resource, without their action. */
function callTiles(dataJson: string): Record<string, unknown>[] {
  const arbitraries = inputArbitraries(namesOf(dataJson));
  const inputs: unknown[] = fc.sample(arbitraries.decision, { numRuns: INPUT_COUNT, seed: SEED });
  return inputs
    .filter(isCallInput)
    .map((input) => Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'action')));
}

const bundle = await buildContractBundle();
const wasm = await WasmEvaluator.fromBundle(bundle.bundleBytes);
try {
  const permissions = callLevelActions(bundle.dataJson);
  const actions = [...permissions.keys()];
  const candidates = callTiles(bundle.dataJson);
  // Every tile is checked once first: capabilities must be the allowed decisions. Only well-formed
  // tiles are measured; a malformed one is answered by the input checks alone.
  const tiles: Record<string, unknown>[] = [];
  for (const tile of candidates) {
    const capabilities = await wasm.evaluate('rolecall/capabilities', tile);
    const allowed = new Set<string>();
    for (const [action, permission] of permissions) {
      const decision = await wasm.evaluate('rolecall/decision', { ...tile, action });
      if (decision.reason !== 'INVALID_INPUT' && !tiles.includes(tile)) tiles.push(tile);
      if (decision.allow) allowed.add(permission);
    }
    if (JSON.stringify(capabilities) !== JSON.stringify([...allowed].sort())) {
      throw new Error(`capabilities differ from the decisions for ${JSON.stringify(tile)}`);
    }
  }

  let next = 0;
  const nextTile = () => {
    next = (next + 1) % tiles.length;
    return tiles[next] ?? {};
  };
  const tasks = {
    decision: '1 `decision` (ReadCall)',
    capabilities: '1 `capabilities`',
    decisions: `${String(actions.length)} \`decision\`s, one per call-level action`,
  };
  const bench = new Bench({ time: TIME_MS, warmupTime: 500 });
  bench
    .add(tasks.decision, async () => {
      await wasm.evaluate('rolecall/decision', { ...nextTile(), action: 'ReadCall' });
    })
    .add(tasks.capabilities, async () => {
      await wasm.evaluate('rolecall/capabilities', nextTile());
    })
    .add(tasks.decisions, async () => {
      const tile = nextTile();
      for (const action of actions) await wasm.evaluate('rolecall/decision', { ...tile, action });
    });
  await bench.run();

  const meanOf = (name: string): number => {
    const result = bench.getTask(name)?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`${name} did not run`);
    return result.latency.mean;
  };
  const rows = bench.tasks.map((task) => {
    const result = task.result;
    if (!('latency' in result)) throw new Error(`${task.name} did not run`);
    return [
      task.name,
      formatNumber(result.latency.mean * 1000, 1),
      formatNumber(result.latency.p50 * 1000, 1),
      formatNumber(result.latency.p99 * 1000, 1),
      formatNumber(result.latency.samplesCount),
      `${formatNumber(result.latency.mean / meanOf(tasks.decision), 1)}×`,
    ];
  });
  const capabilitiesVsDecision = meanOf(tasks.capabilities) / meanOf(tasks.decision);
  const decisionsVsCapabilities = meanOf(tasks.decisions) / meanOf(tasks.capabilities);
  const date = new Date().toISOString().slice(0, 10);
  const paragraph = (...parts: string[]) => parts.join(' ');
  const markdown = [
    '# Capabilities: one call against one decision per action',
    '',
    paragraph(
      `${formatNumber(tiles.length)} generated call tiles (the contract suite's decision generator, seed`,
      `${String(SEED)}: the well-formed inputs on a \`call\` resource, without their action) on the`,
      'contract grants file, in `WasmEvaluator`, measured in one run of',
      '`npx tsx bench/capabilities.ts` with tinybench',
      `(${formatNumber(TIME_MS / 1000)} s per row after a warm-up). Each iteration takes the next tile.`,
      'Before the run, every tile was checked: capabilities equals the permissions whose decision',
      'allows.',
    ),
    '',
    '| call | mean µs | p50 µs | p99 µs | samples | vs 1 decision |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    paragraph(
      `One \`capabilities\` call costs ${formatNumber(capabilitiesVsDecision, 1)}× one decision, and`,
      `${formatNumber(actions.length)} separate decisions cost ${formatNumber(decisionsVsCapabilities, 1)}× one`,
      '`capabilities` call.',
    ),
    '',
    paragraph(
      `Run on ${date}. Machine: ${describeMachine()}.`,
      'Absolute numbers vary between machines; the ratios are the result.',
    ),
    '',
  ].join('\n');
  const resultsPath = path.join(root, 'bench', 'results', 'capabilities.md');
  const formatted = await prettier.format(markdown, {
    ...(await prettier.resolveConfig(resultsPath)),
    proseWrap: 'always',
    filepath: resultsPath,
  });
  process.stdout.write(formatted);
  await mkdir(path.dirname(resultsPath), { recursive: true });
  await writeFile(resultsPath, formatted);
} finally {
  await wasm.close();
  await bundle.cleanup();
}
