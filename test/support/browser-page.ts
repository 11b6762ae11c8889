// Code that runs both in the page (bundled by esbuild with the SDK's browser entry) and in Node,
// so the browser tests and the browser benchmark evaluate the same inputs with the same code.
import {
  isSyncEvaluator,
  JsEvaluator,
  PolicyClient,
  ServerSideRefusedError,
  WasmEvaluator,
  type Evaluator,
} from '../../sdk/browser.js';

/** Inputs travel as JSON text, so odd strings (lone surrogates) survive the trip into the page. */
export interface EvaluationCases {
  decisions: unknown[];
  queryFilters: unknown[];
}

/** Every result, as JSON text of the same shape in both environments. */
export interface EvaluationResults {
  decisions: unknown[];
  allows: unknown[];
  capabilities: unknown[];
  queryFilters: unknown[];
  batch: unknown;
}

export function loadBundle(bytes: Uint8Array): Promise<WasmEvaluator> {
  return WasmEvaluator.fromBundle(bytes);
}

/** What a page using the JS engine loads: data.json only. */
export function loadData(bytes: Uint8Array): JsEvaluator {
  return JsEvaluator.fromData(bytes);
}

/** Evaluates each case at every entrypoint it fits, one at a time, then all in one batch. */
export async function evaluateCases(evaluator: Evaluator, casesJson: string): Promise<string> {
  const cases = JSON.parse(casesJson) as EvaluationCases;
  const results: EvaluationResults = {
    decisions: [],
    allows: [],
    capabilities: [],
    queryFilters: [],
    batch: null,
  };
  for (const input of cases.decisions) {
    results.decisions.push(await evaluator.evaluate('rolecall/decision', input));
    results.allows.push(await evaluator.evaluate('rolecall/allow', input));
    results.capabilities.push(await evaluator.evaluate('rolecall/capabilities', input));
  }
  for (const input of cases.queryFilters) {
    results.queryFilters.push(await evaluator.evaluate('rolecall/query_filter', input));
  }
  results.batch = await evaluator.evaluateBatch({
    decisions: cases.decisions,
    query_filters: cases.queryFilters,
  });
  return JSON.stringify(results);
}

/**
 * The decisions and capabilities of the cases through PolicyClient's synchronous API (JS engine
 * only), as JSON text; the subject and resource of each well-formed case are taken as they are.
 */
export function evaluateCasesSync(evaluator: Evaluator, casesJson: string): string {
  if (!isSyncEvaluator(evaluator)) throw new Error('the synchronous API needs a JsEvaluator');
  const cases = JSON.parse(casesJson) as EvaluationCases;
  return JSON.stringify({
    decisions: cases.decisions.map((input) => evaluator.evaluateSync('rolecall/decision', input)),
    capabilities: cases.decisions.map((input) =>
      evaluator.evaluateSync('rolecall/capabilities', input),
    ),
    batch: evaluator.evaluateBatchSync({ decisions: cases.decisions, query_filters: [] }),
  });
}

/** What PolicyClient does with `side: "server"` where it runs ("refused" in a browser). */
export async function serverSideVerdict(evaluator: Evaluator): Promise<string> {
  const client = new PolicyClient(evaluator, { id: 'alice', role: 'user', teams: ['red'] });
  try {
    await client.decide(
      'EndCall',
      { kind: 'call', call_type: 'default', id: 'x', team: 'blue' },
      {
        side: 'server',
      },
    );
    return 'decided';
  } catch (error) {
    return error instanceof ServerSideRefusedError ? 'refused' : `failed: ${String(error)}`;
  }
}

/**
 * Decisions per second: evaluates `inputs` round-robin one at a time (awaiting each, the way a
 * UI asks) until `minMs` have passed; returns the count and the elapsed time.
 */
export async function measureDecisions(
  evaluator: Evaluator,
  inputsJson: string,
  minMs: number,
): Promise<{ count: number; ms: number }> {
  const inputs = JSON.parse(inputsJson) as unknown[];
  if (inputs.length === 0) throw new Error('no inputs to measure');
  // Warm up: let the JIT see every input once.
  for (const input of inputs) await evaluator.evaluate('rolecall/decision', input);
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const input of inputs) {
      await evaluator.evaluate('rolecall/decision', input);
      count += 1;
    }
    elapsed = performance.now() - start;
  }
  return { count, ms: elapsed };
}

/** One batch of all inputs per evaluation, repeated like measureDecisions. */
export async function measureBatches(
  evaluator: Evaluator,
  inputsJson: string,
  minMs: number,
): Promise<{ count: number; ms: number }> {
  const inputs = JSON.parse(inputsJson) as unknown[];
  const batch = { decisions: inputs, query_filters: [] };
  await evaluator.evaluateBatch(batch);
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    await evaluator.evaluateBatch(batch);
    count += inputs.length;
    elapsed = performance.now() - start;
  }
  return { count, ms: elapsed };
}
