// Compares two matrix models cell by cell and renders the change as the same matrix view, so a
// reviewer of `rolecall diff` sees which role gained or lost which permission in which scope.
import { Html, html, renderPage } from './html.js';
import type { CellState, MatrixModel, MatrixPermission, MatrixRole, MatrixScope } from './model.js';
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
 * - `added`: the role holds the permission now and did not before (widened);
 * - `removed`: it held it before and does not now (narrowed);
 * - `changed`: same outcome, different state (e.g. a default now written in the file, a revoke
 *   of something not granted);
 * - `same`: nothing changed.
 */
export type CellChange = 'added' | 'removed' | 'changed' | 'same';

export interface MatrixDiffCell {
  /** Absent when the scope, role or permission did not exist on that side. */
  before?: CellState;
  after?: CellState;
  change: CellChange;
}

export interface MatrixDiffScope {
  id: string;
  kind: MatrixScope['kind'];
  name: string;
  /** `added` / `removed` when the whole scope is new or gone. */
  status: 'added' | 'removed' | 'kept';
  roles: string[];
  permissions: string[];
  cells: Record<string, Record<string, MatrixDiffCell>>;
}

export interface MatrixDiff {
  before: MatrixModel;
  after: MatrixModel;
  roles: MatrixRole[];
  permissions: MatrixPermission[];
  scopes: MatrixDiffScope[];
  counts: Record<CellChange, number>;
}

const holds = (state: CellState | undefined): boolean =>
  state === 'granted' || state === 'inherited';

function classify(before: CellState | undefined, after: CellState | undefined): CellChange {
  if (holds(before) !== holds(after)) return holds(after) ? 'added' : 'removed';
  return (before ?? 'none') === (after ?? 'none') ? 'same' : 'changed';
}

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

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

/** Cell-by-cell comparison of two matrices over the union of their scopes, roles and permissions. */
export function diffMatrix(before: MatrixModel, after: MatrixModel): MatrixDiff {
  const beforeScopes = byId(before.scopes);
  const afterScopes = byId(after.scopes);
  const scopeIds = mergeOrder(
    before.scopes.map((scope) => scope.id),
    after.scopes.map((scope) => scope.id),
  );
  const counts: Record<CellChange, number> = { added: 0, removed: 0, changed: 0, same: 0 };
  const scopes = scopeIds.map((id): MatrixDiffScope => {
    const old = beforeScopes.get(id);
    const now = afterScopes.get(id);
    const shape = now ?? old;
    if (shape === undefined) throw new Error(`scope ${id} on neither side`);
    const roles = mergeOrder(old?.roles ?? [], now?.roles ?? []);
    const permissions = mergeOrder(old?.permissions ?? [], now?.permissions ?? []);
    const cells: Record<string, Record<string, MatrixDiffCell>> = {};
    for (const role of roles) {
      const row: Record<string, MatrixDiffCell> = {};
      for (const permission of permissions) {
        const beforeState = old?.cells[role]?.[permission]?.state;
        const afterState = now?.cells[role]?.[permission]?.state;
        const change = classify(beforeState, afterState);
        counts[change] += 1;
        row[permission] = {
          ...(beforeState === undefined ? {} : { before: beforeState }),
          ...(afterState === undefined ? {} : { after: afterState }),
          change,
        };
      }
      cells[role] = row;
    }
    return {
      id,
      kind: shape.kind,
      name: shape.name,
      status: old === undefined ? 'added' : now === undefined ? 'removed' : 'kept',
      roles,
      permissions,
      cells,
    };
  });
  const beforeRoles = byId(before.roles);
  const afterRoles = byId(after.roles);
  const beforePermissions = byId(before.permissions);
  const afterPermissions = byId(after.permissions);
  const pick = <T>(id: string, now: Map<string, T>, old: Map<string, T>): T[] => {
    const item = now.get(id) ?? old.get(id);
    return item === undefined ? [] : [item];
  };
  return {
    before,
    after,
    roles: mergeOrder(
      before.roles.map((role) => role.id),
      after.roles.map((role) => role.id),
    ).flatMap((id) => pick(id, afterRoles, beforeRoles)),
    permissions: mergeOrder(
      before.permissions.map((permission) => permission.id),
      after.permissions.map((permission) => permission.id),
    ).flatMap((id) => pick(id, afterPermissions, beforePermissions)),
    scopes,
    counts,
  };
}

const CHANGE_SYMBOL: Record<CellChange, string> = {
  added: '+',
  removed: '−',
  changed: '~',
  same: '',
};

