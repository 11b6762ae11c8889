// Decisions per second in Chromium vs in Node: the same compiled example bundle, the same inputs
// and the same measuring code (test/support/browser-page.ts), in the same run, one decision at a
// time (a UI asking) and in batches. Writes bench/results/browser-decisions.md.
// Run: bash scripts/install-chromium.sh && npx tsx bench/browser-decisions.ts
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { inputArbitraries, namesOf } from '../test/contract/arbitraries.js';
import { buildContractBundle } from '../test/contract/fixture.js';
import { launchChromium, openSdkPage } from '../test/support/browser.js';
import { loadBundle, measureBatches, measureDecisions } from '../test/support/browser-page.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = path.join(root, 'examples', 'video-saas', 'rolecall.yaml');
const INPUT_COUNT = 500;
const ROUNDS = 5;
const MIN_MS = 1_000;

interface Rate {
  count: number;
  ms: number;
}
const perSecond = (rate: Rate): number => (rate.count / rate.ms) * 1000;
const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const format = (value: number): string => Math.round(value).toLocaleString('en-US');

const bundle = await buildContractBundle(await readFile(EXAMPLE, 'utf8'));
const browser = await launchChromium();
try {
  const inputs = fc.sample(inputArbitraries(namesOf(bundle.dataJson)).decision, {
    seed: 42,
    numRuns: INPUT_COUNT,
  });
  const inputsJson = JSON.stringify(inputs);
  const nodeEvaluator = await loadBundle(bundle.bundleBytes);
  const page = await openSdkPage(browser, bundle.bundleBytes);
  const samples = { nodeSingle: [] as number[], browserSingle: [] as number[] };
  const batches = { node: [] as number[], browser: [] as number[] };
  // Alternate the two environments so drift (thermal, other load) hits both alike.
  for (let round = 0; round < ROUNDS; round += 1) {
    samples.nodeSingle.push(perSecond(await measureDecisions(nodeEvaluator, inputsJson, MIN_MS)));
    samples.browserSingle.push(perSecond(await page.call('measureDecisions', inputsJson, MIN_MS)));
    batches.node.push(perSecond(await measureBatches(nodeEvaluator, inputsJson, MIN_MS)));
    batches.browser.push(perSecond(await page.call('measureBatches', inputsJson, MIN_MS)));
  }
  await page.close();
  await nodeEvaluator.close();

  const nodeSingle = median(samples.nodeSingle);
  const browserSingle = median(samples.browserSingle);
  const nodeBatch = median(batches.node);
  const browserBatch = median(batches.browser);
  const report = [
    '# Decisions per second: Chromium vs Node',
    '',
    `The example grants file (\`examples/video-saas/rolecall.yaml\`) compiled to a bundle, loaded`,
    'into `WasmEvaluator` in Node and, through the `rolecall/browser` entry, in headless Chromium;',
    `${INPUT_COUNT.toString()} generated \`rolecall/decision\` inputs (the contract suite's generator, fixed seed,`,
    'about one in ten malformed), the same measuring code on both sides, alternating, median of',
    `${ROUNDS.toString()} rounds of at least ${MIN_MS.toString()} ms. "One at a time" awaits each decision like a UI`,
    'rendering buttons; "batch" sends all inputs through `rolecall/batch` in one evaluation.',
    '',
    '| mode | Node | Chromium | Chromium / Node |',
    '|---|---:|---:|---:|',
    `| one at a time | ${format(nodeSingle)}/s | ${format(browserSingle)}/s | ${(browserSingle / nodeSingle).toFixed(2)} |`,
    `| batch of ${INPUT_COUNT.toString()} | ${format(nodeBatch)}/s | ${format(browserBatch)}/s | ${(browserBatch / nodeBatch).toFixed(2)} |`,
    '',
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length.toString()} cores; Node ${process.version},`,
    `Chromium ${browser.version()}. Absolute numbers vary between machines; the ratios are the result.`,
    '',
  ].join('\n');
  await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
  await writeFile(path.join(root, 'bench', 'results', 'browser-decisions.md'), report);
  console.log(report);
} finally {
  await browser.close();
  await bundle.cleanup();
}
