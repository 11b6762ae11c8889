// Renders suite results for a terminal: one block per failing case, naming the case's YAML line
// and what the engine answered, then `N passed, N failed`.
import { diagnosticAt } from '../../compiler/diagnostics/codes.js';
import { printable } from '../../compiler/diagnostics/printable.js';
import type { Diagnostic } from '../../compiler/types.js';
import { canonicalJson } from './run.js';
import type { CaseResult, Mismatch, SuiteResult } from './types.js';

function formatValue(value: unknown): string {
  return value === undefined ? '(nothing)' : canonicalJson(value);
}

export function describeMismatch(mismatch: Mismatch): string {
  return `expected ${mismatch.field} ${formatValue(mismatch.expected)}, got ${formatValue(mismatch.actual)}`;
}

/** One line on what the engine said, e.g. `deny REVOKED: send-video revoked for call_member`. */
export function describeAnswer(result: CaseResult): string {
  const answer = result.outcome.decision ?? result.outcome.query;
  if (answer === undefined) return `capabilities ${formatValue(result.outcome.capabilities)}`;
  const message = answer.message === '' ? '' : `: ${answer.message}`;
  return `${answer.allow ? 'allow' : 'deny'} ${answer.reason}${message}`;
}

export function renderSuiteFailures(result: SuiteResult): string {
  const lines: string[] = [];
  for (const caseResult of result.results) {
    if (caseResult.passed) continue;
    const { span, name } = caseResult.case;
    lines.push(`FAIL ${span.file}:${span.line}:${span.column} ${name}`);
    for (const mismatch of caseResult.mismatches) lines.push(`  ${describeMismatch(mismatch)}`);
    lines.push(`  engine: ${describeAnswer(caseResult)}`);
  }
  // Case names, messages and answers come from the suite and the engine: shown, never acted on.
  return lines.length === 0 ? '' : `${lines.map(printable).join('\n')}\n`;
}

export function renderSummary(results: readonly SuiteResult[]): string {
  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  return `${passed} passed, ${failed} failed\n`;
}

/** Failing cases as diagnostics at the case's line, for the shared renderers (CI annotations). */
export function failuresAsDiagnostics(result: SuiteResult): Diagnostic[] {
  return result.results
    .filter((caseResult) => !caseResult.passed)
    .map((caseResult) =>
      diagnosticAt(
        caseResult.case.span,
        'TEST_FAILED',
        `case "${caseResult.case.name}": ${caseResult.mismatches.map(describeMismatch).join('; ')}`,
        `engine: ${describeAnswer(caseResult)}`,
      ),
    );
}
