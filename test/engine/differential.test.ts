// Differential test: ROLECALL_DIFF_RUNS generated inputs (default 10,000; decisions and query
// filters, malformed ones included) through every engine — the JS engine, WASM and a real OPA
// server, at all five entrypoints — against `opa eval` of the bundle as the oracle (see
// test/support/differential.ts; scripts/differential.ts runs the same comparison on a million).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OpaEvaluator } from '../../sdk/opa-evaluator.node.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';
import { compareEngines } from '../support/differential.js';
import { startOpaServer, type OpaServer } from '../support/opa-server.js';

const RUNS = Number(process.env['ROLECALL_DIFF_RUNS'] ?? 10_000);
const SEED = Number(process.env['ROLECALL_DIFF_SEED'] ?? Date.now() % 2 ** 31);

let bundle: ContractBundle | undefined;
let server: OpaServer | undefined;

beforeAll(async () => {
  bundle = await buildContractBundle();
  server = await startOpaServer(bundle.bundlePath);
});

afterAll(async () => {
  await server?.stop();
  await bundle?.cleanup();
});

it(`js, wasm and the OPA server answer like opa eval on ${RUNS} generated inputs (seed ${SEED})`, async () => {
  if (bundle === undefined || server === undefined) throw new Error('the bundle did not build');
  const remote = new OpaEvaluator({ url: server.url, timeoutMs: 120_000 });
  try {
    const report = await compareEngines({ bundle, runs: RUNS, seed: SEED, server: remote });
    expect(report.mismatches, `seed ${SEED}; rerun with ROLECALL_DIFF_SEED=${SEED}`).toEqual([]);
    expect(report.mismatchCount).toBe(0);
    // Every entrypoint of every engine was compared, on the whole batch.
    expect(report.compared['decision: js']).toBe(Math.ceil(RUNS * 0.6));
    for (const label of [
      'allow: wasm',
      'batch decision: opa server',
      'batch query_filter: js',
      'capabilities: opa server',
    ]) {
      expect(report.compared[label], label).toBeGreaterThan(0);
    }
    // The generator must reach the interesting answers, not only INVALID_INPUT.
    for (const reason of ['GRANTED', 'REVOKED', 'NOT_GRANTED', 'INVALID_INPUT', 'TEAM_MISMATCH']) {
      expect(report.decisionReasons).toContain(reason);
    }
    for (const reason of ['INJECTED', 'INVALID_FILTER', 'INVALID_INPUT']) {
      expect(report.filterReasons).toContain(reason);
    }
  } finally {
    await remote.close();
  }
}, 300_000);
