// The differential comparison of test/engine/differential.test.ts at scale: `--runs N` (default
// 1,000,000) generated inputs in chunks, every engine in-process (JS, WASM) against `opa eval`
// of the contract bundle at all five entrypoints; `--server` adds a real `opa run -s`. Prints
// the inputs compared per entrypoint and every disagreement; exits 1 on any.
// Run: npx tsx scripts/differential.ts [--runs N] [--seed S] [--server]
import { parseArgs } from 'node:util';
import { OpaEvaluator } from '../sdk/opa-evaluator.node.js';
import { buildContractBundle } from '../test/contract/fixture.js';
import { compareEngines } from '../test/support/differential.js';
import { startOpaServer } from '../test/support/opa-server.js';

const CHUNK = 25_000;
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '20261203' },
    server: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);

const bundle = await buildContractBundle();
const opa = values.server ? await startOpaServer(bundle.bundlePath) : undefined;
const server =
  opa === undefined ? undefined : new OpaEvaluator({ url: opa.url, timeoutMs: 300_000 });
const compared: Record<string, number> = {};
let mismatchCount = 0;
const started = Date.now();
try {
  for (let done = 0, chunk = 0; done < runs; done += CHUNK, chunk += 1) {
    const size = Math.min(CHUNK, runs - done);
    const report = await compareEngines({
      bundle,
      runs: size,
      seed: seed + 2 * chunk,
      ...(server === undefined ? {} : { server }),
    });
    for (const [label, count] of Object.entries(report.compared)) {
      compared[label] = (compared[label] ?? 0) + count;
    }
    mismatchCount += report.mismatchCount;
    for (const mismatch of report.mismatches) console.log(mismatch);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`${done + size} of ${runs} inputs, ${mismatchCount} disagreements, ${seconds} s`);
  }
} finally {
  await server?.close();
  await opa?.stop();
  await bundle.cleanup();
}
console.log(`\ninputs compared per engine and entrypoint (seed ${seed}):`);
for (const [label, count] of Object.entries(compared).sort()) {
  console.log(`  ${label.padEnd(32)} ${count.toLocaleString('en-US')}`);
}
console.log(`disagreements with opa eval: ${mismatchCount}`);
process.exitCode = mismatchCount === 0 ? 0 : 1;
