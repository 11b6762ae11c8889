// Builds the permissions matrix model (roles × permissions for every scope) from a resolved policy
// and the grants spec it came from. Pure: no file system, no clock; the HTML renderers read this.
import {
  builtinActions,
  builtinDefaults,
  builtinRoles,
  defaultScopeGrants,
} from '../../compiler/resolve/catalog.js';
import type {
  GrantsMap,
  GrantsSpec,
  ResolvedPolicy,
  SourceRef,
  SpanLocator,
} from '../../compiler/types.js';
import { compareCodeUnits } from '../../compiler/compare-code-units.js';

/**
 * What a scope says about one role and one permission:
 * - `granted`: granted by this grants file in this scope (a patch list or an override's bare id);
 * - `inherited`: granted, but not by this scope of the file — a builtin default, or (in a call
 *   override) the call type's grants;
 * - `revoked`: removed by a `!id` modifier of a call override;
 * - `none`: not granted.
 */
export type CellState = 'granted' | 'inherited' | 'revoked' | 'none';

export interface MatrixSource {
  file: string;
  line: number;
  column: number;
}

export interface MatrixCell {
  state: CellState;
  /** Where the grant or revoke is written (for `inherited` in an override: the call type's line). */
  source?: MatrixSource;
  /** One short sentence for a reviewer, e.g. "cleared: the builtin default grants it". */
  note?: string;
  /** `none` cells whose builtin default grants the permission but this file's patch dropped it. */
  cleared?: boolean;
}

export type ScopeKind = 'app' | 'call_type' | 'call';

export interface MatrixScope {
  /** `.app`, `call_type:<type>` or `call:<type>:<id>`; stable, used in the HTML as data-scope. */
  id: string;
  kind: ScopeKind;
  /** `.app`, the call type name, or the `type:id` key of the call. */
  name: string;
  /** How this scope came to be, e.g. "builtin call type, patched by this file". */
  origin: string;
  source?: MatrixSource;
  /** Role ids that have a row in this scope, in display order. */
  roles: string[];
  /** Permission ids that have a column in this scope (the scope's level), in display order. */
  permissions: string[];
  /** role → permission → cell, dense over `roles` × `permissions`. */
  cells: Record<string, Record<string, MatrixCell>>;
  /** Where this scope's list of a role is written (its key in the YAML), for roles it names. */
  roleSources?: Record<string, MatrixSource>;
}

export interface MatrixRole {
  id: string;
  level: 'user' | 'call' | 'any';
  builtin: boolean;
  description: string;
  source?: MatrixSource;
}

export interface MatrixPermission {
  id: string;
  name: string;
  description: string;
  action: string;
  level: 'app' | 'call';
  kind: 'read' | 'write';
  owner: boolean;
  sameTeam: boolean;
  builtin: boolean;
  source?: MatrixSource;
}

export interface MatrixModel {
  /** The grants file as the user named it (shown next to line numbers). */
  file: string;
  revision: string;
  multiTenant: boolean;
  roles: MatrixRole[];
  permissions: MatrixPermission[];
  scopes: MatrixScope[];
}

export interface BuildMatrixOptions {
  /** The grants file's name as shown to the user. */
  file: string;
  /** Locates map keys of the spec (role keys, call type keys…) to link headers; optional. */
  locateKey?: SpanLocator;
}

const BUILTIN_ROLE_ORDER = Object.keys(builtinRoles);
const ACTION_ORDER = Object.keys(builtinActions);

/** "file:line:col" → its parts; the file part may itself contain colons. */
export function parseSourceRef(ref: SourceRef | undefined): MatrixSource | undefined {
  if (ref === undefined) return undefined;
  const match = /^(.*):(\d+):(\d+)$/.exec(ref);
  if (match === null) return undefined;
  const [, file = '', line = '0', column = '0'] = match;
  return { file, line: Number(line), column: Number(column) };
}

function spanToSource(
  locate: SpanLocator | undefined,
  path: readonly (string | number)[],
): MatrixSource | undefined {
  const span = locate?.(path);
  return span === undefined ? undefined : { file: span.file, line: span.line, column: span.column };
}

function withSource<T extends object>(value: T, source: MatrixSource | undefined): T {
  return source === undefined ? value : { ...value, source };
}

