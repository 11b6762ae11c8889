// Calls and members: getOrCreate, get, join, update, member roles and per-member grants. Each
// request is decided with the call record, the subject's membership and the live policy. The
// call actions (end, delete, mute, block, kick) are in call-actions.ts, the query in
// call-listing.ts.
import type { GrantsMap } from '../../compiler/types.js';
import { own } from '../../core/engine/json.js';
import { updateMemberModifiers } from '../../core/layering.js';
import { isCallLevel } from '../../core/policy.js';
import type { DecisionInput } from '../../sdk/types.js';
import { refusalOf } from '../decider.js';
import { holdCurrentGrants } from './grants-hold.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { diagnosticsError } from '../policy/live-policy.js';
import {
  blockedError,
  blockedUserOf,
  decideAllOrRefuse,
  decideOrRefuse,
  decideVisibility,
  decisionInput,
  requireUsersExist,
  requireVisibleCall,
  toCallState,
  type CallKeyFields,
  type CallState,
} from './call-records.js';
import {
  findCall,
  findMembers,
  insertCall,
  readCallView,
  removeMembers,
  setMemberGrants,
  updateCallRow,
  upsertMembers,
  type CallChanges,
  type CallView,
  type MemberRow,
} from '../store/calls.js';
import type { ServiceContext } from './context.js';
import { expectStoredObject } from '../schemas/json-bounds.js';
import { callIdPrefix } from '../schemas/limits.js';
import type {
  GetOrCreateBody,
  MemberInput,
  UpdateCallBody,
  UpdateMembersBody,
  UserPermissionsBody,
} from '../schemas/bodies.js';

export type { CallMember, CallState } from './call-records.js';
export { queryCalls } from './call-listing.js';

function checkCallType(context: ServiceContext, callType: string): void {
  if (own(context.live.snapshot.policy.call_types, callType) === undefined) {
    throw new ApiError(404, 'CALL_TYPE_NOT_FOUND', `call type "${callType}" does not exist`);
  }
}

function checkCallRole(context: ServiceContext, role: string): void {
  const definition = own(context.live.snapshot.policy.roles, role);
  if (definition === undefined) throw badRequest('UNKNOWN_ROLE', `unknown role "${role}"`);
  if (!isCallLevel(definition.level)) {
    throw badRequest('ROLE_LEVEL_MISMATCH', `"${role}" is a user-level role, not a call role`);
  }
}

function checkMemberRoles(context: ServiceContext, members: readonly MemberInput[]): void {
  for (const member of members) if (member.role !== undefined) checkCallRole(context, member.role);
}

/** What a getOrCreate body asks for, its stored objects bounded before anything is decided. */
interface CreateRequest {
  team: string | null;
  /** The creator the body names, if any (server side must name one). */
  createdBy: string | undefined;
  members: MemberInput[];
  custom: Record<string, unknown>;
  settings: Record<string, unknown>;
}

function createRequest({ data = {} }: GetOrCreateBody): CreateRequest {
  const named = data.created_by?.id;
  if (named !== undefined && data.created_by_id !== undefined && named !== data.created_by_id) {
    throw badRequest(
      'INVALID_REQUEST',
      `data.created_by.id "${named}" and data.created_by_id "${data.created_by_id}" name different users`,
    );
  }
  return {
    team: data.team ?? null,
    createdBy: data.created_by_id ?? named,
    members: data.members ?? [],
    custom: data.custom === undefined ? {} : expectStoredObject(data.custom, 'data.custom'),
    settings:
      data.settings_override === undefined
        ? {}
        : expectStoredObject(data.settings_override, 'data.settings_override'),
  };
}

/**
 * `team-prefixed` (ServerOptions.callIds): a client creates a call in team T only with an id
 * `T:…`, and an id `T:…` only in team T, so no tenant can take another's ids.
 */
