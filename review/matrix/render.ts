// Renders a matrix model as one static HTML page: a table of permissions × roles per scope,
// cells coloured by state and linked to the YAML line that wrote them.
import { Html, html, renderPage } from './html.js';
import type {
  CellState,
  MatrixCell,
  MatrixModel,
  MatrixPermission,
  MatrixRole,
  MatrixScope,
  MatrixSource,
} from './model.js';

export interface RenderMatrixOptions {
  /** Link target of a YAML position (e.g. `vscode://file/ABS:LINE:COL`); no links without it. */
  sourceHref?: (source: MatrixSource) => string;
  /** Page title; defaults to "rolecall permissions". */
  title?: string;
}

const CELL_SYMBOL: Record<CellState, string> = {
  granted: '✓',
  inherited: '✓',
  revoked: '!',
  none: '·',
};

export const CELL_MEANING: Record<CellState, string> = {
  granted: 'granted in this file',
  inherited: 'inherited (builtin default, or the call type for a call override)',
  revoked: 'revoked (!)',
  none: 'not granted',
};

export function formatSource(source: MatrixSource): string {
  return `${source.file}:${source.line}:${source.column}`;
}

/** `<a>` to the YAML line when there is a source and a link scheme, else a plain span. */
export function linkTo(
  source: MatrixSource | undefined,
  content: Html | string,
  options: RenderMatrixOptions,
  className = '',
): Html {
  if (source === undefined) return html`<span class="${className}">${content}</span>`;
  const title = formatSource(source);
  if (options.sourceHref === undefined) {
    return html`<span class="${className}" title="${title}">${content}</span>`;
  }
  return html`<a class="${className}" href="${options.sourceHref(source)}" title="${title}"
    >${content}</a
  >`;
}

function permissionBadges(permission: MatrixPermission): Html {
  return html`${permission.sameTeam ? html`<span class="badge team" title="same_team: subject and resource share a team">same team</span>` : ''}${permission.owner ? html`<span class="badge owner" title="owner: subject owns the resource">owner</span>` : ''}${permission.builtin ? '' : html`<span class="badge custom">custom</span>`}`;
}

/** Small superscripts in a cell for team-bound and owner-bound permissions. */
export function cellFlags(permission: MatrixPermission): Html {
  return html`${permission.sameTeam ? html`<sup class="flag team">T</sup>` : ''}${permission.owner ? html`<sup class="flag owner">O</sup>` : ''}`;
}

export function roleHeader(
  role: MatrixRole,
  options: RenderMatrixOptions,
  scopeRole?: MatrixSource,
): Html {
  const level =
    role.level === 'any'
      ? 'custom, any level'
      : role.builtin
        ? role.level
        : `custom, ${role.level}`;
  return html`<th data-role="${role.id}" title="${role.description}">
    ${linkTo(scopeRole ?? role.source, role.id, options)}<span class="level">${level}</span>
  </th>`;
}

export function permissionHeader(permission: MatrixPermission, options: RenderMatrixOptions): Html {
  const title = `${permission.name} — ${permission.description} (action ${permission.action}, ${permission.kind})`;
  return html`<th title="${title}">
    ${linkTo(permission.source, html`<code>${permission.id}</code>`, options)}${permissionBadges(permission)}
  </th>`;
}

export function searchText(permission: MatrixPermission): string {
  return `${permission.id} ${permission.name} ${permission.action}`.toLowerCase();
}

function describeCell(
  scope: MatrixScope,
  role: string,
  permission: MatrixPermission,
  cell: MatrixCell,
): string {
  const where = cell.source === undefined ? '' : ` at ${formatSource(cell.source)}`;
  const flags = [permission.sameTeam ? 'same team only' : '', permission.owner ? 'owner only' : '']
    .filter((flag) => flag !== '')
    .join(', ');
  return `${scope.name} · ${role} · ${permission.id}: ${CELL_MEANING[cell.state]}${where}${
    flags === '' ? '' : ` (${flags})`
  }${cell.note === undefined ? '' : ` — ${cell.note}`}`;
}

