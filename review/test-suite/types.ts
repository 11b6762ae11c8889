// The shapes of a loaded policy test suite and of its results, shared by the loader, the runner,
// coverage, JUnit and the `_test.rego` emitter.
import type { SourceSpan } from '../../compiler/types.js';
import type { Decision, QueryFilterResult } from '../../core/contract.js';

/** What a case expects; every key present is checked, absent keys are not. */
export interface CaseExpectation {
  allow?: boolean;
  reason?: string;
  /** A substring of the decision's message. */
  message?: string;
  capabilities?: string[];
  filter?: Record<string, unknown> | null;
  injected?: boolean;
}

/**
 * One case, with the evaluator inputs already built from fixtures. A decision case has
 * `decisionInput`, a query case `queryInput`; either may also have `capabilitiesInput` when the
 * case expects capabilities (a capabilities-only case has nothing else).
 */
export interface SuiteCase {
  name: string;
  index: number;
  /** Span of the case in the suite (its `name` value), for failure output. */
  span: SourceSpan;
  decisionInput?: unknown;
  queryInput?: unknown;
  capabilitiesInput?: unknown;
  expect: CaseExpectation;
}

export interface TestSuite {
  file: string;
  name: string;
  /** The `grants:` entry as written (relative to the suite file), if any. */
  grants?: string;
  cases: SuiteCase[];
}

/** What the evaluator answered for one case. */
export interface CaseOutcome {
  decision?: Decision;
  query?: QueryFilterResult;
  capabilities?: string[];
}

/** One expectation that did not hold. */
export interface Mismatch {
  field: keyof CaseExpectation;
  expected: unknown;
  actual: unknown;
}

export interface CaseResult {
  case: SuiteCase;
  outcome: CaseOutcome;
  mismatches: Mismatch[];
  passed: boolean;
  /**
   * Wall-clock time spent evaluating the case, in milliseconds: its share of the one batch its
   * decision or query filter went out in, plus its own capabilities evaluation.
   */
  durationMs: number;
}

export interface SuiteResult {
  suite: TestSuite;
  results: CaseResult[];
  passed: number;
  failed: number;
  /** Wall-clock time of the whole run, in milliseconds (at least the sum of the cases'). */
  durationMs: number;
}