function checkTeamPrefix(context: ServiceContext, id: string, team: string | null): void {
  if (context.callIds !== 'team-prefixed' || context.actor.side === 'server') return;
  const prefix = callIdPrefix(id);
  if (prefix === team) return;
  const message =
    team === null
      ? `the call id "${id}" has the team prefix "${String(prefix)}:"; create it with data.team "${String(prefix)}", or use an id without ":"`
      : `a call in team "${team}" needs an id that starts with "${team}:" (e.g. "${team}:" and a random UUID)`;
  throw badRequest('CALL_ID_NOT_TEAM_PREFIXED', message);
}

/** GetOrCreateCall: reads an existing call (ReadCall) or creates it (CreateCall). */
export async function getOrCreateCall(
  context: ServiceContext,
  callType: string,
  id: string,
  body: GetOrCreateBody,
): Promise<CallState & { created: boolean }> {
  checkCallType(context, callType);
  const request = createRequest(body);
  // A creation that loses the race to a concurrent one answers as a get (decided again).
  for (let attempt = 0; ; attempt += 1) {
    // Most calls exist: those are answered from one read, without a transaction.
    const view = await readCallView(context.db, callType, id, {
      includeDeleted: true,
      ...blockedUserOf(context),
    });
    if (view !== undefined) return { ...(await answerRead(context, view)), created: false };
    try {
      return await createCall(context, callType, id, request);
    } catch (error) {
      if (!(error instanceof CreatedConcurrently) || attempt > 0) throw error;
    }
  }
}

class CreatedConcurrently extends Error {}

/** CreateCall of a call that was not found (and UpdateCallMember when members get roles). */
async function createCall(
  context: ServiceContext,
  callType: string,
  id: string,
  request: CreateRequest,
): Promise<CallState & { created: true }> {
  const { team, members } = request;
  checkTeamPrefix(context, id, team);
  return context.db.transaction(async (tx) => {
    // The call names its type and maybe member roles: checked against held grants.
    await holdCurrentGrants(context, tx);
    checkCallType(context, callType);
    let createdBy: string;
    const changes: string[] = [];
    if (context.actor.side === 'server') {
      if (request.createdBy === undefined) {
        throw badRequest('INVALID_REQUEST', 'server-side calls need data.created_by_id');
      }
      createdBy = request.createdBy;
      await requireUsersExist(context, tx, [createdBy]);
    } else {
      // The policy decides a client naming another creator (SERVER_ONLY) from the resource.
      createdBy = request.createdBy ?? context.actor.subject.id;
      if (request.createdBy !== undefined) changes.push('created_by_id');
    }
    if (team !== null) changes.push('team');
    checkMemberRoles(context, members);
    const draft = {
      call_type: callType,
      id,
      team,
      created_by_id: createdBy,
      config_overrides: null,
    };
    await decideOrRefuse(
      context,
      decisionInput(context, 'CreateCall', draft, [], changes.length > 0 ? changes : undefined),
    );
    if (members.some((member) => member.role !== undefined)) {
      await decideOrRefuse(
        context,
        decisionInput(context, 'UpdateCallMember', draft, [], ['role']),
      );
    }
    await requireUsersExist(
      context,
      tx,
      members.map((member) => member.user_id),
    );
    const row = await insertCall(tx, {
      callType,
      id,
      team,
      createdBy,
      custom: request.custom,
      settings: request.settings,
    });
    if (row === undefined) throw new CreatedConcurrently();
    let stored: MemberRow[] = [];
    if (members.length > 0) {
      await upsertMembers(tx, callType, id, members);
      stored = await findMembers(tx, callType, id);
    }
    return { ...(await toCallState(context, row, stored)), created: true as const };
  });
}

export async function getCall(
  context: ServiceContext,
  callType: string,
  id: string,
): Promise<CallState> {
  const view = await readCallView(context.db, callType, id, blockedUserOf(context));
  if (view === undefined) throw notFound(`call "${callType}:${id}"`);
  return answerRead(context, view);
}

