// Renders a permission diff as markdown for a pull-request comment, and decides which `--fail-on`
// kinds a diff triggers. Pure: the CLI prints and exits.
import type { Effect, FailOnKind, PolicyDiff } from './types.js';

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

export function renderDiffMarkdown(diff: PolicyDiff): string {
  const parts: string[] = [
    `## rolecall diff: ${code(diff.before.label)} → ${code(diff.after.label)}\n`,
  ];
  const effects = allEffects(diff);
  const total = countChanges(diff);
  if (total === 0) {
    parts.push('No permission changes.\n');
    return parts.join('\n');
  }
  const count = (wanted: Effect): number => effects.filter((effect) => effect === wanted).length;
  const summary = [
    `${count('widened')} widening`,
    `${count('narrowed')} narrowing`,
    ...(count('mixed') > 0 ? [`${count('mixed')} mixed`] : []),
    `${count('neutral') + diff.scopes.length} neutral`,
  ];
  parts.push(`${total} change${total === 1 ? '' : 's'}: ${summary.join(', ')}.\n`);
  const outcome = (value: { allow: boolean; reason: string }): string =>
    `${value.allow ? 'allow' : 'deny'} ${code(value.reason)}`;
  parts.push(
    ...section(
      'Settings',
      ['setting', 'before', 'after', 'effect'],
      diff.settings.map((change) => [
        code(change.setting),
        code(JSON.stringify(change.before)),
        code(JSON.stringify(change.after)),
        EFFECT_LABEL[change.effect],
      ]),
    ),
    ...section(
      'Roles',
      ['role', 'change', 'level', 'effect'],
      diff.roles.map((change) => [
        code(change.role),
        change.change,
        change.change === 'changed'
          ? `${change.before ?? ''} → ${change.after ?? ''}`
          : (change.after ?? change.before ?? ''),
        EFFECT_LABEL[change.effect],
      ]),
    ),
    ...section(
      'Custom permissions',
      ['permission', 'change', 'details', 'effect'],
      diff.permissions.map((change) => [
        code(change.permission),
        change.change,
        change.details.join('; '),
        EFFECT_LABEL[change.effect],
      ]),
    ),
    ...section(
      'Scopes',
      ['scope', 'change'],
      diff.scopes.map((change) => [code(change.scope), change.change]),
    ),
    ...section(
      'Grants (role × scope × permission)',
      ['scope', 'role', 'permission', 'change', 'effect', 'source'],
      diff.grants.map((change) => [
        code(change.scope),
        code(change.role),
        code(change.permission),
        change.change,
        EFFECT_LABEL[change.effect],
        change.source ?? '—',
      ]),
    ),
    ...section(
      'Test outcomes that change',
      ['case', 'before', 'after', 'effect', 'location'],
      diff.cases.map((change) => [
        change.case,
        outcome(change.before),
        outcome(change.after),
        EFFECT_LABEL[change.effect],
        change.location,
      ]),
    ),
  );
  return parts.join('\n');
}