function orderRoles(policy: ResolvedPolicy, options: BuildMatrixOptions): MatrixRole[] {
  const rank = (id: string): number => {
    const index = BUILTIN_ROLE_ORDER.indexOf(id);
    return index === -1 ? BUILTIN_ROLE_ORDER.length : index;
  };
  return Object.entries(policy.roles)
    .sort(([a], [b]) => rank(a) - rank(b) || compareCodeUnits(a, b))
    .map(([id, role]) =>
      withSource(
        { id, level: role.level, builtin: role.builtin, description: role.description },
        role.builtin ? undefined : spanToSource(options.locateKey, ['roles', id]),
      ),
    );
}

function orderPermissions(
  policy: ResolvedPolicy,
  spec: GrantsSpec,
  options: BuildMatrixOptions,
): MatrixPermission[] {
  const customIndex = new Map((spec.permissions ?? []).map((permission, i) => [permission.id, i]));
  const actionRank = (action: string): number => {
    const index = ACTION_ORDER.indexOf(action);
    return index === -1 ? ACTION_ORDER.length : index;
  };
  const permissions = Object.entries(policy.permissions).map(([id, permission]) => {
    const action = policy.actions[permission.action];
    const index = customIndex.get(id);
    return withSource(
      {
        id,
        name: permission.name,
        description: permission.description,
        action: permission.action,
        level: action?.level ?? 'call',
        kind: action?.kind ?? 'write',
        owner: permission.owner,
        sameTeam: permission.same_team,
        builtin: permission.builtin,
      },
      index === undefined
        ? undefined
        : spanToSource(options.locateKey, ['permissions', index, 'id']),
    );
  });
  // Group by action in catalog order, the plain permission of an action first.
  const isPlain = (permission: MatrixPermission): number =>
    policy.actions[permission.action]?.permission === permission.id ? 0 : 1;
  return permissions.sort(
    (a, b) =>
      actionRank(a.action) - actionRank(b.action) ||
      isPlain(a) - isPlain(b) ||
      compareCodeUnits(a.id, b.id),
  );
}

interface PatchScopeInput {
  id: string;
  kind: 'app' | 'call_type';
  name: string;
  origin: string;
  source: MatrixSource | undefined;
  roles: string[];
  permissions: string[];
  resolved: GrantsMap;
  sources: Record<string, Record<string, SourceRef>>;
  /** Roles whose list this file wrote in this scope (their grants replace the defaults). */
  patchedRoles: ReadonlySet<string>;
  defaults: GrantsMap | undefined;
  /** Path of the scope's grants map in the spec, to locate each role's list. */
  grantsPath: readonly string[];
  locateKey: SpanLocator | undefined;
}

/** Key positions of the role lists a grants map of the spec names. */
function locateRoleLists(
  locateKey: SpanLocator | undefined,
  grantsPath: readonly string[],
  roles: Iterable<string>,
): Record<string, MatrixSource> | undefined {
  const found: Record<string, MatrixSource> = {};
  for (const role of roles) {
    const source = spanToSource(locateKey, [...grantsPath, role]);
    if (source !== undefined) found[role] = source;
  }
  return Object.keys(found).length === 0 ? undefined : found;
}

function buildPatchScope(input: PatchScopeInput): MatrixScope {
  const cells: Record<string, Record<string, MatrixCell>> = {};
  for (const role of input.roles) {
    const granted = new Set(input.resolved[role] ?? []);
    const byDefault = new Set(input.defaults?.[role] ?? []);
    const patched = input.patchedRoles.has(role);
    const row: Record<string, MatrixCell> = {};
    for (const permission of input.permissions) {
      const source = parseSourceRef(input.sources[role]?.[permission]);
      if (granted.has(permission)) {
        row[permission] = patched
          ? withSource({ state: 'granted' }, source)
          : { state: 'inherited', note: 'builtin default' };
      } else if (patched && byDefault.has(permission)) {
        row[permission] = {
          state: 'none',
          cleared: true,
          note: 'cleared: the builtin default grants it, this file does not',
        };
      } else {
        row[permission] = { state: 'none' };
      }
    }
    cells[role] = row;
  }
  const roleSources = locateRoleLists(input.locateKey, input.grantsPath, input.roles);
  return withSource(
    {
      id: input.id,
      kind: input.kind,
      name: input.name,
      origin: input.origin,
      roles: input.roles,
      permissions: input.permissions,
      cells,
      ...(roleSources === undefined ? {} : { roleSources }),
    },
    input.source,
  );
}

