// The builtin catalog, roles and default grants shipped in policies/, typed for the resolver.
import catalogJson from '../../policies/catalog.json' with { type: 'json' };
import defaultsJson from '../../policies/defaults.json' with { type: 'json' };
import rolesJson from '../../policies/roles.json' with { type: 'json' };
import type { GrantsMap, ResolvedPolicy } from '../types.js';

export type ActionInfo = ResolvedPolicy['actions'][string];

export interface CatalogPermission {
  id: string;
  name: string;
  description: string;
  action: string;
  owner: boolean;
  same_team: boolean;
}

export interface BuiltinRole {
  level: 'user' | 'call';
  description: string;
}

export const builtinActions = catalogJson.actions as Record<string, ActionInfo>;
export const builtinPermissions = catalogJson.permissions as CatalogPermission[];
export const builtinRoles = rolesJson.roles as Record<string, BuiltinRole>;

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
