// The builtin catalog as the validator needs it: actions, permissions, roles and call types read
// from policies/*.json, as Maps so that names like "constructor" never hit Object.prototype.
import catalogJson from '../../policies/catalog.json' with { type: 'json' };
import defaultsJson from '../../policies/defaults.json' with { type: 'json' };
import rolesJson from '../../policies/roles.json' with { type: 'json' };

export type ScopeLevel = 'app' | 'call';
export type RoleLevel = 'user' | 'call';

export interface CatalogAction {
  level: ScopeLevel;
  kind: 'read' | 'write';
  permission: string;
}

export interface CatalogPermission {
  id: string;
  name: string;
  description: string;
  action: string;
  owner: boolean;
  same_team: boolean;
}

export interface BuiltinCatalog {
  actions: ReadonlyMap<string, CatalogAction>;
  permissions: ReadonlyMap<string, CatalogPermission>;
  roles: ReadonlyMap<string, { level: RoleLevel; description: string }>;
  /** Builtin call types, in the order of policies/defaults.json. */
  callTypes: readonly string[];
  /** Default grants: `.app` and each builtin call type, role → permission ids. */
  defaults: {
    app: Readonly<Record<string, readonly string[]>>;
    callTypes: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  };
}

export const builtinCatalog: BuiltinCatalog = {
  actions: new Map(
    Object.entries(catalogJson.actions).map(([name, action]) => [
      name,
      {
        level: action.level as ScopeLevel,
        kind: action.kind as 'read' | 'write',
        permission: action.permission,
      },
    ]),
  ),
  permissions: new Map(catalogJson.permissions.map((permission) => [permission.id, permission])),
  roles: new Map(
    Object.entries(rolesJson.roles).map(([name, role]) => [
      name,
      { level: role.level as RoleLevel, description: role.description },
    ]),
  ),
  callTypes: Object.keys(defaultsJson.call_types),
  defaults: { app: defaultsJson.app, callTypes: defaultsJson.call_types },
};
