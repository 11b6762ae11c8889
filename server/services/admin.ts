// Server-side administration: app settings, roles, permissions and call types. Grant changes go
// through the compiler's validator and resolver, persist in one transaction, then go live.
import type { GrantsMap, GrantsSpec } from '../../compiler/types.js';
import { own } from '../../core/engine/json.js';
import { compareCodeUnits } from '../../compiler/compare-code-units.js';
import { requireServer } from '../actor.js';
import type { Queryable } from '../db/database.js';
import { ApiError, badRequest } from '../errors.js';
import { readStoredSpec, writeStoredSpec, EMPTY_SPEC } from '../policy/live-policy.js';
import { addRole, patchAppSettings, patchCallTypeGrants, removeRole } from '../policy/patch.js';
import type { ServiceContext } from './context.js';
import { effectiveCallGrants } from '../../core/layering.js';
import { expectObject, expectOptionalString, expectStringList } from './validate.js';

const MAX_CUSTOM_ROLES = 25;

/** Reads the stored spec, applies `change`, validates, stores and swaps the live policy. */
async function changeGrants(
  context: ServiceContext,
  change: (spec: GrantsSpec, tx: Queryable) => Promise<GrantsSpec> | GrantsSpec,
): Promise<void> {
  const snapshot = await context.db.transaction(async (tx) => {
    const stored = await readStoredSpec(tx, { forUpdate: true });
    const next = await change(stored?.spec ?? EMPTY_SPEC, tx);
    const prepared = await context.live.prepare(next);
    await writeStoredSpec(tx, prepared.spec, prepared.policy.revision);
    return prepared;
  });
  await context.live.apply(snapshot);
  context.log.info({ revision: snapshot.policy.revision }, 'grants changed through the API');
}

function parseGrants(value: unknown, what: string): GrantsMap | null {
  if (value === null) return null;
  const map = expectObject(value, what);
  // Own properties whatever the role is called (the validator then refuses unknown roles).
  return Object.fromEntries(
    Object.entries(map).map(([role, list]) => [role, expectStringList(list, `${what}.${role}`)]),
  );
}

export function getApp(context: ServiceContext): { app: Record<string, unknown> } {
  requireServer(context.actor);
  const { policy } = context.live.snapshot;
  return {
    app: {
      multi_tenant_enabled: policy.settings.multi_tenant_enabled,
      grants: policy.app_grants,
      revision: policy.revision,
    },
  };
}

export async function updateApp(
  context: ServiceContext,
  body: unknown,
): Promise<{ app: Record<string, unknown> }> {
  requireServer(context.actor);
  const payload = expectObject(body, 'body');
  const patch: { multi_tenant_enabled?: boolean; grants?: GrantsMap | null } = {};
  for (const key of Object.keys(payload)) {
    if (key !== 'multi_tenant_enabled' && key !== 'grants')
      throw badRequest('UNKNOWN_KEY', `"${key}" is not an app setting`);
  }
  if (payload['multi_tenant_enabled'] !== undefined) {
    if (typeof payload['multi_tenant_enabled'] !== 'boolean')
      throw badRequest('INVALID_REQUEST', 'multi_tenant_enabled must be true or false');
    patch.multi_tenant_enabled = payload['multi_tenant_enabled'];
  }
  if (Object.hasOwn(payload, 'grants')) patch.grants = parseGrants(payload['grants'], 'grants');
  await changeGrants(context, (spec) => patchAppSettings(spec, patch));
  return getApp(context);
}

export function listRoles(context: ServiceContext): { roles: Record<string, unknown>[] } {
  requireServer(context.actor);
  const { policy } = context.live.snapshot;
  return {
    roles: Object.entries(policy.roles)
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([name, role]) => ({
        name,
        custom: !role.builtin,
        level: role.level,
        description: role.description,
      })),
  };
}

export async function createRole(
  context: ServiceContext,
  body: unknown,
): Promise<{ role: Record<string, unknown> }> {
  requireServer(context.actor);
  const payload = expectObject(body, 'body');
  const name = payload['name'];
  if (typeof name !== 'string') throw badRequest('INVALID_REQUEST', 'name must be a string');
  const level = payload['level'];
  if (level !== undefined && level !== 'user' && level !== 'call')
    throw badRequest('INVALID_REQUEST', 'level is user or call');
  const description = expectOptionalString(payload['description'], 'description');
  await changeGrants(context, (spec) => {
    const existing = own(context.live.snapshot.policy.roles, name);
    if (existing !== undefined) {
      throw new ApiError(
        409,
        existing.builtin ? 'BUILTIN_REDEFINED' : 'ROLE_EXISTS',
        `role "${name}" already exists`,
      );
    }
    if (Object.keys(spec.roles ?? {}).length >= MAX_CUSTOM_ROLES) {
      throw badRequest(
        'TOO_MANY_ROLES',
        `an app can have at most ${MAX_CUSTOM_ROLES} custom roles`,
      );
    }
    return addRole(spec, name, {
      ...(description === undefined ? {} : { description }),
      ...(level === undefined ? {} : { level }),
    });
  });
  return { role: { name, custom: true, level: level ?? 'any', description: description ?? '' } };
}

