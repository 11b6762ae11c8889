// Second pass of validation, on a spec the schema accepted: the rules of DESIGN §2 that need the
// catalog (names exist, levels fit the scope, modifiers only in call overrides), each reported
// at the list item or key that breaks it.
import { isUserLevel } from '../../core/policy.js';
import { diagnosticAt } from '../diagnostics/codes.js';
import type { Diagnostic, GrantsMap, GrantsSpec, SourceSpan, SpecPath } from '../types.js';
import { builtinCatalog, type RoleLevel, type ScopeLevel } from './catalog.js';
import type { Locator } from './locate.js';
import { labelOf } from './schema-check.js';
import { didYouMean } from './suggest.js';

/**
 * Actions decided on the app or on a query, never on an owned call or user: an `owner`
 * condition on them never holds (the engine grants no query for it either).
 */
const OWNERLESS_ACTIONS: ReadonlySet<string> = new Set(['SearchUser', 'QueryCalls', 'CreateUser']);

/** Which grants a list is: a scope patch (app or call type) or a call's modifiers. */
type GrantsKind = 'app' | 'call_type' | 'override';

interface KnownPermission {
  level: ScopeLevel | undefined;
  write: boolean;
}

interface Names {
  /** Role name → the level it is restricted to, `any` for unrestricted custom roles. */
  roles: Map<string, RoleLevel | 'any'>;
  permissions: Map<string, KnownPermission>;
  callTypes: Set<string>;
}

export function checkSemantics(spec: GrantsSpec, locator: Locator, source: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const names = collectNames(spec, locator, diagnostics);

  const app = spec.app?.grants;
  if (app) checkGrants(app, 'app', ['app', 'grants'], names, locator, diagnostics);
  for (const [callType, definition] of Object.entries(spec.call_types ?? {})) {
    const grants = definition.grants;
    const path = ['call_types', callType, 'grants'];
    if (grants) checkGrants(grants, 'call_type', path, names, locator, diagnostics);
  }
  for (const [callKey, call] of Object.entries(spec.calls ?? {})) {
    const callType = callKey.slice(0, callKey.indexOf(':'));
    if (!names.callTypes.has(callType)) {
      diagnostics.push(
        diagnosticAt(
          callTypeSpan(locator.key(['calls', callKey]), callType, source),
          'UNKNOWN_CALL_TYPE',
          `unknown call type "${callType}" in call key "${callKey}"`,
          didYouMean(callType, names.callTypes) ??
            `declare it under call_types, or use a builtin type: ${builtinCatalog.callTypes.join(', ')}`,
        ),
      );
    }
    const grants = call.config_overrides?.grants;
    const path = ['calls', callKey, 'config_overrides', 'grants'];
    if (grants) checkGrants(grants, 'override', path, names, locator, diagnostics);
  }
  return diagnostics;
}

