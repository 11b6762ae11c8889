// Renders a permission diff (`PolicyDiff`, the one diff model of review/diff) as the matrix view:
// one table of permissions × roles per scope that changed, the changed cells marked, so a reviewer
// of `rolecall diff --format html` sees which role gained or lost which permission where.
import { changeSummary, countChanges } from '../diff/render.js';
import { caseChangeTable, smallChangeTables, type ChangeCell } from '../diff/change-tables.js';
import type { Effect, GrantChange, GrantChangeKind, PolicyDiff } from '../diff/types.js';
import { Html, html, renderPage } from './html.js';
import {
  parseSourceRef,
  type CellState,
  type MatrixModel,
  type MatrixPermission,
  type MatrixRole,
  type MatrixScope,
  type ScopeKind,
} from './model.js';
import {
  CELL_MEANING,
  cellFlags,
  formatSource,
  linkTo,
  permissionHeader,
  roleHeader,
  searchText,
  type RenderMatrixOptions,
} from './render.js';

/**
 * The matrices of the two policies the diff compares. They only lay the page out (which roles
 * and permissions a scope has, in which order, with which badges) and show the unchanged cells;
 * what changed comes from the diff alone.
 */
export interface MatrixDiffLayout {
  before: MatrixModel;
  after: MatrixModel;
}

const holds = (state: CellState | undefined): boolean =>
  state === 'granted' || state === 'inherited';

/** Union of two ordered id lists, keeping `after`'s order and slotting gone ids where they were. */
function mergeOrder(before: readonly string[], after: readonly string[]): string[] {
  const merged = [...after];
  before.forEach((id, index) => {
    if (merged.includes(id)) return;
    const previous = before[index - 1];
    const at = previous === undefined ? 0 : merged.indexOf(previous) + 1;
    merged.splice(at, 0, id);
  });
  return merged;
}

/** `ids` followed by the `extra` ids it lacks, in their order of first appearance. */
function withExtra(ids: readonly string[], extra: Iterable<string>): string[] {
  return [...new Set([...ids, ...extra])];
}

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

const cellKey = (scope: string, role: string, permission: string): string =>
  `${scope}\u0000${role}\u0000${permission}`;

/** How a changed cell reads: `+` access given (or a revoke lifted), `−` taken, `!` revoked. */
const CHANGE_SYMBOL: Record<GrantChangeKind, string> = {
  added: '+',
  removed: '−',
  revoked: '!',
  unrevoked: '+',
};

/** The matrix page's cell colours: green for what widens access, red for what narrows it. */
function changeClass(effect: Effect): string {
  return effect === 'widened' ? 'added' : effect === 'narrowed' ? 'removed' : 'changed';
}

function sameSymbol(state: CellState | undefined): string {
  return holds(state) ? '✓' : state === 'revoked' ? '!' : '·';
}

function scopeKindOf(id: string): ScopeKind {
  return id === '.app' ? 'app' : id.startsWith('call_type:') ? 'call_type' : 'call';
}

/** What a scope id is called on the page: `.app`, the call type, or the call's `type:id`. */
function scopeNameOf(id: string): string {
  return id.replace(/^call(_type)?:/, '');
}

/** A role or permission the diff names but neither matrix has (only a header without details). */
function unknownRole(id: string): MatrixRole {
  return { id, level: 'any', builtin: false, description: '' };
}

function unknownPermission(id: string): MatrixPermission {
  const permission = { id, name: id, description: '', action: '', level: 'call' } as const;
  return { ...permission, kind: 'write', owner: false, sameTeam: false, builtin: false };
}

interface DiffScope {
  id: string;
  kind: ScopeKind;
  name: string;
  status: 'added' | 'removed' | 'kept';
  before: MatrixScope | undefined;
  after: MatrixScope | undefined;
  roles: string[];
  permissions: string[];
  changes: GrantChange[];
}

