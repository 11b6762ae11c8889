// What every call service shares: reading a call and its members, building the decision input
// from the stored record (never from the request body), the tenant check (404) and the wire shape.
import { effectiveCallGrants } from '../../core/layering.js';
import type { GrantsMap } from '../../compiler/types.js';
import type { CallResponse } from '../../sdk/clients/types.js';
import type { CallResource, Decision, DecisionInput, Subject } from '../../sdk/types.js';
import { PREPARED, type Queryable } from '../db/database.js';
import { refusalOf } from '../decider.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { ServiceContext } from './context.js';

export interface CallRow {
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
  deleted_at: Date | string | null;
}

export interface MemberRow {
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

export const CALL_COLUMNS =
  'call_type, id, team, created_by_id, custom, settings_override, config_overrides, created_at, updated_at, ended_at, deleted_at';

/** CALL_COLUMNS of the table aliased `c`. */
const CALL_COLUMNS_OF_C = CALL_COLUMNS.split(', ')
  .map((column) => `c.${column}`)
  .join(', ');

export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export interface FindCallOptions {
  /** Lock the row for the rest of the transaction. */
  forUpdate?: boolean;
  /** Also find a soft-deleted call (its id stays taken). */
  includeDeleted?: boolean;
}

export async function findCall(
  db: Queryable,
  callType: string,
  id: string,
  options: FindCallOptions = {},
): Promise<CallRow | undefined> {
  const live = options.includeDeleted === true ? '' : ' AND deleted_at IS NULL';
  const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
  const rows = await db.query<CallRow>(
    `SELECT ${CALL_COLUMNS} FROM calls WHERE call_type = $1 AND id = $2${live}${lock}`,
    [callType, id],
    PREPARED,
  );
  return rows[0];
}

export async function findMembers(
  db: Queryable,
  callType: string,
  id: string,
): Promise<MemberRow[]> {
  return db.query<MemberRow>(
    'SELECT user_id, role, grants FROM call_members WHERE call_type = $1 AND call_id = $2 ORDER BY user_id',
    [callType, id],
    PREPARED,
  );
}

/** A call with its members, and whether one user is blocked from it, as of one snapshot. */
export interface CallView {
  row: CallRow;
  members: MemberRow[];
  /** Whether the `blockedUserId` asked about is blocked from the call (false when none was). */
  blocked: boolean;
}

/**
 * Reads a call, its members (ordered as findMembers orders them) and a block in one statement,
 * so a read costs one round trip and sees one snapshot. It locks nothing: a request that writes
 * locks the row first (requireVisibleCall) and reads the members after the lock, so it sees
 * every change committed before it got the lock.
 */
export async function readCallView(
  db: Queryable,
  callType: string,
  id: string,
  options: { includeDeleted?: boolean; blockedUserId?: string } = {},
): Promise<CallView | undefined> {
  const live = options.includeDeleted === true ? '' : ' AND c.deleted_at IS NULL';
  const rows = await db.query<CallRow & { members: MemberRow[]; blocked: boolean }>(
    `SELECT ${CALL_COLUMNS_OF_C},
       COALESCE((SELECT json_agg(json_build_object('user_id', m.user_id, 'role', m.role, 'grants', m.grants) ORDER BY m.user_id)
                 FROM call_members m WHERE m.call_type = c.call_type AND m.call_id = c.id), '[]'::json) AS members,
       EXISTS (SELECT 1 FROM call_blocked_users b
               WHERE b.call_type = c.call_type AND b.call_id = c.id AND b.user_id = $3) AS blocked
     FROM calls c WHERE c.call_type = $1 AND c.id = $2${live}`,
    [callType, id, options.blockedUserId ?? null],
    PREPARED,
  );
  const found = rows[0];
  if (found === undefined) return undefined;
  const { members, blocked, ...row } = found;
  return { row, members, blocked };
}

/** Adds the members of `rows` to `membersByCall` (keyed `type:id`), in one query. */
export async function loadMembers(
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

export type CallKeyFields = Pick<
  CallRow,
  'call_type' | 'id' | 'team' | 'created_by_id' | 'config_overrides'
>;

function callResource(row: CallKeyFields): CallResource {
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

export function decisionInput(
  context: ServiceContext,
  action: string,
  row: CallKeyFields,
  members: readonly MemberRow[],
  changes?: string[],
): DecisionInput {
  return context.policy.input(action, callResource(row), {
    subject: subjectIn(context, members),
    ...(changes === undefined ? {} : { changes }),
  });
}

export interface VisibleCall {
  row: CallRow;
  members: MemberRow[];
  read: Decision;
}

/**
 * Existing calls of another tenant, and deleted calls, answer 404 whatever the action, before
 * any other refusal. The row is locked for the rest of the transaction.
 */
export async function requireVisibleCall(
  context: ServiceContext,
  tx: Queryable,
  callType: string,
  id: string,
  options: Pick<FindCallOptions, 'includeDeleted'> = {},
): Promise<VisibleCall> {
  const row = await findCall(tx, callType, id, { ...options, forUpdate: true });
  if (row === undefined) throw notFound(`call "${callType}:${id}"`);
  const members = await findMembers(tx, callType, id);
  return { row, members, read: await decideVisibility(context, row, members) };
}

/** The ReadCall decision of a found call; another tenant's call is a 404, like a missing one. */
export async function decideVisibility(
  context: ServiceContext,
  row: CallRow,
  members: readonly MemberRow[],
): Promise<Decision> {
  const read = await context.policy.decide(decisionInput(context, 'ReadCall', row, members));
  if (!read.allow && read.reason === 'TEAM_MISMATCH')
    throw notFound(`call "${row.call_type}:${row.id}"`);
  return read;
}

export async function decideOrRefuse(context: ServiceContext, input: DecisionInput): Promise<void> {
  const decision = await context.policy.decide(input);
  if (!decision.allow) throw refusalOf(decision);
}

/** Every decision must allow; the first refusal (in order) is the answer. */
export async function decideAllOrRefuse(
  context: ServiceContext,
  inputs: readonly DecisionInput[],
): Promise<void> {
  const decisions = await context.policy.decideMany(inputs);
  const refused = decisions.find((decision) => !decision.allow);
  if (refused !== undefined) throw refusalOf(refused);
}

/**
 * A user blocked from this call (BlockUsers) can neither join nor read it. Not a policy rule: the
 * block is a fact of the call record, like its members, and outranks any grant.
 */
export async function refuseBlockedSubject(
  context: ServiceContext,
  tx: Queryable,
  row: Pick<CallRow, 'call_type' | 'id'>,
): Promise<void> {
  if (context.actor.side === 'server') return;
  const blocked = await tx.query(
    'SELECT 1 FROM call_blocked_users WHERE call_type = $1 AND call_id = $2 AND user_id = $3',
    [row.call_type, row.id, context.actor.subject.id],
    PREPARED,
  );
  if (blocked.length > 0) throw blockedError(row);
}

/** Whom a call view asks about blocks: the requesting user (the server is never blocked). */
export function blockedUserOf(context: ServiceContext): { blockedUserId?: string } {
  return context.actor.side === 'server' ? {} : { blockedUserId: context.actor.subject.id };
}

export function blockedError(row: Pick<CallRow, 'call_type' | 'id'>): ApiError {
  return new ApiError(
    403,
    'USER_BLOCKED',
    `you are blocked from call "${row.call_type}:${row.id}"`,
  );
}

export async function toCallState(
  context: ServiceContext,
  row: CallRow,
  members: MemberRow[],
): Promise<CallState> {
  const policy = context.live.snapshot.policy;
  const subject = subjectIn(context, members);
  const capabilities = await context.policy.capabilities(
    decisionInput(context, 'ReadCall', row, members),
  );
  const membership = members.find((member) => member.user_id === subject.id) ?? null;
  return {
    call: {
      type: row.call_type,
      id: row.id,
      cid: `${row.call_type}:${row.id}`,
      team: row.team,
      created_by_id: row.created_by_id,
      // Stream's shape names the creator as a user object; the id is what the server shares.
      created_by: { id: row.created_by_id },
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

/**
 * The users must exist and, for a client, be within its reach: a user of another tenant is
 * reported exactly like a missing one, so member lists cannot probe other tenants' ids.
 */
export async function requireUsersExist(
  context: ServiceContext,
  tx: Queryable,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  const rows = await tx.query<{ id: string; role: string; teams: string[] }>(
    'SELECT id, role, teams FROM users WHERE id = ANY($1::text[]) AND deleted_at IS NULL',
    [ids],
    PREPARED,
  );
  const probes = await context.policy.decideMany(
    rows.map((row) =>
      context.policy.input('SearchUser', {
        kind: 'user',
        id: row.id,
        role: row.role,
        teams: row.teams,
      }),
    ),
  );
  const found = new Set(
    rows.filter((_row, index) => probes[index]?.reason !== 'TEAM_MISMATCH').map((row) => row.id),
  );
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw badRequest('UNKNOWN_USER', `user "${missing}" does not exist`);
}
