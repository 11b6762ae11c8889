// Server-side administration: app settings, roles, permissions and call types. Grant changes go
// through the compiler's validator and resolver, persist in one transaction, then go live.
import type { GrantsMap, GrantsSpec, ResolvedPolicy } from '../../compiler/types.js';
import { compareCodeUnits } from '../../compiler/compare-code-units.js';
import { builtinCatalog } from '../../compiler/validate/catalog.js';
import { own } from '../../core/engine/json.js';
import { effectiveCallGrants } from '../../core/layering.js';
import { requireServer } from '../actor.js';
import type { Queryable } from '../db/database.js';
import { ApiError, badRequest } from '../errors.js';
import { EMPTY_SPEC } from '../policy/live-policy.js';
import {
  readCallTypeTimes,
  readStoredSpec,
  writeCallTypeTimes,
  writeStoredSpec,
  type CallTypeTimes,
} from '../store/state.js';
import {
  addCallType,
  addRole,
  patchAppSettings,
  patchCallTypeGrants,
  putPermission,
  removeCallType,
  removePermission,
  removeRole,
  setCallOverrides,
  type CustomPermission,
} from '../policy/patch.js';
import {
  callTypeReferences,
  MAX_NAMED_PLACES,
  namePlaces,
  notFoundAmong,
  permissionReferences,
  roleReferences,
} from './admin-references.js';
import type { ServiceContext } from './context.js';
import {
  callsNamingRole,
  callsOfType,
  placesGrantingPermission,
  resetMembersOfRole,
} from '../store/calls.js';
import { usersWithRole } from '../store/users.js';
import type {
  CreateCallTypeBody,
  CreateRoleBody,
  GrantsPatchBody,
  PermissionBody,
  UpdateAppBody,
} from '../schemas/bodies.js';

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

export function getApp(context: ServiceContext): { app: Record<string, unknown> } {
  requireServer(context.actor);
  const { policy } = context.live.snapshot;
  return {
    app: {
      multi_tenant_enabled: policy.settings.multi_tenant_enabled,
      // Stream's name for the model this server implements (Permissions v2).
      permission_version: 'v2',
      grants: policy.app_grants,
      revision: policy.revision,
    },
  };
}

