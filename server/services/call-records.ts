// What every call service shares: the visible call (404 across tenants, read through
// server/store/calls.ts), the decision input built from the stored record (never from the request
// body), blocks, the users a request names, and the wire shape.
import { effectiveCallGrants } from '../../core/layering.js';
import type { CallResponse } from '../../sdk/clients/types.js';
import type { CallResource, Decision, DecisionInput, Subject } from '../../sdk/types.js';
import type { Queryable } from '../db/database.js';
import {
  findCall,
  findMembers,
  isBlocked,
  type CallRow,
  type FindCallOptions,
  type MemberRow,
} from '../store/calls.js';
import { refusalOf } from '../decider.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { ServiceContext } from './context.js';
import { isoTimestamp } from '../store/timestamps.js';
import { findIdentities } from '../store/users.js';

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
  const read = await decideVisibility(context, row, members);
  // A blocked user can do nothing with the call: every answer about it carries its state.
  await refuseBlockedSubject(context, tx, row);
  return { row, members, read };
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
  if (await isBlocked(tx, row.call_type, row.id, context.actor.subject.id)) throw blockedError(row);
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
      created_at: isoTimestamp(row.created_at),
      updated_at: isoTimestamp(row.updated_at),
      ended_at: isoTimestamp(row.ended_at),
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
  const rows = await findIdentities(tx, ids);
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
