// The builtin catalog, roles and default grants shipped in policies/, as the records the resolver
// and the matrix copy from (validate/catalog.ts declares their types and the validator's Maps).
import catalogJson from '../../policies/catalog.json' with { type: 'json' };
import defaultsJson from '../../policies/defaults.json' with { type: 'json' };
import rolesJson from '../../policies/roles.json' with { type: 'json' };
import type { GrantsMap } from '../types.js';
import type { CatalogAction, CatalogPermission, RoleLevel } from '../validate/catalog.js';

export const builtinActions = catalogJson.actions as Record<string, CatalogAction>;
export const builtinPermissions = catalogJson.permissions as CatalogPermission[];
export const builtinRoles = rolesJson.roles as Record<
  string,
  { level: RoleLevel; description: string }
>;

/** Default grants of `.app` and of each builtin call type. */
export const builtinDefaults = defaultsJson as {
  app: GrantsMap;
  call_types: Record<string, GrantsMap>;
};

/** The builtin defaults of a scope: `.app` for 'app', a call type's (empty for custom types). */
export function defaultScopeGrants(scope: { kind: 'app' } | { kind: 'call_type'; name: string }) {
  if (scope.kind === 'app') return builtinDefaults.app;
  return Object.hasOwn(builtinDefaults.call_types, scope.name)
    ? (builtinDefaults.call_types[scope.name] ?? {})
    : {};
}
