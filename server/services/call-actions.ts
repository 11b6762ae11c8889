// Stream's call actions: end (mark_ended), delete, mute users, block / unblock and kick. Each is
// decided by the policy on the stored call (server-side requests are allowed as SERVER_SIDE),
// answers 404 for a call of another tenant, and changes nothing when refused. Media is out of
// scope: muting and kicking are decided and answered, and only a block is stored.
import type { CallResponse } from '../../sdk/clients/types.js';
import type { Queryable } from '../db/database.js';
import { badRequest } from '../errors.js';
import {
  addBlock,
  deleteCallRow,
  findCall,
  markDeleted,
  markEnded,
  removeBlock,
} from '../store/calls.js';
import { isoTimestamp } from '../store/timestamps.js';
import {
  decideAllOrRefuse,
  decisionInput,
  requireUsersExist,
  requireVisibleCall,
  toCallState,
  type CallState,
  type VisibleCall,
} from './call-records.js';
import type { ServiceContext } from './context.js';
import type { DeleteCallBody, MuteBody, TargetBody } from '../schemas/bodies.js';

/** Stream's plain acknowledgement; the app adds `duration` to every answer. */
type Acknowledged = Record<string, never>;

const ACKNOWLEDGED: Acknowledged = {};

/**
 * The shared frame of an action: the visible call (404 otherwise), every decision of `actions`
 * allowed (the first refusal otherwise), then `apply` in the same transaction, so a refused
 * request changes nothing.
 */
async function decidedAction<R>(
  context: ServiceContext,
  callType: string,
  id: string,
  actions: readonly string[],
  apply: (tx: Queryable, call: VisibleCall) => Promise<R>,
  options: { includeDeleted?: boolean } = {},
): Promise<R> {
  return context.db.transaction(async (tx) => {
    const call = await requireVisibleCall(context, tx, callType, id, options);
    await decideAllOrRefuse(
      context,
      actions.map((action) => decisionInput(context, action, call.row, call.members)),
    );
    return apply(tx, call);
  });
}

/**
 * The target of a mute, block or kick: a member of the call, or a user the caller can reach
 * (one of another tenant is reported as unknown, 400 UNKNOWN_USER, like a missing one).
 */
async function requireTargets(
  context: ServiceContext,
  tx: Queryable,
  call: VisibleCall,
  userIds: readonly string[],
): Promise<void> {
  const members = new Set(call.members.map((member) => member.user_id));
  await requireUsersExist(
    context,
    tx,
    userIds.filter((userId) => !members.has(userId)),
  );
}

/** POST …/mark_ended (EndCall): sets `ended_at` once; ending an ended call keeps the first time. */
export async function endCall(
  context: ServiceContext,
  callType: string,
  id: string,
): Promise<CallState> {
  return decidedAction(context, callType, id, ['EndCall'], async (tx, { members }) => {
    await markEnded(tx, callType, id);
    const ended = await findCall(tx, callType, id);
    if (ended === undefined) throw new Error('an ended call vanished inside its transaction');
    return toCallState(context, ended, members);
  });
}

/** Stream's DeleteCallResponse: the call as deleted (rolecall adds its `deleted_at`). */
export interface DeletedCall {
  call: CallResponse & { deleted_at: string | null };
}

/**
 * POST …/delete `{hard?}`. The catalog has no delete action: a client's delete is decided as
 * EndCall (end-call, or end-call-owner for the creator), since deleting a call ends it for good;
 * a grants file cannot yet allow ending without allowing deletion.
 *
 * Soft (default): the call is ended and marked deleted; its id stays taken (as in Stream), and
 * get, getOrCreate, join, every action and the query answer as for a missing call. `hard: true`
 * removes the row, its members and blocks. The server side may hard-delete a soft-deleted call,
 * which frees its id.
 */
export async function deleteCall(
  context: ServiceContext,
  callType: string,
  id: string,
  body: DeleteCallBody,
): Promise<DeletedCall> {
  const hard = body.hard === true;
  const includeDeleted = hard && context.actor.side === 'server';
  return decidedAction(
    context,
    callType,
    id,
    ['EndCall'],
    async (tx, { row, members }) => {
      const state = await toCallState(context, row, members);
      if (hard) {
        await deleteCallRow(tx, callType, id);
        return { call: { ...state.call, deleted_at: isoTimestamp(row.deleted_at ?? new Date()) } };
      }
      const marked = await markDeleted(tx, callType, id);
      if (marked === undefined) throw new Error('a deleted call vanished inside its transaction');
      return {
        call: {
          ...state.call,
          ended_at: isoTimestamp(marked.ended_at),
          deleted_at: isoTimestamp(marked.deleted_at),
        },
      };
    },
    { includeDeleted },
  );
}

/** The users a mute names; a mute must name some or all. */
function mutedUsers(body: MuteBody): string[] {
  const userIds = body.user_ids ?? [];
  if (userIds.length === 0 && body.mute_all_users !== true) {
    throw badRequest('INVALID_REQUEST', 'name user_ids or set mute_all_users');
  }
  return userIds;
}

/** POST …/mute_users (MuteUsers): decided and checked, then acknowledged (media is out of scope). */
export async function muteUsers(
  context: ServiceContext,
  callType: string,
  id: string,
  body: MuteBody,
): Promise<Acknowledged> {
  const userIds = mutedUsers(body);
  return decidedAction(context, callType, id, ['MuteUsers'], async (tx, call) => {
    await requireTargets(context, tx, call, userIds);
    return ACKNOWLEDGED;
  });
}

/** POST …/block `{user_id}` (BlockUsers): the user can no longer join or read this call. */
export async function blockUser(
  context: ServiceContext,
  callType: string,
  id: string,
  { user_id: userId }: TargetBody,
): Promise<Acknowledged> {
  return decidedAction(context, callType, id, ['BlockUsers'], async (tx, call) => {
    await requireTargets(context, tx, call, [userId]);
    await addBlock(tx, callType, id, userId);
    return ACKNOWLEDGED;
  });
}

/** POST …/unblock `{user_id}` (BlockUsers): lifts a block; unblocking a free user is a no-op. */
export async function unblockUser(
  context: ServiceContext,
  callType: string,
  id: string,
  { user_id: userId }: TargetBody,
): Promise<Acknowledged> {
  return decidedAction(context, callType, id, ['BlockUsers'], async (tx) => {
    await removeBlock(tx, callType, id, userId);
    return ACKNOWLEDGED;
  });
}

/**
 * POST …/kick `{user_id, block?}` (KickUser, and BlockUsers too with `block: true`). Kicking ends
 * the user's session, which is media (out of scope): only the block is stored.
 */
export async function kickUser(
  context: ServiceContext,
  callType: string,
  id: string,
  { user_id: userId, block = false }: TargetBody,
): Promise<Acknowledged> {
  const actions = block ? ['KickUser', 'BlockUsers'] : ['KickUser'];
  return decidedAction(context, callType, id, actions, async (tx, call) => {
    await requireTargets(context, tx, call, [userId]);
    if (block) await addBlock(tx, callType, id, userId);
    return ACKNOWLEDGED;
  });
}
