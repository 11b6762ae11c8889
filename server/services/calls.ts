// Calls and members: getOrCreate, get, update, member roles, per-member grants and queryCalls.
// Each request is decided with the call record, the subject's membership and the live policy.
import type { GrantsMap } from '../../compiler/types.js';
import { own } from '../../core/engine/json.js';
import type { CallResource, Decision, DecisionInput, Subject } from '../../sdk/types.js';
import type { Queryable } from '../db/database.js';
import { refusalOf } from '../decider.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { diagnosticsError } from '../policy/live-policy.js';
import { translateSort } from '../query/sort-sql.js';
import { contextOf, type ServiceContext } from './context.js';
import { effectiveCallGrants, updateMemberModifiers } from '../../core/layering.js';
import {
  callIdPrefix,
  expectCallId,
  expectId,
  expectLimit,
  expectObject,
  expectOffset,
  expectStringList,
  expectTeam,
  isPlainObject,
} from './validate.js';
import { expectStoredObject } from './json-bounds.js';
import type { CallResponse } from '../../sdk/clients/types.js';
import { scopedFilterCondition } from './scoped-filter.js';
import { allowedPage } from './allowed-page.js';

interface CallRow {
  call_type: string;
  id: string;
  team: string | null;
  created_by_id: string;
  custom: Record<string, unknown>;
  settings_override: Record<string, unknown>;
  config_overrides: { grants?: GrantsMap | null } | null;
  created_at: Date | string;
  updated_at: Date | string;
  ended_at: Date | string | null;
}

interface MemberRow {
  user_id: string;
  role: string;
  grants: string[];
}

export interface CallMember {
  user_id: string;
  role: string;
  grants: string[];
}

export interface CallState {
  /** The wire shape the SDK's clients read, defined once in sdk/clients/types.ts. */
  call: CallResponse;
  members: CallMember[];
  membership: CallMember | null;
  own_capabilities: string[];
}

const CALL_COLUMNS =
  'call_type, id, team, created_by_id, custom, settings_override, config_overrides, created_at, updated_at, ended_at';
/** Members one request may add, or remove. */
const MAX_MEMBERS_PER_REQUEST = 100;

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