/** The scopes with grant changes, or added or removed, in the matrices' order. */
function diffScopes(diff: PolicyDiff, layout: MatrixDiffLayout): DiffScope[] {
  const beforeScopes = byId(layout.before.scopes);
  const afterScopes = byId(layout.after.scopes);
  const changesByScope = new Map<string, GrantChange[]>();
  for (const change of diff.grants) {
    changesByScope.set(change.scope, [...(changesByScope.get(change.scope) ?? []), change]);
  }
  const statusOf = new Map(diff.scopes.map((change) => [change.scope, change.change]));
  const order = withExtra(
    mergeOrder(
      layout.before.scopes.map((scope) => scope.id),
      layout.after.scopes.map((scope) => scope.id),
    ),
    [...changesByScope.keys(), ...statusOf.keys()],
  );
  return order
    .filter((id) => changesByScope.has(id) || statusOf.has(id))
    .map((id): DiffScope => {
      const before = beforeScopes.get(id);
      const after = afterScopes.get(id);
      const changes = changesByScope.get(id) ?? [];
      return {
        id,
        kind: (after ?? before)?.kind ?? scopeKindOf(id),
        name: (after ?? before)?.name ?? scopeNameOf(id),
        status: statusOf.get(id) ?? 'kept',
        before,
        after,
        roles: withExtra(
          mergeOrder(before?.roles ?? [], after?.roles ?? []),
          changes.map((change) => change.role),
        ),
        permissions: withExtra(
          mergeOrder(before?.permissions ?? [], after?.permissions ?? []),
          changes.map((change) => change.permission),
        ),
        changes,
      };
    });
}

function renderDiffScope(
  scope: DiffScope,
  roles: Map<string, MatrixRole>,
  permissions: Map<string, MatrixPermission>,
  options: RenderMatrixOptions,
): Html {
  const changes = new Map(
    scope.changes.map((change) => [cellKey(scope.id, change.role, change.permission), change]),
  );
  const kindLabel =
    scope.kind === 'app' ? 'app scope' : scope.kind === 'call_type' ? 'call type' : 'call';
  const status = scope.status === 'kept' ? '' : ` (${scope.status})`;
  const rows = scope.permissions.map((permissionId) => {
    const permission = permissions.get(permissionId) ?? unknownPermission(permissionId);
    return html`<tr data-permission="${permissionId}" data-search="${searchText(permission)}">
      ${permissionHeader(permission, options)}${scope.roles.map((roleId) => {
        const change = changes.get(cellKey(scope.id, roleId, permissionId));
        const before = scope.before?.cells[roleId]?.[permissionId]?.state;
        const afterCell = scope.after?.cells[roleId]?.[permissionId];
        const after = afterCell?.state;
        const source = change === undefined ? afterCell?.source : parseSourceRef(change.source);
        const what = change === undefined ? 'unchanged' : `${change.change} (${change.effect})`;
        const info = `${scope.name} · ${roleId} · ${permissionId}: ${what} — before: ${
          before === undefined ? 'absent' : CELL_MEANING[before]
        }; after: ${after === undefined ? 'absent' : CELL_MEANING[after]}${
          source === undefined ? '' : ` at ${formatSource(source)}`
        }`;
        const symbol = change === undefined ? sameSymbol(after) : CHANGE_SYMBOL[change.change];
        const content = html`${symbol}${holds(after) ? cellFlags(permission) : ''}`;
        return html`<td
          class="cell ${change === undefined ? 'same' : changeClass(change.effect)}"
          data-role="${roleId}"
          data-permission="${permissionId}"
          data-change="${change?.change ?? 'same'}"
          ${change === undefined ? '' : html` data-effect="${change.effect}"`}
          data-before="${before ?? 'absent'}"
          data-after="${after ?? 'absent'}"
          ${change === undefined ? '' : new Html(' data-mark')}
          data-info="${info}"
        >
          ${linkTo(source, content, options)}
        </td>`;
      })}
    </tr> `;
  });
  const count = (effect: Effect): number =>
    scope.changes.filter((change) => change.effect === effect).length;
  return html`<section
    class="scope"
    data-scope="${scope.id}"
    data-kind="${scope.kind}"
    data-status="${scope.status}"
  >
    <h2>${kindLabel} <code>${scope.name}</code>${status}</h2>
    <div class="origin">
      ${scope.changes.length} grant change${scope.changes.length === 1 ? '' : 's'}:
      ${count('widened')} widening, ${count('narrowed')} narrowing
    </div>
    <table>
      <thead>
        <tr>
          <th>permission</th>
          ${scope.roles.map((roleId) => roleHeader(roles.get(roleId) ?? unknownRole(roleId), options))}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section> `;
}

function effectCell(effect: Effect): Html {
  return effect === 'widened' || effect === 'mixed'
    ? html`<td data-effect="${effect}"><strong>${effect}</strong></td>`
    : html`<td data-effect="${effect}">${effect}</td>`;
}

