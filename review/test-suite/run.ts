// Runs a loaded suite through an SDK evaluator (opened and closed by the caller) — every decision
// and query filter in one batch, then the capabilities cases — and compares each answer with what
// the case expects.
import { canonicalize } from '../../compiler/canonicalize.js';
import type { Evaluator } from '../../sdk/evaluator.js';
import type {
  CaseExpectation,
  CaseOutcome,
  CaseResult,
  Mismatch,
  SuiteResult,
  TestSuite,
} from './types.js';

export async function runTestSuite(suite: TestSuite, evaluator: Evaluator): Promise<SuiteResult> {
  const started = performance.now();
  const decisionCases = suite.cases.filter((testCase) => testCase.decisionInput !== undefined);
  const queryCases = suite.cases.filter((testCase) => testCase.queryInput !== undefined);
  const batch = await evaluator.evaluateBatch({
    decisions: decisionCases.map((testCase) => testCase.decisionInput),
    query_filters: queryCases.map((testCase) => testCase.queryInput),
  });
  // One batch answers many cases, so each batched case is charged an equal share of it.
  const batchedCount = decisionCases.length + queryCases.length;
  const batchShareMs = batchedCount === 0 ? 0 : (performance.now() - started) / batchedCount;
  const durations = new Map<number, number>(
    [...decisionCases, ...queryCases].map((testCase) => [testCase.index, batchShareMs]),
  );
  const outcomes = new Map<number, CaseOutcome>(
    suite.cases.map((testCase) => [testCase.index, {}]),
  );
  decisionCases.forEach((testCase, position) => {
    const outcome = outcomes.get(testCase.index);
    const decision = batch.decisions[position];
    if (outcome && decision !== undefined) outcome.decision = decision;
  });
  queryCases.forEach((testCase, position) => {
    const outcome = outcomes.get(testCase.index);
    const query = batch.query_filters[position];
    if (outcome && query !== undefined) outcome.query = query;
  });
  for (const testCase of suite.cases) {
    if (testCase.capabilitiesInput === undefined) continue;
    const asked = performance.now();
    const answer = await evaluator.evaluate('rolecall/capabilities', testCase.capabilitiesInput);
    const tookMs = performance.now() - asked;
    durations.set(testCase.index, (durations.get(testCase.index) ?? 0) + tookMs);
    const outcome = outcomes.get(testCase.index);
    if (outcome) outcome.capabilities = answer;
  }
  const results: CaseResult[] = suite.cases.map((testCase) => {
    const outcome = outcomes.get(testCase.index) ?? {};
    const mismatches = compareOutcome(testCase.expect, outcome);
    return {
      case: testCase,
      outcome,
      mismatches,
      passed: mismatches.length === 0,
      durationMs: durations.get(testCase.index) ?? 0,
    };
  });
  const passed = results.filter((result) => result.passed).length;
  const durationMs = performance.now() - started;
  return { suite, results, passed, failed: results.length - passed, durationMs };
}

/**
 * JSON with sorted keys (RFC 8785), so objects compare equal whatever order the engine built them
 * in; a missing answer reads `undefined`.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'undefined';
}

function sameJson(first: unknown, second: unknown): boolean {
  return canonicalJson(first) === canonicalJson(second);
}

function compareOutcome(expect: CaseExpectation, outcome: CaseOutcome): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const answer = outcome.decision ?? outcome.query;
  const check = (field: keyof CaseExpectation, actual: unknown, holds: boolean): void => {
    if (!holds) mismatches.push({ field, expected: expect[field], actual });
  };
  if (expect.allow !== undefined) check('allow', answer?.allow, answer?.allow === expect.allow);
  if (expect.reason !== undefined) {
    check('reason', answer?.reason, answer?.reason === expect.reason);
  }
  if (expect.message !== undefined) {
    const message = answer?.message;
    check('message', message, typeof message === 'string' && message.includes(expect.message));
  }
  if (expect.capabilities !== undefined) {
    const expected = [...expect.capabilities].sort();
    check('capabilities', outcome.capabilities, sameJson(expected, outcome.capabilities));
  }
  if (expect.filter !== undefined) {
    check('filter', outcome.query?.filter, sameJson(expect.filter, outcome.query?.filter));
  }
  if (expect.injected !== undefined) {
    check('injected', outcome.query?.injected, outcome.query?.injected === expect.injected);
  }
  return mismatches;
}
