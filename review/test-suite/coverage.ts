// Coverage of a grants file by its suites: which grants the file writes (role × scope ×
// permission), which override modifiers and which permissions no decision of any case touched.
// A decision's `grants` names what matched (allow) or what was revoked (deny), so that is the
// record of what a case exercised.
import type { ResolvedPolicy } from '../../compiler/types.js';
import type { MatchedGrant } from '../../core/contract.js';
import type { SuiteResult } from './types.js';

export interface CoverageItem {
  scope: string;
  role: string;
  /** For overrides, the modifier as written (`!send-video` or `create-reaction`). */
  permission: string;
  source?: string;
}

export interface CoverageSection<T> {
  total: number;
  exercised: number;
  unexercised: T[];
}

export interface Coverage {
  /** Grants written in the file's `.app` and call type scopes (builtin defaults are not counted). */
  grants: CoverageSection<CoverageItem>;
  /** Modifiers in `calls.*.config_overrides.grants`. */
  overrides: CoverageSection<CoverageItem>;
  /** Custom permissions and every permission the file names in a grant or an override. */
  permissions: CoverageSection<string>;
}

const keyOf = (scope: string, role: string, permission: string): string =>
  `${scope}\u0000${role}\u0000${permission}`;

export function computeCoverage(policy: ResolvedPolicy, results: readonly SuiteResult[]): Coverage {
  const touched = new Set<string>();
  const touchedPermissions = new Set<string>();
  for (const result of results) {
    for (const caseResult of result.results) {
      const grants: MatchedGrant[] = caseResult.outcome.decision?.grants ?? [];
      for (const grant of grants) {
        touched.add(keyOf(grant.scope, grant.role, grant.permission));
        touchedPermissions.add(grant.permission);
      }
    }
  }

  const grantItems: CoverageItem[] = [];
  const addWritten = (scope: string, sources: Record<string, Record<string, string>>): void => {
    for (const role of Object.keys(sources).sort()) {
      for (const permission of Object.keys(sources[role] ?? {}).sort()) {
        const source = sources[role]?.[permission];
        grantItems.push({ scope, role, permission, ...(source === undefined ? {} : { source }) });
      }
    }
  };
  addWritten('.app', policy.sources.app);
  for (const callType of Object.keys(policy.sources.call_types).sort()) {
    addWritten(`call_type:${callType}`, policy.sources.call_types[callType] ?? {});
  }

  const overrideItems: CoverageItem[] = [];
  for (const callKey of Object.keys(policy.call_overrides).sort()) {
    const grants = policy.call_overrides[callKey] ?? {};
    for (const role of Object.keys(grants).sort()) {
      for (const modifier of grants[role] ?? []) {
        const permission = modifier.replace(/^!/, '');
        const source = policy.sources.call_overrides[callKey]?.[role]?.[permission];
        overrideItems.push({
          scope: `call:${callKey}`,
          role,
          permission: modifier,
          ...(source === undefined ? {} : { source }),
        });
      }
    }
  }

  const namedPermissions = new Set<string>();
  for (const [id, permission] of Object.entries(policy.permissions)) {
    if (!permission.builtin) namedPermissions.add(id);
  }
  for (const item of [...grantItems, ...overrideItems]) {
    namedPermissions.add(item.permission.replace(/^!/, ''));
  }

  const isTouched = (item: CoverageItem): boolean =>
    touched.has(keyOf(item.scope, item.role, item.permission.replace(/^!/, '')));
  const section = <T>(items: T[], covered: (item: T) => boolean): CoverageSection<T> => {
    const unexercised = items.filter((item) => !covered(item));
    return { total: items.length, exercised: items.length - unexercised.length, unexercised };
  };
  return {
    grants: section(grantItems, isTouched),
    overrides: section(overrideItems, isTouched),
    permissions: section([...namedPermissions].sort(), (id) => touchedPermissions.has(id)),
  };
}

export function isFullyCovered(coverage: Coverage): boolean {
  return (
    coverage.grants.unexercised.length === 0 &&
    coverage.overrides.unexercised.length === 0 &&
    coverage.permissions.unexercised.length === 0
  );
}

export function renderCoverage(coverage: Coverage): string {
  const lines: string[] = ['coverage:'];
  const percent = (section: CoverageSection<unknown>): string =>
    section.total === 0 ? '100%' : `${Math.floor((100 * section.exercised) / section.total)}%`;
  const describe = (item: CoverageItem): string =>
    `${item.scope} ${item.role} ${item.permission}${item.source === undefined ? '' : ` (${item.source})`}`;
  const block = (title: string, section: CoverageSection<CoverageItem>): void => {
    lines.push(`  ${title}: ${section.exercised}/${section.total} exercised (${percent(section)})`);
    for (const item of section.unexercised) lines.push(`    not exercised: ${describe(item)}`);
  };
  block('grants', coverage.grants);
  block('overrides', coverage.overrides);
  const { permissions } = coverage;
  lines.push(
    `  permissions: ${permissions.exercised}/${permissions.total} exercised (${percent(permissions)})`,
  );
  for (const id of permissions.unexercised) lines.push(`    not exercised: ${id}`);
  return `${lines.join('\n')}\n`;
}