/** Builtin plus custom names; reports custom declarations that clash or name unknown actions. */
function collectNames(spec: GrantsSpec, locator: Locator, diagnostics: Diagnostic[]): Names {
  const roles = new Map<string, RoleLevel | 'any'>();
  for (const [name, role] of builtinCatalog.roles) roles.set(name, role.level);
  for (const [name, role] of Object.entries(spec.roles ?? {})) {
    if (builtinCatalog.roles.has(name)) {
      diagnostics.push(
        diagnosticAt(
          locator.key(['roles', name]),
          'BUILTIN_REDEFINED',
          `"${name}" is a builtin role and cannot be redefined`,
          'grant permissions to the builtin role in grants directly, or give the custom role another name',
        ),
      );
      continue;
    }
    roles.set(name, role.level ?? 'any');
  }

  const permissions = new Map<string, KnownPermission>();
  for (const [id, permission] of builtinCatalog.permissions) {
    const action = builtinCatalog.actions.get(permission.action);
    permissions.set(id, { level: action?.level, write: action?.kind === 'write' });
  }
  const actionNames = [...builtinCatalog.actions.keys()];
  const firstCustom = new Map<string, SourceSpan>();
  (spec.permissions ?? []).forEach((permission, index) => {
    const idSpan = locator.value(['permissions', index, 'id']);
    if (builtinCatalog.permissions.has(permission.id)) {
      diagnostics.push(
        diagnosticAt(
          idSpan,
          'BUILTIN_REDEFINED',
          `"${permission.id}" is a builtin permission and cannot be redefined`,
          'custom permissions add to the catalog: give this one a new id, e.g. with a suffix such as -same-team',
        ),
      );
      return;
    }
    const first = firstCustom.get(permission.id);
    if (first !== undefined) {
      diagnostics.push(
        diagnosticAt(
          idSpan,
          'DUPLICATE_PERMISSION',
          `custom permission "${permission.id}" is declared twice`,
          `first declared at line ${first.line}; remove one of them`,
        ),
      );
      return;
    }
    firstCustom.set(permission.id, idSpan);
    const action = builtinCatalog.actions.get(permission.action);
    if (action === undefined) {
      const asPermission = builtinCatalog.permissions.get(permission.action);
      diagnostics.push(
        diagnosticAt(
          locator.value(['permissions', index, 'action']),
          'UNKNOWN_ACTION',
          `unknown action "${permission.action}"`,
          asPermission === undefined
            ? didYouMean(permission.action, actionNames)
            : `"${permission.action}" is a permission id; its action is "${asPermission.action}"`,
        ),
      );
    }
    if (permission.owner === true && OWNERLESS_ACTIONS.has(permission.action)) {
      diagnostics.push(
        diagnosticAt(
          locator.value(['permissions', index, 'owner']),
          'OWNER_NEVER_HOLDS',
          `${permission.action} acts on no owned resource, so an owner permission of it never allows anything`,
          "remove `owner: true`, or use `same_team: true` to keep the permission inside the subject's teams",
        ),
      );
    }
    permissions.set(permission.id, { level: action?.level, write: action?.kind === 'write' });
  });

  const callTypes = new Set([...builtinCatalog.callTypes, ...Object.keys(spec.call_types ?? {})]);
  return { roles, permissions, callTypes };
}

function checkGrants(
  grants: GrantsMap,
  kind: GrantsKind,
  basePath: SpecPath,
  names: Names,
  locator: Locator,
  diagnostics: Diagnostic[],
): void {
  const scopeLabel = labelOf(basePath);
  for (const [role, entries] of Object.entries(grants)) {
    const rolePath = [...basePath, role];
    const roleLevel = names.roles.get(role);
    if (roleLevel === undefined) {
      diagnostics.push(
        diagnosticAt(
          locator.key(rolePath),
          'UNKNOWN_ROLE',
          `unknown role "${role}"`,
          didYouMean(role, names.roles.keys()) ??
            (names.permissions.has(role)
              ? `"${role}" is a permission; grants map a role to a list of permissions`
              : `declare it under roles: (custom roles need only a name)`),
        ),
      );
    } else if (kind === 'app' && !isUserLevel(roleLevel)) {
      const builtin = builtinCatalog.roles.has(role)
        ? 'builtin call-level role'
        : 'role declared with level: call';
      diagnostics.push(
        diagnosticAt(
          locator.key(rolePath),
          'ROLE_LEVEL_MISMATCH',
          `"${role}" is a ${builtin} and cannot hold grants in app.grants`,
          'give call-level roles their grants under call_types.<type>.grants',
        ),
      );
    }
    if (kind === 'override' && entries.length === 0) {
      diagnostics.push(
        diagnosticAt(
          locator.value(rolePath),
          'EMPTY_OVERRIDE',
          `the override list of "${role}" is empty and changes nothing`,
          'overrides are modifiers: list "id" to grant or "!id" to revoke; to clear a role for a whole call type use [] in call_types',
        ),
      );
    }
    checkEntries(role, entries, kind, rolePath, scopeLabel, names, locator, diagnostics);
  }
}

