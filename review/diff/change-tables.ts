// The changes of a diff that are not grants — settings, roles, custom permissions, scopes and
// suite cases — as tables of typed cells, built once; the Markdown and the HTML renderers only
// decide how a cell looks.
import type { Effect, PolicyDiff } from './types.js';

export type ChangeCell =
  | { kind: 'code'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'effect'; effect: Effect }
  | { kind: 'outcome'; allow: boolean; reason: string };

export interface ChangeTable {
  /** `settings`, `roles`, `permissions`, `scopes`, `cases`. */
  id: string;
  title: string;
  headers: string[];
  rows: ChangeCell[][];
}

const code = (text: string): ChangeCell => ({ kind: 'code', text });
const text = (value: string): ChangeCell => ({ kind: 'text', text: value });
const effect = (value: Effect): ChangeCell => ({ kind: 'effect', effect: value });
const outcome = (value: { allow: boolean; reason: string }): ChangeCell => ({
  kind: 'outcome',
  ...value,
});

/** Settings, roles, custom permissions and scopes: short lists, always shown whole. */
export function smallChangeTables(diff: PolicyDiff): ChangeTable[] {
  return [
    {
      id: 'settings',
      title: 'Settings',
      headers: ['setting', 'before', 'after', 'effect'],
      rows: diff.settings.map((change) => [
        code(change.setting),
        code(JSON.stringify(change.before)),
        code(JSON.stringify(change.after)),
        effect(change.effect),
      ]),
    },
    {
      id: 'roles',
      title: 'Roles',
      headers: ['role', 'change', 'level', 'effect'],
      rows: diff.roles.map((change) => [
        code(change.role),
        text(change.change),
        text(
          change.change === 'changed'
            ? `${change.before ?? ''} → ${change.after ?? ''}`
            : (change.after ?? change.before ?? ''),
        ),
        effect(change.effect),
      ]),
    },
    {
      id: 'permissions',
      title: 'Custom permissions',
      headers: ['permission', 'change', 'details', 'effect'],
      rows: diff.permissions.map((change) => [
        code(change.permission),
        text(change.change),
        text(change.details.join('; ')),
        effect(change.effect),
      ]),
    },
    {
      id: 'scopes',
      title: 'Scopes',
      headers: ['scope', 'change'],
      rows: diff.scopes.map((change) => [code(change.scope), text(change.change)]),
    },
  ];
}

/** The suite cases whose outcome changes. */
export function caseChangeTable(diff: PolicyDiff): ChangeTable {
  return {
    id: 'cases',
    title: 'Test outcomes that change',
    headers: ['case', 'before', 'after', 'effect', 'location'],
    rows: diff.cases.map((change) => [
      text(change.case),
      outcome(change.before),
      outcome(change.after),
      effect(change.effect),
      text(change.location),
    ]),
  };
}