/**
 * A read of a call (get, and getOrCreate of an existing one) from its view: a deleted or foreign
 * call is a 404, then a blocked user is refused, then ReadCall decides.
 */
async function answerRead(context: ServiceContext, view: CallView): Promise<CallState> {
  const { row, members } = view;
  // A soft-deleted call keeps its id (as in Stream): it is not found, and not created again.
  if (row.deleted_at !== null) throw notFound(`call "${row.call_type}:${row.id}"`);
  const read = await decideVisibility(context, row, members);
  if (view.blocked) throw blockedError(row);
  if (!read.allow) throw refusalOf(read);
  return toCallState(context, row, members);
}

/**
 * JoinCall: the seed's "connect to calls from the same team". It decides and answers; the media
 * side of joining is outside the reference server.
 */
export async function joinCall(
  context: ServiceContext,
  callType: string,
  id: string,
): Promise<CallState & { joined: true }> {
  return context.db.transaction(async (tx) => {
    const { row, members } = await requireVisibleCall(context, tx, callType, id);
    await decideOrRefuse(context, decisionInput(context, 'JoinCall', row, members));
    return { ...(await toCallState(context, row, members)), joined: true as const };
  });
}

function parseOverrides(
  context: ServiceContext,
  callType: string,
  id: string,
  overrides: UpdateCallBody['config_overrides'],
): { grants?: GrantsMap | null } | null {
  if (overrides === null || overrides === undefined) return null;
  const map = overrides.grants;
  if (map === undefined || map === null) return { grants: null };
  // The compiler's validator knows every rule of modifiers (roles, ids, `!`, conflicts). Grants-file
  // call keys allow fewer ids than the API (no `@`, no team prefix, at most 64 characters), so a
  // call whose id is not one is checked under a stand-in key: the rules are the same.
  const spec = context.live.snapshot.spec;
  const key = GRANTS_FILE_CALL_ID.test(id) ? `${callType}:${id}` : `${callType}:this-call`;
  const candidate = {
    ...spec,
    calls: {
      ...(spec.calls ?? {}),
      [key]: { config_overrides: { grants: map } },
    },
  };
  const problem = diagnosticsError(context.live.validate(candidate));
  if (problem !== undefined) throw problem;
  return { grants: map };
}

/** The id part of a grants file's call key (schema/rolecall.schema.json, `callKey`). */
const GRANTS_FILE_CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What an update is decided as: `settings_override` is UpdateCallSettings (Stream's
 * update-call-settings), every other field UpdateCall; an update touching both needs both. Each
 * input's `changes` names its own fields, so server-only ones are refused client side.
 */
function updateDecisions(
  context: ServiceContext,
  row: CallKeyFields,
  members: readonly MemberRow[],
  fields: readonly string[],
): DecisionInput[] {
  const settings = fields.filter((field) => field === 'settings_override');
  const others = fields.filter((field) => field !== 'settings_override').sort();
  const inputs: DecisionInput[] = [];
  // An empty update is still an UpdateCall, as before.
  if (others.length > 0 || settings.length === 0) {
    inputs.push(decisionInput(context, 'UpdateCall', row, members, others));
  }
  if (settings.length > 0) {
    inputs.push(decisionInput(context, 'UpdateCallSettings', row, members, settings));
  }
  return inputs;
}