function sameSymbol(state: CellState | undefined): string {
  return holds(state) ? '✓' : state === 'revoked' ? '!' : '·';
}

function renderDiffScope(
  diff: MatrixDiff,
  scope: MatrixDiffScope,
  options: RenderMatrixOptions,
): Html {
  const roles = byId(diff.roles);
  const permissions = byId(diff.permissions);
  const afterScope = diff.after.scopes.find((candidate) => candidate.id === scope.id);
  const kindLabel =
    scope.kind === 'app' ? 'app scope' : scope.kind === 'call_type' ? 'call type' : 'call';
  const status = scope.status === 'kept' ? '' : ` (${scope.status})`;
  const rows = scope.permissions.map((permissionId) => {
    const permission = permissions.get(permissionId);
    if (permission === undefined) return '';
    return html`<tr data-permission="${permissionId}" data-search="${searchText(permission)}">
      ${permissionHeader(permission, options)}${scope.roles.map((roleId) => {
        const cell = scope.cells[roleId]?.[permissionId] ?? { change: 'same' as const };
        const source = afterScope?.cells[roleId]?.[permissionId]?.source;
        const info = `${scope.name} · ${roleId} · ${permissionId}: ${cell.change} — before: ${
          cell.before === undefined ? 'absent' : CELL_MEANING[cell.before]
        }; after: ${cell.after === undefined ? 'absent' : CELL_MEANING[cell.after]}${
          source === undefined ? '' : ` at ${formatSource(source)}`
        }`;
        const symbol = cell.change === 'same' ? sameSymbol(cell.after) : CHANGE_SYMBOL[cell.change];
        const content = html`${symbol}${holds(cell.after) ? cellFlags(permission) : ''}`;
        return html`<td
          class="cell ${cell.change}"
          data-role="${roleId}"
          data-permission="${permissionId}"
          data-change="${cell.change}"
          data-before="${cell.before ?? 'absent'}"
          data-after="${cell.after ?? 'absent'}"
          ${cell.change === 'same' ? '' : new Html(' data-mark')}
          data-info="${info}"
        >
          ${linkTo(source, content, options)}
        </td>`;
      })}
    </tr> `;
  });
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const row of Object.values(scope.cells)) {
    for (const cell of Object.values(row)) if (cell.change !== 'same') counts[cell.change] += 1;
  }
  return html`<section
    class="scope"
    data-scope="${scope.id}"
    data-kind="${scope.kind}"
    data-status="${scope.status}"
  >
    <h2>${kindLabel} <code>${scope.name}</code>${status}</h2>
    <div class="origin">
      ${counts.added} added, ${counts.removed} removed, ${counts.changed} changed without effect on
      access
    </div>
    <table>
      <thead>
        <tr>
          <th>permission</th>
          ${scope.roles.map((roleId) => {
            const role = roles.get(roleId);
            return role === undefined ? '' : roleHeader(role, options);
          })}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section> `;
}

/** The change between two matrices as one self-contained HTML page (only changed rows by default). */
export function renderMatrixDiffHtml(
  before: MatrixModel,
  after: MatrixModel,
  options: RenderMatrixOptions = {},
): string {
  const diff = diffMatrix(before, after);
  return renderPage({
    title: options.title ?? 'rolecall permission changes',
    meta: html`${before.file} → ${after.file} · ${diff.counts.added} added, ${diff.counts.removed}
    removed, ${diff.counts.changed} changed`,
    legend: html`<span
        ><span class="cell" style="background:var(--added-bg);color:var(--granted);font-weight:700"
          >+</span
        >
        now granted (widened)</span
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
        ><span class="cell" style="background:var(--changed-bg);color:#92400e">~</span> state
        changed, same access</span
      >
      <span><span class="cell" style="color:#9ca3af">✓ · !</span> unchanged</span>`,
    groups: [
      {
        name: 'role',
        label: 'roles',
        options: diff.roles.map((role) => ({ value: role.id, label: role.id })),
      },
      {
        name: 'scope',
        label: 'scopes',
        options: diff.scopes.map((scope) => ({ value: scope.id, label: scope.name })),
      },
    ],
    onlyEffectiveLabel: 'only rows with changes',
    onlyEffectiveDefault: true,
    body: html`${
      diff.counts.added + diff.counts.removed + diff.counts.changed === 0
        ? html`<p class="origin" id="no-changes">No permission changes.</p>`
        : ''
    }${diff.scopes.map((scope) => renderDiffScope(diff, scope, options))}`,
  });
}