export async function updateApp(
  context: ServiceContext,
  patch: UpdateAppBody,
): Promise<{ app: Record<string, unknown> }> {
  requireServer(context.actor);
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
  { name, level, description }: CreateRoleBody,
): Promise<{ role: Record<string, unknown> }> {
  requireServer(context.actor);
  await changeGrants(context, (spec) => {
    // The locked spec too: a concurrent createRole may have stored the name and not yet reached
    // this server's grants.
    const existing =
      own(context.live.snapshot.policy.roles, name) ??
      (Object.hasOwn(spec.roles ?? {}, name) ? { builtin: false } : undefined);
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

/**
 * DeleteRole, refused (409, nothing changed) while any grant scope, stored call override or
 * non-deleted user still names the role; members holding it are reset in the same transaction.
 */
export async function deleteRole(
  context: ServiceContext,
  name: string,
): Promise<{ deleted: string; members_reset: number }> {
  requireServer(context.actor);
  const definition = own(context.live.snapshot.policy.roles, name);
  if (definition === undefined)
    throw notFoundAmong('NOT_FOUND', 'role', name, Object.keys(context.live.snapshot.policy.roles));
  if (definition.builtin)
    throw badRequest('BUILTIN_ROLE', `builtin role "${name}" cannot be deleted`);
  let membersReset = 0;
  await changeGrants(context, async (spec, tx) => {
    const places = [
      ...roleReferences(spec, name),
      ...(await callsNamingRole(tx, name, MAX_NAMED_PLACES + 1)),
    ];
    if (places.length > 0) {
      throw new ApiError(
        409,
        'ROLE_HAS_GRANTS',
        `role "${name}" still has grants in ${namePlaces(places)}; remove them first`,
      );
    }
    const users = await usersWithRole(tx, name, MAX_NAMED_PLACES + 1);
    if (users.length > 0) {
      throw new ApiError(
        409,
        'ROLE_IN_USE',
        `role "${name}" is the role of ${namePlaces(users)}; reassign or delete them first`,
      );
    }
    membersReset = await resetMembersOfRole(tx, name);
    return removeRole(spec, name);
  });
  return { deleted: name, members_reset: membersReset };
}

/** One permission as listPermissions and getPermission show it. */
function permissionView(policy: ResolvedPolicy, id: string): Record<string, unknown> {
  const permission = own(policy.permissions, id);
  if (permission === undefined) {
    throw notFoundAmong('PERMISSION_NOT_FOUND', 'permission', id, Object.keys(policy.permissions));
  }
  return {
    id,
    name: permission.name,
    description: permission.description,
    action: permission.action,
    owner: permission.owner,
    same_team: permission.same_team,
    level: own(policy.actions, permission.action)?.level ?? 'call',
    custom: !permission.builtin,
  };
}

export function listPermissions(context: ServiceContext): {
  permissions: Record<string, unknown>[];
} {
  const { policy } = context.live.snapshot;
  return {
    permissions: Object.keys(policy.permissions)
      .sort(compareCodeUnits)
      .map((id) => permissionView(policy, id)),
  };
}

/** GetPermission: one permission, or a 404 suggesting the closest id. */
export function getPermission(
  context: ServiceContext,
  id: string,
): { permission: Record<string, unknown> } {
  return { permission: permissionView(context.live.snapshot.policy, id) };
}

/** The custom permission `id` of the stored spec; builtin ids and unknown ids are refused. */
function storedPermission(spec: GrantsSpec, id: string): CustomPermission {
  if (builtinCatalog.permissions.has(id))
    throw badRequest('BUILTIN_PERMISSION', `builtin permission "${id}" cannot be changed`);
  const permission = (spec.permissions ?? []).find((candidate) => candidate.id === id);
  if (permission === undefined) {
    // Only custom permissions can change, so the suggestion is one of them.
    const known = (spec.permissions ?? []).map((candidate) => candidate.id);
    throw notFoundAmong('PERMISSION_NOT_FOUND', 'custom permission', id, known);
  }
  return permission;
}

/** A permission as the spec stores it: the id, the action and only the fields that were given. */
function customPermission(id: string, fields: PermissionBody): CustomPermission {
  const permission: CustomPermission = { id, action: fields.action ?? '' };
  if (fields.name !== undefined) permission.name = fields.name;
  if (fields.description !== undefined) permission.description = fields.description;
  if (fields.owner !== undefined) permission.owner = fields.owner;
  if (fields.same_team !== undefined) permission.same_team = fields.same_team;
  return permission;
}

/**
 * CreatePermission (stream-chat-js `createPermission`): a custom permission added to the
 * catalog. The validator judges id and action; builtin and taken ids are a 409.
 */
export async function createPermission(
  context: ServiceContext,
  fields: PermissionBody,
): Promise<{ permission: Record<string, unknown> }> {
  requireServer(context.actor);
  const id = fields.id;
  if (id === undefined) throw badRequest('INVALID_REQUEST', 'id is required');
  if (fields.action === undefined) throw badRequest('INVALID_REQUEST', 'action is required');
  await changeGrants(context, (spec) => {
    if (builtinCatalog.permissions.has(id))
      throw new ApiError(409, 'BUILTIN_REDEFINED', `"${id}" is a builtin permission`);
    if ((spec.permissions ?? []).some((permission) => permission.id === id))
      throw new ApiError(409, 'PERMISSION_EXISTS', `permission "${id}" already exists`);
    return putPermission(spec, customPermission(id, fields));
  });
  return getPermission(context, id);
}

/**
 * A new action of another level would silently change what stored calls' grants of the
 * permission mean (the grants file's scopes are re-validated; stored calls are not).
 */
async function checkLevelChange(
  context: ServiceContext,
  tx: Queryable,
  before: CustomPermission,
  after: CustomPermission,
): Promise<void> {
  const { actions } = context.live.snapshot.policy;
  const levelBefore = own(actions, before.action)?.level;
  const levelAfter = own(actions, after.action)?.level;
  if (levelBefore === undefined || levelAfter === undefined || levelBefore === levelAfter) return;
  const places = await placesGrantingPermission(tx, before.id, MAX_NAMED_PLACES + 1);
  if (places.length > 0) {
    throw new ApiError(
      409,
      'PERMISSION_IN_USE',
      `permission "${before.id}" is granted in ${namePlaces(places)}; its action cannot move from ${levelBefore} to ${levelAfter} level while it is`,
    );
  }
}

/** UpdatePermission (stream-chat-js `updatePermission`): the given fields replace the stored ones. */
export async function updatePermission(
  context: ServiceContext,
  id: string,
  fields: PermissionBody,
): Promise<{ permission: Record<string, unknown> }> {
  requireServer(context.actor);
  if (fields.id !== undefined && fields.id !== id)
    throw badRequest('INVALID_REQUEST', `the body's id "${fields.id}" is not the path's "${id}"`);
  await changeGrants(context, async (spec, tx) => {
    const before = storedPermission(spec, id);
    const after = { ...before, ...customPermission(id, { action: before.action, ...fields }) };
    await checkLevelChange(context, tx, before, after);
    return putPermission(spec, after);
  });
  return getPermission(context, id);
}

/** DeletePermission: refused (409) while any scope, stored call or member grants or revokes it. */
export async function deletePermission(
  context: ServiceContext,
  id: string,
): Promise<{ deleted: string }> {
  requireServer(context.actor);
  await changeGrants(context, async (spec, tx) => {
    storedPermission(spec, id);
    const places = [
      ...permissionReferences(spec, id),
      ...(await placesGrantingPermission(tx, id, MAX_NAMED_PLACES + 1)),
    ];
    if (places.length > 0) {
      throw new ApiError(
        409,
        'PERMISSION_IN_USE',
        `permission "${id}" is still granted or revoked in ${namePlaces(places)}; remove it there first`,
      );
    }
    return removePermission(spec, id);
  });
  return { deleted: id };
}

/** Stream's call type answer: the name, its effective grants, and its times when known. */
export interface CallTypeView {
  name: string;
  grants: GrantsMap;
  created_at?: string;
  updated_at?: string;
}

/**
 * Notes a create, change or delete of call type `name` (Stream's `created_at`/`updated_at`),
 * inside the grants transaction (whose lock on the stored spec orders concurrent changes), so a
 * refused change notes nothing. Builtin types and types only declared in a grants file have no
 * times, or only `updated_at` once the API changed them.
 */
async function noteCallType(
  tx: Queryable,
  name: string,
  change: 'created' | 'updated' | 'deleted',
): Promise<void> {
  const times = await readCallTypeTimes(tx);
  const others = Object.entries(times).filter(([callType]) => callType !== name);
  const now = new Date().toISOString();
  const created = change === 'created' ? now : own(times, name)?.created_at;
  const entry = { ...(created === undefined ? {} : { created_at: created }), updated_at: now };
  const next = Object.fromEntries(change === 'deleted' ? others : [...others, [name, entry]]);
  await writeCallTypeTimes(tx, next);
}

/** A call type as getCallType shows it: its effective grants (defaults patched by the spec). */
function callTypeView(policy: ResolvedPolicy, name: string, times: CallTypeTimes): CallTypeView {
  if (own(policy.call_types, name) === undefined) {
    throw notFoundAmong('CALL_TYPE_NOT_FOUND', 'call type', name, Object.keys(policy.call_types));
  }
  return {
    name,
    grants: effectiveCallGrants(policy, name, '', undefined),
    ...(own(times, name) ?? {}),
  };
}

export async function getCallType(context: ServiceContext, name: string): Promise<CallTypeView> {
  requireServer(context.actor);
  const times = await readCallTypeTimes(context.db);
  return callTypeView(context.live.snapshot.policy, name, times);
}

/** ListCallTypes, Stream's shape: call type name → the same view as getCallType. */
export async function listCallTypes(
  context: ServiceContext,
): Promise<{ call_types: Record<string, CallTypeView> }> {
  requireServer(context.actor);
  const { policy } = context.live.snapshot;
  const times = await readCallTypeTimes(context.db);
  const names = Object.keys(policy.call_types).sort(compareCodeUnits);
  return {
    call_types: Object.fromEntries(names.map((name) => [name, callTypeView(policy, name, times)])),
  };
}

const isBuiltinCallType = (name: string): boolean => builtinCatalog.callTypes.includes(name);

/** Whether the stored spec has call type `name` (builtin types always exist). */
function callTypeExists(spec: GrantsSpec, name: string): boolean {
  return isBuiltinCallType(name) || Object.hasOwn(spec.call_types ?? {}, name);
}

/** 404 for a call type the stored spec does not have, suggesting the closest existing one. */
function expectCallType(context: ServiceContext, spec: GrantsSpec, name: string): void {
  if (callTypeExists(spec, name)) return;
  const known = Object.keys(context.live.snapshot.policy.call_types);
  throw notFoundAmong('CALL_TYPE_NOT_FOUND', 'call type', name, known);
}

/** CreateCallType: a custom call type, with no grants unless the request gives some. */
export async function createCallType(
  context: ServiceContext,
  { name, grants = null }: CreateCallTypeBody,
): Promise<CallTypeView> {
  requireServer(context.actor);
  await changeGrants(context, async (spec, tx) => {
    if (callTypeExists(spec, name))
      throw new ApiError(409, 'CALL_TYPE_EXISTS', `call type "${name}" already exists`);
    await noteCallType(tx, name, 'created');
    return addCallType(spec, name, grants);
  });
  return getCallType(context, name);
}

/** UpdateCallType: the seed's patch rules, on an existing call type only (typos are a 404). */
export async function updateCallType(
  context: ServiceContext,
  name: string,
  { grants }: GrantsPatchBody,
): Promise<CallTypeView> {
  requireServer(context.actor);
  await changeGrants(context, async (spec, tx) => {
    expectCallType(context, spec, name);
    await noteCallType(tx, name, 'updated');
    return patchCallTypeGrants(spec, name, grants);
  });
  return getCallType(context, name);
}

/** DeleteCallType: builtin types stay (400); refused (409) while calls of the type exist. */
export async function deleteCallType(
  context: ServiceContext,
  name: string,
): Promise<{ deleted: string }> {
  requireServer(context.actor);
  if (isBuiltinCallType(name))
    throw badRequest('BUILTIN_CALL_TYPE', `builtin call type "${name}" cannot be deleted`);
  await changeGrants(context, async (spec, tx) => {
    expectCallType(context, spec, name);
    const places = [
      ...callTypeReferences(spec, name),
      ...(await callsOfType(tx, name, MAX_NAMED_PLACES + 1)),
    ];
    if (places.length > 0) {
      throw new ApiError(
        409,
        'CALL_TYPE_IN_USE',
        `call type "${name}" is still used by ${namePlaces(places)}; delete those first`,
      );
    }
    await noteCallType(tx, name, 'deleted');
    return removeCallType(spec, name);
  });
  return { deleted: name };
}

/**
 * rolecall's extension for `rolecall apply`: the grants-file overrides of one call (the spec's
 * `calls:` layer, served in data.json), modifiers with `!` revokes; `null` removes them. The
 * validator checks the call key, the call type, roles and modifiers as in a grants file.
 */
export async function updateCallOverrides(
  context: ServiceContext,
  callType: string,
  id: string,
  { grants }: GrantsPatchBody,
): Promise<{ call_type: string; id: string; grants: GrantsMap }> {
  requireServer(context.actor);
  const callKey = `${callType}:${id}`;
  await changeGrants(context, (spec) => setCallOverrides(spec, callKey, grants));
  const stored = own(context.live.snapshot.policy.call_overrides, callKey) ?? {};
  return { call_type: callType, id, grants: stored };
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