/** UpdateCall and UpdateCallSettings (see `updateDecisions`). */
export async function updateCall(
  context: ServiceContext,
  callType: string,
  id: string,
  payload: UpdateCallBody,
): Promise<CallState> {
  // Bounds first; the policy decides who may change which field.
  const changes: CallChanges = {};
  if (payload.custom !== undefined) changes.custom = expectStoredObject(payload.custom, 'custom');
  if (payload.settings_override !== undefined)
    changes.settings = expectStoredObject(payload.settings_override, 'settings_override');
  if (Object.hasOwn(payload, 'team')) changes.team = payload.team ?? null;
  if (payload.created_by_id !== undefined) changes.createdBy = payload.created_by_id;
  return context.db.transaction(async (tx) => {
    const { row, members } = await requireVisibleCall(context, tx, callType, id);
    await decideAllOrRefuse(context, updateDecisions(context, row, members, Object.keys(payload)));
    if (Object.hasOwn(payload, 'config_overrides'))
      changes.overrides = parseOverrides(context, callType, id, payload.config_overrides);
    if (changes.createdBy !== undefined) await requireUsersExist(context, tx, [changes.createdBy]);
    await updateCallRow(tx, callType, id, changes);
    const updated = await findCall(tx, callType, id);
    if (updated === undefined) throw notFound(`call "${callType}:${id}"`);
    return toCallState(context, updated, members);
  });
}

/** UpdateCallMembers: adds or re-roles members (`role` is server-only) and removes members. */
export async function updateCallMembers(
  context: ServiceContext,
  callType: string,
  id: string,
  { update_members: updates = [], remove_members: removals = [] }: UpdateMembersBody,
): Promise<CallState> {
  return context.db.transaction(async (tx) => {
    if (updates.some((member) => member.role !== undefined)) {
      // Before the call's row lock, as deleteRole takes the grants' lock first.
      await holdCurrentGrants(context, tx);
      checkMemberRoles(context, updates);
    }
    const { row, members, read } = await requireVisibleCall(context, tx, callType, id);
    // Nothing to change: the answer is the call's state, so this is a read (decided as one).
    if (updates.length === 0 && removals.length === 0 && !read.allow) throw refusalOf(read);
    if (updates.length > 0) {
      const changes = updates.some((member) => member.role !== undefined) ? ['role'] : [];
      await decideOrRefuse(
        context,
        decisionInput(context, 'UpdateCallMember', row, members, changes),
      );
      await requireUsersExist(
        context,
        tx,
        updates.map((member) => member.user_id),
      );
      await upsertMembers(tx, callType, id, updates);
    }
    if (removals.length > 0) {
      await decideOrRefuse(context, decisionInput(context, 'RemoveCallMember', row, members));
      await removeMembers(tx, callType, id, removals);
    }
    return toCallState(context, row, await findMembers(tx, callType, id));
  });
}

/** updateUserPermissions: per-member grant modifiers of one call (the request-to-speak flow). */
export async function updateUserPermissions(
  context: ServiceContext,
  callType: string,
  id: string,
  {
    user_id: userId,
    grant_permissions: granted = [],
    revoke_permissions: revoked = [],
  }: UserPermissionsBody,
): Promise<CallState> {
  const policy = context.live.snapshot.policy;
  for (const permission of [...granted, ...revoked]) {
    const definition = own(policy.permissions, permission);
    if (definition === undefined)
      throw badRequest('UNKNOWN_PERMISSION', `unknown permission "${permission}"`);
    if (own(policy.actions, definition.action)?.level !== 'call') {
      throw badRequest('INVALID_REQUEST', `"${permission}" is not a call-level permission`);
    }
  }
  const conflict = granted.find((permission) => revoked.includes(permission));
  if (conflict !== undefined)
    throw badRequest('CONFLICTING_MODIFIER', `"${conflict}" is both granted and revoked`);
  return context.db.transaction(async (tx) => {
    const { row, members } = await requireVisibleCall(context, tx, callType, id);
    await decideOrRefuse(context, decisionInput(context, 'UpdateCallPermissions', row, members));
    const member = members.find((candidate) => candidate.user_id === userId);
    if (member === undefined)
      throw new ApiError(404, 'MEMBER_NOT_FOUND', `"${userId}" is not a member of this call`);
    const modifiers = updateMemberModifiers(member.grants, granted, revoked);
    await setMemberGrants(tx, callType, id, userId, modifiers);
    return toCallState(context, row, await findMembers(tx, callType, id));
  });
}