function checkEntries(
  role: string,
  entries: readonly string[],
  kind: GrantsKind,
  rolePath: SpecPath,
  scopeLabel: string,
  names: Names,
  locator: Locator,
  diagnostics: Diagnostic[],
): void {
  const seenEntries = new Map<string, SourceSpan>();
  // permission id → how the list last modified it, for "granted and revoked in one list".
  const modifiers = new Map<string, { revoke: boolean; span: SourceSpan }>();
  const reportedConflicts = new Set<string>();
  entries.forEach((entry, index) => {
    const span = locator.value([...rolePath, index]);
    const earlier = seenEntries.get(entry);
    if (earlier !== undefined) {
      diagnostics.push(
        diagnosticAt(
          span,
          'DUPLICATE_GRANT',
          `"${entry}" is listed twice for "${role}"`,
          `first listed at line ${earlier.line}, column ${earlier.column}; remove this one`,
        ),
      );
      return;
    }
    seenEntries.set(entry, span);

    const revoke = entry.startsWith('!');
    const id = revoke ? entry.slice(1) : entry;
    if (revoke && kind !== 'override') {
      diagnostics.push(
        diagnosticAt(
          span,
          'MODIFIER_NOT_ALLOWED',
          `"${entry}" is a revoke; "!" is allowed only in calls.<type:id>.config_overrides.grants`,
          `a scope patch replaces the role's list: leave "${id}" out of it to withhold it`,
        ),
      );
      return;
    }
    const permission = names.permissions.get(id);
    if (permission === undefined) {
      const action = builtinCatalog.actions.get(id);
      diagnostics.push(
        diagnosticAt(
          span,
          'UNKNOWN_PERMISSION',
          `unknown permission "${id}"`,
          action === undefined
            ? (didYouMean(id, names.permissions.keys()) ??
                'declare it under permissions:, or see docs/catalog.md for the builtin ids')
            : `"${id}" is an action; grant its permission "${action.permission}"`,
        ),
      );
      return;
    }
    if (kind === 'app' && permission.level === 'call') {
      diagnostics.push(
        diagnosticAt(
          span,
          'PERMISSION_LEVEL_MISMATCH',
          `"${id}" is a call-level permission and never takes effect in ${scopeLabel}`,
          'grant it under call_types.<type>.grants',
        ),
      );
    } else if (kind !== 'app' && permission.level === 'app') {
      diagnostics.push(
        diagnosticAt(
          span,
          'PERMISSION_LEVEL_MISMATCH',
          `"${id}" is an app-level permission and never takes effect in ${scopeLabel}`,
          'grant it under app.grants',
        ),
      );
    }
    if (role === 'anonymous' && permission.write && !revoke) {
      diagnostics.push(
        diagnosticAt(
          span,
          'ANONYMOUS_WRITE',
          `"${id}" is a write permission; role "anonymous" never performs write actions`,
          'remove it, or grant it to "guest" or "user"',
        ),
      );
    }
    const previous = modifiers.get(id);
    if (previous !== undefined && previous.revoke !== revoke && !reportedConflicts.has(id)) {
      reportedConflicts.add(id);
      diagnostics.push(
        diagnosticAt(
          span,
          'CONFLICTING_MODIFIER',
          `"${id}" is both granted and revoked for "${role}" in this call`,
          `the other modifier is at line ${previous.span.line}, column ${previous.span.column}; keep one of them`,
        ),
      );
    }
    modifiers.set(id, { revoke, span });
  });
}

/** Span of the `<call_type>` part of a call key, inside the key's quotes if it has them. */
function callTypeSpan(keySpan: SourceSpan, callType: string, source: string): SourceSpan {
  const lineStart = lineOffset(source, keySpan.line);
  if (lineStart === undefined) return keySpan;
  let start = lineStart + keySpan.column - 1;
  const quote = source[start];
  if (quote === '"' || quote === "'") start += 1;
  if (source.slice(start, start + callType.length) !== callType) return keySpan;
  const column = start - lineStart + 1;
  return { ...keySpan, column, endLine: keySpan.line, endColumn: column + callType.length };
}

function lineOffset(source: string, line: number): number | undefined {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = source.indexOf('\n', offset);
    if (next === -1) return undefined;
    offset = next + 1;
  }
  return offset;
}