/** Roles named in a patch scope of the spec; `null` or an absent map names none. */
function namedRoles(grants: GrantsMap | null | undefined): Set<string> {
  return new Set(grants === null || grants === undefined ? [] : Object.keys(grants));
}

function buildOverrideScope(
  key: string,
  policy: ResolvedPolicy,
  typeScope: MatrixScope | undefined,
  roles: string[],
  permissions: string[],
  options: BuildMatrixOptions,
): MatrixScope {
  const modifiers = policy.call_overrides[key] ?? {};
  const sources = policy.sources.call_overrides[key] ?? {};
  const cells: Record<string, Record<string, MatrixCell>> = {};
  for (const role of roles) {
    const list = modifiers[role] ?? [];
    const row: Record<string, MatrixCell> = {};
    for (const permission of permissions) {
      const fromType = typeScope?.cells[role]?.[permission];
      const typeGrants = fromType?.state === 'granted' || fromType?.state === 'inherited';
      const source = parseSourceRef(sources[role]?.[permission]);
      if (list.includes(`!${permission}`)) {
        row[permission] = withSource(
          typeGrants
            ? { state: 'revoked' }
            : { state: 'revoked', note: 'no effect: the call type does not grant it' },
          source,
        );
      } else if (list.includes(permission)) {
        row[permission] = withSource(
          typeGrants
            ? { state: 'granted', note: 'the call type already grants it' }
            : { state: 'granted' },
          source,
        );
      } else if (typeGrants) {
        row[permission] = withSource(
          { state: 'inherited', note: 'from the call type' },
          fromType.source,
        );
      } else {
        row[permission] = { state: 'none' };
      }
    }
    cells[role] = row;
  }
  const [callType = ''] = key.split(':');
  const roleSources = locateRoleLists(
    options.locateKey,
    ['calls', key, 'config_overrides', 'grants'],
    Object.keys(modifiers),
  );
  return withSource(
    {
      id: `call:${key}`,
      kind: 'call',
      name: key,
      origin: `call override of ${callType}`,
      roles,
      permissions,
      cells,
      ...(roleSources === undefined ? {} : { roleSources }),
    },
    spanToSource(options.locateKey, ['calls', key]),
  );
}

/** The engine denies every write action to `anonymous` whatever it holds (DESIGN §4 rule 5). */
function markAnonymousWrites(scopes: MatrixScope[], permissions: MatrixPermission[]): void {
  const writes = new Set(permissions.filter((p) => p.kind === 'write').map((p) => p.id));
  for (const scope of scopes) {
    const row = scope.cells['anonymous'];
    if (row === undefined) continue;
    for (const [permission, cell] of Object.entries(row)) {
      if (!writes.has(permission) || (cell.state !== 'granted' && cell.state !== 'inherited')) {
        continue;
      }
      const note = 'no effect: anonymous never performs a write action';
      cell.note = cell.note === undefined ? note : `${cell.note}; ${note}`;
    }
  }
}

/**
 * Roles whose resolved grants differ from the builtin defaults: what a policy without its spec
 * (e.g. a running server's live grants) is known to have changed.
 */
function rolesChangedFromDefaults(
  resolved: GrantsMap,
  defaults: GrantsMap,
  roles: readonly string[],
): Set<string> {
  const same = (left: readonly string[] = [], right: readonly string[] = []): boolean => {
    if (left.length !== right.length) return false;
    const sortedRight = [...right].sort();
    return [...left].sort().every((id, index) => id === sortedRight[index]);
  };
  return new Set(roles.filter((role) => !same(resolved[role], defaults[role])));
}

function patchOrigin(
  kind: 'app' | 'builtin type',
  grants: GrantsMap | null | undefined,
  changed: number | undefined,
): string {
  const base = kind === 'app' ? 'builtin defaults' : 'builtin call type';
  if (changed !== undefined) {
    return changed === 0
      ? `${base}, builtin defaults`
      : `${base}, ${changed.toString()} roles changed from the defaults`;
  }
  if (grants === null) return `${base}, reset to the defaults by grants: null`;
  return grants === undefined ? `${base}, builtin defaults` : `${base}, patched by this file`;
}

