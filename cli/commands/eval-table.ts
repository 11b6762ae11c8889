// `rolecall eval --format table`: one line per answer, the reason first (padded to a column) and
// then the message, as a person reads decisions in a terminal; JSON stays the scripting format.
import { printable } from '../../compiler/diagnostics/printable.js';

type Row = [string, string];

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** A decision or query_filter answer as [REASON, what it says]. */
function answerRow(answer: unknown): Row {
  if (typeof answer === 'boolean') return [answer ? 'ALLOW' : 'DENY', ''];
  if (Array.isArray(answer)) return ['CAPABILITIES', answer.map(String).join(', ')];
  const record = recordOf(answer);
  const reason = typeof record['reason'] === 'string' ? record['reason'] : '?';
  if ('filter' in record && record['allow'] === true) {
    return [reason, `filter ${JSON.stringify(record['filter'])}`];
  }
  return [reason, typeof record['message'] === 'string' ? record['message'] : ''];
}

function renderRows(rows: Row[]): string {
  // A reduce, not Math.max(...rows): a batch of 200,000 answers would overflow the call stack.
  const width = rows.reduce((widest, [reason]) => Math.max(widest, reason.length), 0);
  return rows
    .map(([reason, text]) => (text === '' ? reason : `${reason.padEnd(width)} ${printable(text)}`))
    .join('\n');
}

/** A `rolecall/batch` answer: its two lists, each printed as a section. */
function isBatchAnswer(answer: unknown): boolean {
  const record = recordOf(answer);
  return Array.isArray(record['decisions']) && Array.isArray(record['query_filters']);
}

/** The table for one answer or a list of answers (a batch answer prints both of its lists). */
export function renderTable(result: unknown, many: boolean): string {
  const answers = many ? (result as unknown[]) : [result];
  // Plain answers share one padded column; batch answers print a section per list.
  if (!answers.some(isBatchAnswer)) return `${renderRows(answers.map(answerRow))}\n`;
  const lines: string[] = [];
  for (const answer of answers) {
    if (!isBatchAnswer(answer)) {
      lines.push(renderRows([answerRow(answer)]));
      continue;
    }
    const record = recordOf(answer);
    const decisions = (record['decisions'] as unknown[]).map(answerRow);
    const filters = (record['query_filters'] as unknown[]).map(answerRow);
    if (decisions.length > 0) lines.push('decisions:', renderRows(decisions));
    if (filters.length > 0) lines.push('query filters:', renderRows(filters));
  }
  return `${lines.join('\n')}\n`;
}