/** Where a role still holds grants; deleting it then would silently drop them. */
function grantsHeldBy(context: ServiceContext, role: string): string[] {
  const { policy } = context.live.snapshot;
  const scopes: string[] = [];
  if ((own(policy.app_grants, role) ?? []).length > 0) scopes.push('.app');
  for (const [callType, grants] of Object.entries(policy.call_types)) {
    if ((own(grants, role) ?? []).length > 0) scopes.push(callType);
  }
  for (const [call, grants] of Object.entries(policy.call_overrides)) {
    if ((own(grants, role) ?? []).some((modifier) => !modifier.startsWith('!'))) scopes.push(call);
  }
  return scopes;
}

export async function deleteRole(
  context: ServiceContext,
  name: string,
): Promise<{ deleted: string }> {
  requireServer(context.actor);
  const definition = own(context.live.snapshot.policy.roles, name);
  if (definition === undefined) throw new ApiError(404, 'NOT_FOUND', `role "${name}" not found`);
  if (definition.builtin)
    throw badRequest('BUILTIN_ROLE', `builtin role "${name}" cannot be deleted`);
  await changeGrants(context, async (spec, tx) => {
    const scopes = grantsHeldBy(context, name);
    const callScopes = await tx.query<{ cid: string }>(
      `SELECT call_type || ':' || id AS cid FROM calls
       WHERE config_overrides->'grants' ? $1
         AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(config_overrides->'grants'->$1) AS modifier WHERE modifier NOT LIKE '!%')
       LIMIT 5`,
      [name],
    );
    scopes.push(...callScopes.map((row) => row.cid));
    if (scopes.length > 0) {
      throw new ApiError(
        409,
        'ROLE_HAS_GRANTS',
        `role "${name}" still has grants in ${scopes.join(', ')}; remove them first`,
      );
    }
    // Only the user role blocks: a call-level role may go while members hold it (the seed).
    const users = await tx.query<{ id: string }>(
      'SELECT id FROM users WHERE role = $1 AND deleted_at IS NULL LIMIT 5',
      [name],
    );
    if (users.length > 0) {
      throw new ApiError(
        409,
        'ROLE_IN_USE',
        `role "${name}" is the role of ${users.map((user) => user.id).join(', ')}; reassign or delete them first`,
      );
    }
    return removeRole(spec, name);
  });
  return { deleted: name };
}

export function listPermissions(context: ServiceContext): {
  permissions: Record<string, unknown>[];
} {
  const { policy } = context.live.snapshot;
  return {
    permissions: Object.entries(policy.permissions)
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([id, permission]) => ({
        id,
        name: permission.name,
        description: permission.description,
        action: permission.action,
        owner: permission.owner,
        same_team: permission.same_team,
        level: policy.actions[permission.action]?.level ?? 'call',
        custom: !permission.builtin,
      })),
  };
}

export function getCallType(
  context: ServiceContext,
  name: string,
): { name: string; grants: GrantsMap } {
  requireServer(context.actor);
  const grants = own(context.live.snapshot.policy.call_types, name);
  if (grants === undefined)
    throw new ApiError(404, 'CALL_TYPE_NOT_FOUND', `call type "${name}" does not exist`);
  return { name, grants: effectiveCallGrants(context.live.snapshot.policy, name, '', undefined) };
}

/** UpdateCallType (and create, for a custom type): the seed's patch rules. */
export async function updateCallType(
  context: ServiceContext,
  name: string,
  body: unknown,
): Promise<{ name: string; grants: GrantsMap }> {
  requireServer(context.actor);
  const payload = expectObject(body, 'body');
  if (!Object.hasOwn(payload, 'grants'))
    throw badRequest('INVALID_REQUEST', 'grants is required (null resets)');
  const grants = parseGrants(payload['grants'], 'grants');
  await changeGrants(context, (spec) => patchCallTypeGrants(spec, name, grants));
  return getCallType(context, name);
}

/** The live spec and resolved policy, for `rolecall diff FILE --live URL`. */
export function getLiveGrants(context: ServiceContext): {
  revision: string;
  spec: GrantsSpec;
  policy: unknown;
} {
  requireServer(context.actor);
  const { spec, policy } = context.live.snapshot;
  return { revision: policy.revision, spec, policy };
}
