// Lines up the results of one suite run against the old and the new policy and keeps the cases
// whose decision (allow, reason) changed, so a PR shows its effect on the team's own tests.
import type { CaseResult, SuiteResult } from '../test-suite/types.js';
import type { CaseChange, Effect } from './types.js';

function outcomeOf(result: CaseResult): { allow: boolean; reason: string } | undefined {
  const answer = result.outcome.decision ?? result.outcome.query;
  return answer === undefined ? undefined : { allow: answer.allow, reason: answer.reason };
}

export function compareCaseResults(before: SuiteResult, after: SuiteResult): CaseChange[] {
  const changes: CaseChange[] = [];
  const beforeByIndex = new Map(before.results.map((result) => [result.case.index, result]));
  for (const result of after.results) {
    const old = beforeByIndex.get(result.case.index);
    if (old === undefined) continue;
    const oldOutcome = outcomeOf(old);
    const newOutcome = outcomeOf(result);
    if (oldOutcome === undefined || newOutcome === undefined) continue;
    if (oldOutcome.allow === newOutcome.allow && oldOutcome.reason === newOutcome.reason) continue;
    const effect: Effect =
      oldOutcome.allow === newOutcome.allow ? 'neutral' : newOutcome.allow ? 'widened' : 'narrowed';
    const { span } = result.case;
    changes.push({
      suite: after.suite.name,
      case: result.case.name,
      location: `${span.file}:${span.line}:${span.column}`,
      before: oldOutcome,
      after: newOutcome,
      effect,
    });
  }
  return changes;
}