/**
 * Builds the matrix model: one scope for `.app`, each call type and each call override. With the
 * spec, "granted in this file" means the file names the role in that scope; without it (a live
 * policy), it means the role's grants there differ from the builtin defaults.
 */
export function buildMatrix(
  policy: ResolvedPolicy,
  spec: GrantsSpec | undefined,
  options: BuildMatrixOptions,
): MatrixModel {
  const roles = orderRoles(policy, options);
  const permissions = orderPermissions(policy, spec ?? { version: 1 }, options);
  const appPermissions = permissions.filter((p) => p.level === 'app').map((p) => p.id);
  const callPermissions = permissions.filter((p) => p.level === 'call').map((p) => p.id);
  // `.app` is where the user role's grants live, so call-level builtin roles have no row there;
  // call scopes count both the user role and the call role of a subject, so every role has one.
  const appRoles = roles.filter((role) => role.level !== 'call').map((role) => role.id);
  const callRoles = roles.map((role) => role.id);

  const appGrants = spec?.app?.grants;
  const appChanged =
    spec === undefined
      ? rolesChangedFromDefaults(policy.app_grants, builtinDefaults.app, appRoles)
      : namedRoles(appGrants);
  const scopes: MatrixScope[] = [
    buildPatchScope({
      id: '.app',
      kind: 'app',
      name: '.app',
      origin: patchOrigin('app', appGrants, spec === undefined ? appChanged.size : undefined),
      source: spanToSource(options.locateKey, ['app', 'grants']),
      roles: appRoles,
      permissions: appPermissions,
      resolved: policy.app_grants,
      sources: policy.sources.app,
      patchedRoles: appChanged,
      defaults: builtinDefaults.app,
      grantsPath: ['app', 'grants'],
      locateKey: options.locateKey,
    }),
  ];

  const builtinTypes = Object.keys(builtinDefaults.call_types);
  const typeNames = Object.keys(policy.call_types).sort((a, b) => {
    const rank = (name: string): number => {
      const index = builtinTypes.indexOf(name);
      return index === -1 ? builtinTypes.length : index;
    };
    return rank(a) - rank(b) || compareCodeUnits(a, b);
  });
  const typeScopes = new Map<string, MatrixScope>();
  for (const typeName of typeNames) {
    const builtin = builtinTypes.includes(typeName);
    const grants = spec?.call_types?.[typeName]?.grants;
    const typeDefaults = defaultScopeGrants({ kind: 'call_type', name: typeName });
    const resolved = policy.call_types[typeName] ?? {};
    // A custom call type has no defaults: every grant it has is written in this file.
    const changed = !builtin
      ? new Set(callRoles)
      : spec === undefined
        ? rolesChangedFromDefaults(resolved, typeDefaults, callRoles)
        : namedRoles(grants);
    const origin = builtin
      ? patchOrigin('builtin type', grants, spec === undefined ? changed.size : undefined)
      : 'custom call type (no builtin defaults)';
    const scope = buildPatchScope({
      id: `call_type:${typeName}`,
      kind: 'call_type',
      name: typeName,
      origin,
      source: spanToSource(options.locateKey, ['call_types', typeName]),
      roles: callRoles,
      permissions: callPermissions,
      resolved,
      sources: policy.sources.call_types[typeName] ?? {},
      patchedRoles: changed,
      defaults: builtin ? typeDefaults : undefined,
      grantsPath: ['call_types', typeName, 'grants'],
      locateKey: options.locateKey,
    });
    typeScopes.set(typeName, scope);
    scopes.push(scope);
  }

  for (const key of Object.keys(policy.call_overrides).sort()) {
    const [callType = ''] = key.split(':');
    scopes.push(
      buildOverrideScope(
        key,
        policy,
        typeScopes.get(callType),
        callRoles,
        callPermissions,
        options,
      ),
    );
  }

  markAnonymousWrites(scopes, permissions);
  return {
    file: options.file,
    revision: policy.revision,
    multiTenant: policy.settings.multi_tenant_enabled,
    roles,
    permissions,
    scopes,
  };
}
