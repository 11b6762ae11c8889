// Renders a permission diff as markdown for a pull-request comment, and decides which `--fail-on`
// kinds a diff triggers. Pure: the CLI prints and exits.
import { caseChangeTable, smallChangeTables, type ChangeCell } from './change-tables.js';
import type { Effect, FailOnKind, GrantChange, PolicyDiff } from './types.js';

/** Every change of a diff with its effect, in rendering order. */
function allEffects(diff: PolicyDiff): Effect[] {
  return [
    ...diff.settings.map((change) => change.effect),
    ...diff.roles.map((change) => change.effect),
    ...diff.permissions.map((change) => change.effect),
    ...diff.grants.map((change) => change.effect),
    ...diff.cases.map((change) => change.effect),
  ];
}

export function countChanges(diff: PolicyDiff): number {
  return allEffects(diff).length + diff.scopes.length;
}

/** "12 changes: 3 widening, 8 narrowing, 1 neutral" (added or removed scopes count as neutral). */
export function changeSummary(diff: PolicyDiff): string {
  const effects = allEffects(diff);
  const total = countChanges(diff);
  const count = (wanted: Effect): number => effects.filter((effect) => effect === wanted).length;
  const summary = [
    `${count('widened')} widening`,
    `${count('narrowed')} narrowing`,
    ...(count('mixed') > 0 ? [`${count('mixed')} mixed`] : []),
    `${count('neutral') + diff.scopes.length} neutral`,
  ];
  return `${total} change${total === 1 ? '' : 's'}: ${summary.join(', ')}`;
}

/** The `--fail-on` kinds this diff triggers, in the order asked. */
export function triggeredFailOn(diff: PolicyDiff, kinds: readonly FailOnKind[]): FailOnKind[] {
  const effects = new Set(allEffects(diff));
  const widened = effects.has('widened') || effects.has('mixed');
  const narrowed = effects.has('narrowed') || effects.has('mixed');
  return kinds.filter((kind) =>
    kind === 'widened' ? widened : kind === 'removed' ? narrowed : countChanges(diff) > 0,
  );
}

const EFFECT_LABEL: Record<Effect, string> = {
  widened: '**widened**',
  narrowed: 'narrowed',
  mixed: '**mixed**',
  neutral: 'neutral',
};

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

/** A change-table cell as Markdown. */
function markdownCell(value: ChangeCell): string {
  switch (value.kind) {
    case 'code':
      return code(value.text);
    case 'text':
      return value.text;
    case 'effect':
      return EFFECT_LABEL[value.effect];
    case 'outcome':
      return `${value.allow ? 'allow' : 'deny'} ${code(value.reason)}`;
  }
}