/** A titled table of one kind of change, or nothing when the diff has none of that kind. */
function changeTable(id: string, title: string, headers: string[], rows: Html[]): Html | '' {
  if (rows.length === 0) return '';
  return html`<section class="changes" id="${id}">
    <h2>${title}</h2>
    <table>
      <thead>
        <tr>
          ${headers.map((header) => html`<th>${header}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section> `;
}

/** A change-table cell as HTML: the first of a row heads it. */
function htmlCell(value: ChangeCell, index: number): Html {
  const content =
    value.kind === 'code'
      ? html`<code>${value.text}</code>`
      : value.kind === 'outcome'
        ? html`${value.allow ? 'allow' : 'deny'} <code>${value.reason}</code>`
        : value.kind === 'text'
          ? value.text
          : '';
  if (value.kind === 'effect') return effectCell(value.effect);
  return index === 0 ? html`<th>${content}</th>` : html`<td>${content}</td>`;
}

/** The changes that are not grants: settings, roles, custom permissions, scopes, suite cases. */
function renderOtherChanges(diff: PolicyDiff): Html {
  return html`${[...smallChangeTables(diff), caseChangeTable(diff)].map((table) =>
    changeTable(
      table.id,
      table.title,
      table.headers,
      table.rows.map(
        (row) =>
          html`<tr>
            ${row.map(htmlCell)}
          </tr>`,
      ),
    ),
  )}`;
}

/** The tables of changes other than grants, set like the scopes' tables. */
const CHANGES_STYLE = `
section.changes { margin:14px 0 22px; }
section.changes h2 { font-size:15px; margin:0 0 6px; }
section.changes tbody th code, section.changes td code { font-size:12px; }
`;

/**
 * A permission diff as one self-contained HTML page (inline CSS and JS, no network): the
 * settings, role, permission, scope and test-outcome changes as small tables, then every scope
 * with grant changes as a matrix drawn over `layout`, showing only rows with changes by default.
 */
export function renderMatrixDiffHtml(
  diff: PolicyDiff,
  layout: MatrixDiffLayout,
  options: RenderMatrixOptions = {},
): string {
  const scopes = diffScopes(diff, layout);
  const roleIds = mergeOrder(
    layout.before.roles.map((role) => role.id),
    layout.after.roles.map((role) => role.id),
  );
  const roles = new Map([...byId(layout.before.roles), ...byId(layout.after.roles)]);
  const permissions = new Map([
    ...byId(layout.before.permissions),
    ...byId(layout.after.permissions),
  ]);
  const shownRoles = withExtra(
    roleIds,
    scopes.flatMap((scope) => scope.roles),
  );
  return renderPage({
    title: options.title ?? 'rolecall permission changes',
    style: CHANGES_STYLE,
    meta: html`${diff.before.label} → ${diff.after.label} ·
    ${countChanges(diff) === 0 ? 'no changes' : changeSummary(diff)}`,
    legend: html`<span
        ><span class="cell" style="background:var(--added-bg);color:var(--granted);font-weight:700"
          >+</span
        >
        now granted, or a revoke lifted (widened)</span
      >
      <span
        ><span
          class="cell"
          style="background:var(--removed-bg);color:var(--revoked);font-weight:700"
          >−</span
        >
        no longer granted (narrowed)</span
      >
      <span
        ><span
          class="cell"
          style="background:var(--removed-bg);color:var(--revoked);font-weight:700"
          >!</span
        >
        revoked by a call override (narrowed)</span
      >
      <span><span class="cell" style="color:#9ca3af">✓ · !</span> unchanged</span>`,
    groups: [
      {
        name: 'role',
        label: 'roles',
        options: shownRoles.map((role) => ({ value: role, label: role })),
      },
      {
        name: 'scope',
        label: 'scopes',
        options: scopes.map((scope) => ({ value: scope.id, label: scope.name })),
      },
    ],
    onlyEffectiveLabel: 'only rows with changes',
    onlyEffectiveDefault: true,
    body: html`${
      countChanges(diff) === 0
        ? html`<p class="origin" id="no-changes">No permission changes.</p>`
        : ''
    }${renderOtherChanges(diff)}${scopes.map((scope) =>
      renderDiffScope(scope, roles, permissions, options),
    )}`,
  });
}