async function findCall(
  db: Queryable,
  callType: string,
  id: string,
  forUpdate = false,
): Promise<CallRow | undefined> {
  const rows = await db.query<CallRow>(
    `SELECT ${CALL_COLUMNS} FROM calls WHERE call_type = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [callType, id],
  );
  return rows[0];
}

async function findMembers(db: Queryable, callType: string, id: string): Promise<MemberRow[]> {
  return db.query<MemberRow>(
    'SELECT user_id, role, grants FROM call_members WHERE call_type = $1 AND call_id = $2 ORDER BY user_id',
    [callType, id],
  );
}

function callResource(
  row: Pick<CallRow, 'call_type' | 'id' | 'team' | 'created_by_id' | 'config_overrides'>,
): CallResource {
  return {
    kind: 'call',
    call_type: row.call_type,
    id: row.id,
    team: row.team,
    created_by_id: row.created_by_id,
    config_overrides: row.config_overrides,
  };
}

/** The subject, with its call role and per-member grants when it is a member of this call. */
function subjectIn(context: ServiceContext, members: readonly MemberRow[]): Subject {
  const subject = context.actor.subject;
  const membership = members.find((member) => member.user_id === subject.id);
  if (membership === undefined || context.actor.side === 'server') return subject;
  return {
    ...subject,
    call_role: membership.role,
    ...(membership.grants.length > 0 ? { call_grants: membership.grants } : {}),
  };
}

function decisionInput(
  context: ServiceContext,
  action: string,
  row: Parameters<typeof callResource>[0],
  members: readonly MemberRow[],
  changes?: string[],
): DecisionInput {
  return {
    subject: subjectIn(context, members),
    action,
    resource: callResource(row),
    ...(changes === undefined ? {} : { changes }),
    context: contextOf(context.actor),
  };
}

/** Existing calls of another tenant answer 404 whatever the action, before any other refusal. */
async function requireVisibleCall(
  context: ServiceContext,
  tx: Queryable,
  callType: string,
  id: string,
): Promise<{ row: CallRow; members: MemberRow[]; read: Decision }> {
  const row = await findCall(tx, callType, id, true);
  if (row === undefined) throw notFound(`call "${callType}:${id}"`);
  const members = await findMembers(tx, callType, id);
  const read = await context.decider.decide(
    decisionInput(context, 'ReadCall', row, members),
    context.actor.requestId,
  );
  if (!read.allow && read.reason === 'TEAM_MISMATCH') throw notFound(`call "${callType}:${id}"`);
  return { row, members, read };
}

async function decideOrRefuse(context: ServiceContext, input: DecisionInput): Promise<void> {
  const decision = await context.decider.decide(input, context.actor.requestId);
  if (!decision.allow) throw refusalOf(decision);
}

async function toCallState(
  context: ServiceContext,
  row: CallRow,
  members: MemberRow[],
): Promise<CallState> {
  const policy = context.live.snapshot.policy;
  const subject = subjectIn(context, members);
  const capabilities = await context.decider.capabilities(
    decisionInput(context, 'ReadCall', row, members),
    context.actor.requestId,
  );
  const membership = members.find((member) => member.user_id === subject.id) ?? null;
  return {
    call: {
      type: row.call_type,
      id: row.id,
      cid: `${row.call_type}:${row.id}`,
      team: row.team,
      created_by_id: row.created_by_id,
      custom: row.custom,
      settings_override: row.settings_override,
      // Clients see the overrides (they cannot change them) so their local policy decides alike.
      config_overrides: row.config_overrides,
      config: {
        grants: effectiveCallGrants(policy, row.call_type, row.id, row.config_overrides?.grants),
      },
      created_at: iso(row.created_at) ?? '',
      updated_at: iso(row.updated_at) ?? '',
      ended_at: iso(row.ended_at),
    },
    members: members.map((member) => ({
      user_id: member.user_id,
      role: member.role,
      grants: member.grants,
    })),
    membership,
    own_capabilities: capabilities,
  };
}

function checkCallKey(context: ServiceContext, callType: string, id: string): void {
  if (own(context.live.snapshot.policy.call_types, callType) === undefined) {
    throw new ApiError(404, 'CALL_TYPE_NOT_FOUND', `call type "${callType}" does not exist`);
  }
  expectCallId(id);
}

function checkCallRole(context: ServiceContext, role: string): void {
  const definition = own(context.live.snapshot.policy.roles, role);
  if (definition === undefined) throw badRequest('UNKNOWN_ROLE', `unknown role "${role}"`);
  if (definition.level === 'user') {
    throw badRequest('ROLE_LEVEL_MISMATCH', `"${role}" is a user-level role, not a call role`);
  }
}

/**
 * The users must exist and, for a client, be within its reach: a user of another tenant is
 * reported exactly like a missing one, so member lists cannot probe other tenants' ids.
 */
async function requireUsersExist(
  context: ServiceContext,
  tx: Queryable,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  const rows = await tx.query<{ id: string; role: string; teams: string[] }>(
    'SELECT id, role, teams FROM users WHERE id = ANY($1::text[]) AND deleted_at IS NULL',
    [ids],
  );
  const probes = await context.decider.decideMany(
    rows.map((row) => ({
      subject: context.actor.subject,
      action: 'SearchUser',
      resource: { kind: 'user' as const, id: row.id, role: row.role, teams: row.teams },
      context: contextOf(context.actor),
    })),
    context.actor.requestId,
  );
  const found = new Set(
    rows.filter((_row, index) => probes[index]?.reason !== 'TEAM_MISMATCH').map((row) => row.id),
  );
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw badRequest('UNKNOWN_USER', `user "${missing}" does not exist`);
}

interface MemberInput {
  user_id: string;
  role?: string;
}

/** The shape of a member list; the roles are checked against the policy by `checkMemberRoles`. */
function parseMembers(value: unknown, what: string): MemberInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_MEMBERS_PER_REQUEST) {
    throw badRequest(
      'INVALID_REQUEST',
      `${what} must be a list of at most ${String(MAX_MEMBERS_PER_REQUEST)} members`,
    );
  }
  return value.map((item, index) => {
    const member = expectObject(item, `${what}[${index}]`);
    const parsed: MemberInput = {
      user_id: expectId(member['user_id'], `${what}[${index}].user_id`),
    };
    if (member['role'] !== undefined) {
      if (typeof member['role'] !== 'string')
        throw badRequest('INVALID_REQUEST', `${what}[${index}].role must be a string`);
      parsed.role = member['role'];
    }
    return parsed;
  });
}

function checkMemberRoles(context: ServiceContext, members: readonly MemberInput[]): void {
  for (const member of members) if (member.role !== undefined) checkCallRole(context, member.role);
}

async function upsertMembers(
  tx: Queryable,
  callType: string,
  id: string,
  members: readonly MemberInput[],
): Promise<void> {
  for (const member of members) {
    await tx.query(
      `INSERT INTO call_members (call_type, call_id, user_id, role) VALUES ($1, $2, $3, COALESCE($4, 'call_member'))
       ON CONFLICT (call_type, call_id, user_id) DO UPDATE SET role = COALESCE($4, call_members.role)`,
      [callType, id, member.user_id, member.role ?? null],
    );
  }
}

/** What a getOrCreate body asks for, checked for shape and bounds before anything is decided. */
interface CreateRequest {
  team: string | null;
  /** The creator the body names, if any (server side must name one). */
  createdBy: string | undefined;
  members: MemberInput[];
  custom: Record<string, unknown>;
  settings: Record<string, unknown>;
}

function parseCreateRequest(body: unknown): CreateRequest {
  const payload = body === undefined || body === null ? {} : expectObject(body, 'body');
  const data = payload['data'] === undefined ? {} : expectObject(payload['data'], 'data');
  return {
    team:
      data['team'] === undefined || data['team'] === null
        ? null
        : expectTeam(data['team'], 'data.team'),
    createdBy:
      data['created_by_id'] === undefined
        ? undefined
        : expectId(data['created_by_id'], 'data.created_by_id'),
    members: parseMembers(data['members'], 'data.members'),
    custom: data['custom'] === undefined ? {} : expectStoredObject(data['custom'], 'data.custom'),
    settings:
      data['settings_override'] === undefined
        ? {}
        : expectStoredObject(data['settings_override'], 'data.settings_override'),
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
  body: unknown,
): Promise<CallState & { created: boolean }> {
  checkCallKey(context, callType, id);
  const request = parseCreateRequest(body);
  try {
    return await getOrCreateOnce(context, callType, id, request);
  } catch (error) {
    if (!(error instanceof CreatedConcurrently)) throw error;
    return getOrCreateOnce(context, callType, id, request);
  }
}

class CreatedConcurrently extends Error {}

async function getOrCreateOnce(
  context: ServiceContext,
  callType: string,
  id: string,
  request: CreateRequest,
): Promise<CallState & { created: boolean }> {
  return context.db.transaction(async (tx) => {
    const existing = await findCall(tx, callType, id);
    if (existing !== undefined) {
      const { row, members, read } = await requireVisibleCall(context, tx, callType, id);
      if (!read.allow) throw refusalOf(read);
      return { ...(await toCallState(context, row, members)), created: false };
    }
    const { team, members } = request;
    checkTeamPrefix(context, id, team);
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
    const inserted = await tx.query(
      `INSERT INTO calls (call_type, id, team, created_by_id, custom, settings_override)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
       ON CONFLICT (call_type, id) DO NOTHING RETURNING id`,
      [
        callType,
        id,
        team,
        createdBy,
        JSON.stringify(request.custom),
        JSON.stringify(request.settings),
      ],
    );
    // A concurrent request created it first: answer as for an existing call (decided again).
    if (inserted.length === 0) throw new CreatedConcurrently();
    await upsertMembers(tx, callType, id, members);
    const row = await findCall(tx, callType, id);
    if (row === undefined) throw new ApiError(500, 'INTERNAL', 'created call vanished');
    return {
      ...(await toCallState(context, row, await findMembers(tx, callType, id))),
      created: true,
    };
  });
}

export async function getCall(
  context: ServiceContext,
  callType: string,
  id: string,
): Promise<CallState> {
  expectCallId(id);
  return context.db.transaction(async (tx) => {
    const { row, members, read } = await requireVisibleCall(context, tx, callType, id);
    if (!read.allow) throw refusalOf(read);
    return toCallState(context, row, members);
  });
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
  expectCallId(id);
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
  value: unknown,
): { grants?: GrantsMap | null } | null {
  if (value === null) return null;
  // Not a free-form value: the validator below allows only roles and known permission modifiers.
  const overrides = expectObject(value, 'config_overrides');
  for (const key of Object.keys(overrides)) {
    if (key !== 'grants')
      throw badRequest('UNKNOWN_KEY', `config_overrides.${key} is not supported`);
  }
  const grants = overrides['grants'];
  if (grants === undefined || grants === null) return { grants: null };
  const map = expectObject(grants, 'config_overrides.grants');
  for (const [role, list] of Object.entries(map))
    expectStringList(list, `config_overrides.grants.${role}`);
  // The compiler's validator knows every rule of modifiers (roles, ids, `!`, conflicts). Grants-file
  // call keys allow fewer ids than the API (no `@`, no team prefix, at most 64 characters), so a
  // call whose id is not one is checked under a stand-in key: the rules are the same.
  const spec = context.live.snapshot.spec;
  const key = GRANTS_FILE_CALL_ID.test(id) ? `${callType}:${id}` : `${callType}:this-call`;
  const candidate = {
    ...spec,
    calls: {
      ...(spec.calls ?? {}),
      [key]: { config_overrides: { grants: map as GrantsMap } },
    },
  };
  const problem = diagnosticsError(context.live.validate(candidate));
  if (problem !== undefined) throw problem;
  return { grants: map as GrantsMap };
}

/** The id part of a grants file's call key (schema/rolecall.schema.json, `callKey`). */
const GRANTS_FILE_CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

const UPDATABLE = new Set([
  'custom',
  'settings_override',
  'config_overrides',
  'team',
  'created_by_id',
]);

/** UpdateCall; `changes` names the touched fields so server-only ones are refused client side. */
export async function updateCall(
  context: ServiceContext,
  callType: string,
  id: string,
  body: unknown,
): Promise<CallState> {
  expectCallId(id);
  const payload = expectObject(body, 'body');
  for (const key of Object.keys(payload)) {
    if (!UPDATABLE.has(key))
      throw badRequest('INVALID_REQUEST', `"${key}" cannot be updated on a call`);
  }
  // Shapes and bounds first; the policy decides who may change which field.
  const custom =
    payload['custom'] === undefined
      ? null
      : JSON.stringify(expectStoredObject(payload['custom'], 'custom'));
  const settings =
    payload['settings_override'] === undefined
      ? null
      : JSON.stringify(expectStoredObject(payload['settings_override'], 'settings_override'));
  const teamGiven = Object.hasOwn(payload, 'team');
  const team = teamGiven && payload['team'] !== null ? expectTeam(payload['team'], 'team') : null;
  const creator =
    payload['created_by_id'] === undefined
      ? null
      : expectId(payload['created_by_id'], 'created_by_id');
  return context.db.transaction(async (tx) => {
    const { row, members } = await requireVisibleCall(context, tx, callType, id);
    const changes = Object.keys(payload).sort();
    await decideOrRefuse(context, decisionInput(context, 'UpdateCall', row, members, changes));
    const overridesGiven = Object.hasOwn(payload, 'config_overrides');
    const overrides = overridesGiven
      ? parseOverrides(context, callType, id, payload['config_overrides'])
      : null;
    if (creator !== null) await requireUsersExist(context, tx, [creator]);
    await tx.query(
      `UPDATE calls SET
         custom = COALESCE($3::jsonb, custom),
         settings_override = COALESCE($4::jsonb, settings_override),
         config_overrides = CASE WHEN $5 THEN $6::jsonb ELSE config_overrides END,
         team = CASE WHEN $7 THEN $8 ELSE team END,
         created_by_id = COALESCE($9, created_by_id),
         updated_at = now()
       WHERE call_type = $1 AND id = $2`,
      [
        callType,
        id,
        custom,
        settings,
        overridesGiven,
        overrides === null ? null : JSON.stringify(overrides),
        teamGiven,
        team,
        creator,
      ],
    );
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
  body: unknown,
): Promise<CallState> {
  expectCallId(id);
  const payload = expectObject(body, 'body');
  const updates = parseMembers(payload['update_members'], 'update_members');
  checkMemberRoles(context, updates);
  const removals = expectStringList(
    payload['remove_members'],
    'remove_members',
    MAX_MEMBERS_PER_REQUEST,
  ).map((userId, index) => expectId(userId, `remove_members[${String(index)}]`));
  return context.db.transaction(async (tx) => {
    const { row, members } = await requireVisibleCall(context, tx, callType, id);
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
      await tx.query(
        'DELETE FROM call_members WHERE call_type = $1 AND call_id = $2 AND user_id = ANY($3::text[])',
        [callType, id, removals],
      );
    }
    return toCallState(context, row, await findMembers(tx, callType, id));
  });
}

/** updateUserPermissions: per-member grant modifiers of one call (the request-to-speak flow). */
export async function updateUserPermissions(
  context: ServiceContext,
  callType: string,
  id: string,
  body: unknown,
): Promise<CallState> {
  expectCallId(id);
  const payload = expectObject(body, 'body');
  const userId = expectId(payload['user_id'], 'user_id');
  const granted = expectStringList(payload['grant_permissions'], 'grant_permissions');
  const revoked = expectStringList(payload['revoke_permissions'], 'revoke_permissions');
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
    await tx.query(
      'UPDATE call_members SET grants = $4::jsonb WHERE call_type = $1 AND call_id = $2 AND user_id = $3',
      [callType, id, userId, JSON.stringify(modifiers)],
    );
    return toCallState(context, row, await findMembers(tx, callType, id));
  });
}

/** queryCalls: the policy's filter, SQL, then every row re-decided (ReadCall) and enriched. */
export async function queryCalls(
  context: ServiceContext,
  body: unknown,
): Promise<{ calls: CallState[] }> {
  const payload = body === undefined || body === null ? {} : expectObject(body, 'body');
  const filterConditions = payload['filter_conditions'] ?? {};
  if (!isPlainObject(filterConditions))
    throw badRequest('INVALID_FILTER', 'filter_conditions must be an object');
  const limit = expectLimit(payload['limit']);
  const offset = expectOffset(payload['offset']);
  const order = translateSort('calls', payload['sort']);
  if (!order.ok) throw badRequest('INVALID_SORT', order.message);
  const condition = await scopedFilterCondition(context, 'calls', filterConditions);
  // The team filter runs in SQL; ReadCall (call-type grants, overrides, membership) per row.
  const membersByCall = new Map<string, MemberRow[]>();
  const membersOf = (row: CallRow): MemberRow[] =>
    membersByCall.get(`${row.call_type}:${row.id}`) ?? [];
  // The chunks are read in one snapshot (REPEATABLE READ), so a call created or changed between
  // two of them cannot shift the order: no call twice in a page, none skipped.
  const scan = await context.db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return allowedPage<CallRow>(
      {
        fetch: async (chunkLimit, chunkOffset) => {
          const params = [...condition.params, chunkLimit, chunkOffset];
          const rows = await tx.query<CallRow>(
            `SELECT ${CALL_COLUMNS} FROM calls WHERE ${condition.sql}
           ORDER BY ${order.sql} LIMIT $${params.length - 1} OFFSET $${params.length}`,
            params,
          );
          await loadMembers(tx, rows, membersByCall);
          return rows;
        },
        allowed: async (rows) => {
          const reads = await context.decider.decideMany(
            rows.map((row) => decisionInput(context, 'ReadCall', row, membersOf(row))),
            context.actor.requestId,
          );
          return reads.map((read) => read.allow);
        },
      },
      limit,
      offset,
      context.limits.queryScanLimit,
    );
  });
  if (scan.truncated) {
    throw badRequest(
      'QUERY_TOO_BROAD',
      `more than ${String(context.limits.queryScanLimit)} calls match this filter with too few of them readable to fill the page; narrow filter_conditions`,
    );
  }
  const calls: CallState[] = [];
  for (const row of scan.rows) calls.push(await toCallState(context, row, membersOf(row)));
  return { calls };
}

/** Adds the members of `rows` to `membersByCall` (keyed `type:id`), in one query. */
async function loadMembers(
  db: Queryable,
  rows: CallRow[],
  membersByCall: Map<string, MemberRow[]>,
): Promise<void> {
  if (rows.length === 0) return;
  const members = await db.query<MemberRow & { call_type: string; call_id: string }>(
    `SELECT call_type, call_id, user_id, role, grants FROM call_members
     WHERE (call_type || ':' || call_id) = ANY($1::text[]) ORDER BY user_id`,
    [rows.map((row) => `${row.call_type}:${row.id}`)],
  );
  for (const { call_type, call_id, ...member } of members) {
    const key = `${call_type}:${call_id}`;
    membersByCall.set(key, [...(membersByCall.get(key) ?? []), member]);
  }
}