/** Text inside HTML (a fold's summary, where Markdown is not rendered). */
function htmlText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function table(headers: string[], rows: string[][]): string {
  const lines = [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** A titled table, or nothing when the diff has no change of that kind. */
function section(title: string, headers: string[], rows: string[][]): string[] {
  return rows.length === 0 ? [] : [`### ${title}\n`, table(headers, rows)];
}

/** The first line of every rendering: a workflow finds (and updates) its own comment by it. */
export const DIFF_MARKER = '<!-- rolecall-diff -->';

/** A PR comment holds 65,536 characters; the rendering stays under this, with room to spare. */
export const MAX_MARKDOWN_CHARS = 60_000;

/** What a rendering could not show within the budget. */
interface LeftOut {
  grants: number;
  cases: number;
}

/** Collects text up to a character budget, keeping room for the closing note. */
class Budget {
  private readonly parts: string[] = [];
  private used = 0;
  constructor(private readonly limit: number) {}
  /** Whether `length` more characters (and a separating newline) still fit. */
  fits(length: number): boolean {
    return this.used + length + 1 <= this.limit;
  }
  add(text: string): void {
    this.parts.push(text);
    this.used += text.length + 1;
  }
  text(): string {
    return this.parts.join('\n');
  }
}

const scopeRank = (changes: GrantChange[]): number =>
  changes.some((change) => change.effect === 'widened' || change.effect === 'mixed') ? 0 : 1;

/** Grant changes by scope, scopes that widen access first (reviewers look there first). */
function grantsByScope(grants: readonly GrantChange[]): [string, GrantChange[]][] {
  const byScope = new Map<string, GrantChange[]>();
  for (const change of grants)
    byScope.set(change.scope, [...(byScope.get(change.scope) ?? []), change]);
  return [...byScope].sort(
    ([a, left], [b, right]) => scopeRank(left) - scopeRank(right) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

function effectCounts(effects: readonly Effect[]): string {
  const count = (wanted: Effect): number => effects.filter((effect) => effect === wanted).length;
  return [
    `${count('widened')} widening`,
    `${count('narrowed')} narrowing`,
    ...(count('mixed') > 0 ? [`${count('mixed')} mixed`] : []),
    ...(count('neutral') > 0 ? [`${count('neutral')} neutral`] : []),
  ].join(', ');
}

const GRANT_HEADERS = ['role', 'permission', 'change', 'effect', 'source'];

function grantRow(change: GrantChange): string {
  return `| ${[
    code(change.role),
    code(change.permission),
    change.change,
    EFFECT_LABEL[change.effect],
    change.source ?? '—',
  ]
    .map(cell)
    .join(' | ')} |`;
}

/**
 * One fold per scope (open when it widens access), rows grouped by role; rows that do not fit
 * the budget are counted instead of shown.
 */
function addGrantFolds(budget: Budget, grants: readonly GrantChange[], leftOut: LeftOut): void {
  if (grants.length === 0) return;
  budget.add('### Grants (scope × role × permission)\n');
  for (const [scope, changes] of grantsByScope(grants)) {
    const open = scopeRank(changes) === 0 ? ' open' : '';
    const head = [
      `<details${open}><summary><code>${htmlText(scope)}</code>: ${String(changes.length)} change${changes.length === 1 ? '' : 's'} (${effectCounts(changes.map((change) => change.effect))})</summary>\n`,
      `| ${GRANT_HEADERS.join(' | ')} |`,
      `|${GRANT_HEADERS.map(() => '---').join('|')}|`,
    ].join('\n');
    const foot = '\n</details>\n';
    if (!budget.fits(head.length + foot.length + 1)) {
      leftOut.grants += changes.length;
      continue;
    }
    const rows: string[] = [];
    let size = head.length + foot.length + 2;
    for (const change of changes) {
      const row = grantRow(change);
      if (!budget.fits(size + row.length + 1)) {
        leftOut.grants += 1;
        continue;
      }
      rows.push(row);
      size += row.length + 1;
    }
    if (rows.length === 0) continue;
    budget.add(`${head}\n${rows.join('\n')}\n${foot}`);
  }
}

function addCaseFold(budget: Budget, diff: PolicyDiff, leftOut: LeftOut): void {
  if (diff.cases.length === 0) return;
  const { title, headers, rows: cells } = caseChangeTable(diff);
  const head = [
    `### ${title}\n`,
    `<details open><summary>${String(diff.cases.length)} case${diff.cases.length === 1 ? '' : 's'} (${effectCounts(diff.cases.map((change) => change.effect))})</summary>\n`,
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
  ].join('\n');
  const foot = '\n</details>\n';
  const rows: string[] = [];
  let size = head.length + foot.length + 2;
  for (const row of cells.map(
    (values) => `| ${values.map(markdownCell).map(cell).join(' | ')} |`,
  )) {
    if (!budget.fits(size + row.length + 1)) {
      leftOut.cases += 1;
      continue;
    }
    rows.push(row);
    size += row.length + 1;
  }
  if (rows.length > 0) budget.add(`${head}\n${rows.join('\n')}\n${foot}`);
  else leftOut.cases = diff.cases.length;
}

/** Room kept for the note on what was left out. */
const NOTE_RESERVE = 400;

/**
 * Markdown for one pull-request comment, at most `maxChars` (default 60,000) characters: the
 * marker, a summary, the small tables (settings, roles, permissions, scopes), then grant changes
 * folded per scope and the test outcomes that change. What does not fit is counted in a closing
 * note that points at `--format json`, which always lists everything.
 */
export function renderDiffMarkdown(diff: PolicyDiff, options: { maxChars?: number } = {}): string {
  const budget = new Budget((options.maxChars ?? MAX_MARKDOWN_CHARS) - NOTE_RESERVE);
  budget.add(
    `${DIFF_MARKER}\n## rolecall diff: ${code(diff.before.label)} → ${code(diff.after.label)}\n`,
  );
  if (countChanges(diff) === 0) {
    budget.add('No permission changes.\n');
    return budget.text();
  }
  budget.add(`${changeSummary(diff)}.\n`);
  const small = smallChangeTables(diff).flatMap((table) =>
    section(
      table.title,
      table.headers,
      table.rows.map((row) => row.map(markdownCell)),
    ),
  );
  // Settings, ≤ 25 roles, custom permissions and scopes are short; they always come first.
  for (const part of small) budget.add(part);
  const leftOut: LeftOut = { grants: 0, cases: 0 };
  addGrantFolds(budget, diff.grants, leftOut);
  addCaseFold(budget, diff, leftOut);
  if (leftOut.grants + leftOut.cases > 0) {
    const missing = [
      ...(leftOut.grants > 0 ? [`${String(leftOut.grants)} grant changes`] : []),
      ...(leftOut.cases > 0 ? [`${String(leftOut.cases)} test outcomes`] : []),
    ].join(' and ');
    budget.add(
      `_Left out to fit one comment: ${missing}. \`rolecall diff --format json\` lists every change._\n`,
    );
  }
  return budget.text();
}