function renderCell(
  scope: MatrixScope,
  role: string,
  permission: MatrixPermission,
  cell: MatrixCell,
  options: RenderMatrixOptions,
): Html {
  const effective = cell.state === 'granted' || cell.state === 'inherited';
  const noEffect = cell.note?.includes('no effect') ?? false;
  const classes = [
    'cell',
    cell.state,
    cell.cleared === true ? 'cleared' : '',
    noEffect ? 'noeffect' : '',
  ]
    .filter((name) => name !== '')
    .join(' ');
  const symbol = cell.cleared === true ? '−' : CELL_SYMBOL[cell.state];
  const content = html`${symbol}${effective ? cellFlags(permission) : ''}`;
  return html`<td
    class="${classes}"
    data-role="${role}"
    data-permission="${permission.id}"
    data-state="${cell.state}"
    ${permission.sameTeam ? new Html(' data-team') : ''}${permission.owner ? new Html(' data-owner') : ''}${effective ? new Html(' data-effective') : ''}${cell.cleared === true ? new Html(' data-cleared') : ''}${cell.state !== 'none' || cell.cleared === true ? new Html(' data-mark') : ''}
    data-info="${describeCell(scope, role, permission, cell)}"
  >
    ${linkTo(cell.source, content, options)}
  </td>`;
}

function renderScope(model: MatrixModel, scope: MatrixScope, options: RenderMatrixOptions): Html {
  const roles = new Map(model.roles.map((role) => [role.id, role]));
  const permissions = new Map(model.permissions.map((permission) => [permission.id, permission]));
  const counts: Record<CellState, number> = { granted: 0, inherited: 0, revoked: 0, none: 0 };
  for (const row of Object.values(scope.cells)) {
    for (const cell of Object.values(row)) counts[cell.state] += 1;
  }
  const kindLabel =
    scope.kind === 'app' ? 'app scope' : scope.kind === 'call_type' ? 'call type' : 'call';
  const rows = scope.permissions.map((permissionId) => {
    const permission = permissions.get(permissionId);
    if (permission === undefined) return '';
    return html`<tr data-permission="${permissionId}" data-search="${searchText(permission)}">
      ${permissionHeader(permission, options)}${scope.roles.map((roleId) => {
        const cell = scope.cells[roleId]?.[permissionId] ?? { state: 'none' as const };
        return renderCell(scope, roleId, permission, cell, options);
      })}
    </tr> `;
  });
  return html`<section class="scope" data-scope="${scope.id}" data-kind="${scope.kind}">
    <h2>
      ${kindLabel}
      <code>${scope.name}</code
      >${scope.source === undefined ? '' : linkTo(scope.source, `${scope.source.file}:${scope.source.line}`, options, 'src')}
    </h2>
    <div class="origin">
      ${scope.origin} — ${counts.granted} granted here, ${counts.inherited} inherited,
      ${counts.revoked} revoked
    </div>
    <table>
      <thead>
        <tr>
          <th>permission</th>
          ${scope.roles.map((roleId) => {
            const role = roles.get(roleId);
            return role === undefined ? '' : roleHeader(role, options, scope.roleSources?.[roleId]);
          })}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section> `;
}

export function legend(): Html {
  return html`<span
      ><span class="cell" style="background:var(--granted-bg);color:var(--granted);font-weight:700"
        >✓</span
      >
      granted in this file</span
    >
    <span
      ><span class="cell" style="background:var(--inherited-bg);color:#4b7d4f">✓</span> inherited
      (builtin default; call type for a call)</span
    >
    <span
      ><span class="cell" style="background:var(--revoked-bg);color:var(--revoked);font-weight:700"
        >!</span
      >
      revoked</span
    >
    <span><span class="cell" style="color:#c4c8cf">·</span> not granted</span>
    <span
      ><span class="cell" style="color:var(--revoked)">−</span> default cleared by this file</span
    >
    <span><sup class="flag team">T</sup> same team only</span>
    <span><sup class="flag owner">O</sup> owner only</span>`;
}

function scopeLabel(scope: MatrixScope): string {
  return scope.kind === 'call' ? `call ${scope.name}` : scope.name;
}

/** The matrix as one self-contained HTML page (inline CSS and JS, no network). */
export function renderMatrixHtml(model: MatrixModel, options: RenderMatrixOptions = {}): string {
  const title = options.title ?? 'rolecall permissions';
  return renderPage({
    title,
    meta: html`${model.file} · revision ${model.revision.slice(0, 12)} · multi-tenant
    ${model.multiTenant ? 'on' : 'off (same_team always holds)'}`,
    legend: legend(),
    groups: [
      {
        name: 'role',
        label: 'roles',
        options: model.roles.map((role) => ({ value: role.id, label: role.id })),
      },
      {
        name: 'scope',
        label: 'scopes',
        options: model.scopes.map((scope) => ({ value: scope.id, label: scopeLabel(scope) })),
      },
    ],
    onlyEffectiveLabel: 'hide rows with nothing granted, revoked or cleared',
    onlyEffectiveDefault: false,
    body: html`${model.scopes.map((scope) => renderScope(model, scope, options))}`,
  });
}
