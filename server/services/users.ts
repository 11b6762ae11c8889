// Users: upsert (back end, or a decided client request), partial update, soft delete and
// queryUsers with the policy's team filter re-applied on the server.
import { randomUUID } from 'node:crypto';
import { own } from '../../core/engine/json.js';
import { isUserLevel } from '../../core/policy.js';
import type { UserResource } from '../../sdk/types.js';
import type { Queryable } from '../db/database.js';
import {
  findUserRow,
  insertGuestRow,
  listUserRows,
  softDeleteUserRow,
  updateUserRow,
  upsertUserRow,
  type ClearableField,
  type UserFields,
  type UserRow,
} from '../store/users.js';
import { isoTimestamp } from '../store/timestamps.js';
import { refusalOf } from '../decider.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { holdCurrentGrants } from './grants-hold.js';
import type { ServiceContext } from './context.js';
import type {
  DeleteUsersBody,
  GuestBody,
  ListingBody,
  PartialUpdate as PartialUpdateBody,
  UpdateUsersBody,
  UpsertUsersBody,
  UserInput as UserBody,
} from '../schemas/bodies.js';
import { expectStoredObject } from '../schemas/json-bounds.js';
import type { UserResponse } from '../../sdk/clients/types.js';
import { listingOf } from './scoped-filter.js';

/** A user as the API returns it: the wire shape the SDK's clients read, defined once. */
export type UserRecord = UserResponse;

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    teams: [...row.teams].sort(),
    custom: row.custom,
    // Stream answers these only when the user has them.
    ...(row.image === null ? {} : { image: row.image }),
    ...(row.language === null ? {} : { language: row.language }),
    created_at: isoTimestamp(row.created_at),
    updated_at: isoTimestamp(row.updated_at),
  };
}

export async function findUser(db: Queryable, id: string): Promise<UserRecord | undefined> {
  const row = await findUserRow(db, id);
  return row === undefined ? undefined : toUserRecord(row);
}

function userResource(user: Pick<UserRecord, 'id' | 'role' | 'teams'>): UserResource {
  return { kind: 'user', id: user.id, role: user.role, teams: user.teams };
}

/** The stored user, or undefined when it is missing or in another tenant (alike, never probed). */
async function findVisibleUser(
  context: ServiceContext,
  id: string,
  tx: Queryable,
): Promise<UserRecord | undefined> {
  const user = await findUser(tx, id);
  if (user === undefined) return undefined;
  const probe = await context.policy.ask('SearchUser', userResource(user));
  return !probe.allow && probe.reason === 'TEAM_MISMATCH' ? undefined : user;
}

/** 404 (never 403) when the user is missing or in another tenant. */
async function requireVisibleUser(
  context: ServiceContext,
  id: string,
  tx: Queryable,
): Promise<UserRecord> {
  const user = await findVisibleUser(context, id, tx);
  if (user === undefined) throw notFound(`user "${id}"`);
  return user;
}

type UserInput = UserFields & { id: string };

function checkRole(context: ServiceContext, role: string | undefined): void {
  if (role === undefined) return;
  const definition = own(context.live.snapshot.policy.roles, role);
  if (definition === undefined) throw badRequest('UNKNOWN_ROLE', `unknown role "${role}"`);
  if (!isUserLevel(definition.level)) {
    throw badRequest('ROLE_LEVEL_MISMATCH', `"${role}" is a call-level role, not a user role`);
  }
}

/** A write that sets roles holds the stored grants and checks the roles against them again. */
async function holdGrantsForRoles(
  context: ServiceContext,
  tx: Queryable,
  inputs: readonly Pick<UserInput, 'role'>[],
): Promise<void> {
  if (inputs.every((input) => input.role === undefined)) return;
  await holdCurrentGrants(context, tx);
  for (const input of inputs) checkRole(context, input.role);
}

/** The fields of one user but its id, checked against the policy; `what` names it in errors. */
function userFields(
  context: ServiceContext,
  body: Omit<UserBody, 'id'>,
  what: string,
): Omit<UserInput, 'id'> {
  checkRole(context, body.role);
  const user: Omit<UserInput, 'id'> = {};
  if (body.name !== undefined) user.name = body.name;
  if (body.role !== undefined) user.role = body.role;
  if (body.teams !== undefined) user.teams = [...new Set(body.teams)].sort();
  if (body.custom !== undefined) user.custom = expectStoredObject(body.custom, `${what}.custom`);
  if (body.image !== undefined) user.image = body.image;
  if (body.language !== undefined) user.language = body.language;
  return user;
}

/** The fields an input sets, each to another value than the user has (compared as JSON). */
const CHANGEABLE_FIELDS = ['name', 'role', 'teams', 'custom', 'image', 'language'] as const;

function changedFields(existing: UserRecord, input: Omit<UserInput, 'id'>): string[] {
  return CHANGEABLE_FIELDS.filter(
    (field) =>
      input[field] !== undefined &&
      JSON.stringify(input[field]) !== JSON.stringify(existing[field]),
  );
}

/** Stream's `{users: {id: user}}`: each key must be its user's id, or which one is meant? */
function usersOfMap(users: Record<string, UserInput>): UserInput[] {
  return Object.entries(users).map(([key, user]) => {
    if (key !== user.id) {
      throw badRequest(
        'INVALID_REQUEST',
        `users[${JSON.stringify(key)}] has id ${JSON.stringify(user.id)}; the key must be the user's id`,
      );
    }
    return user;
  });
}

/** Creates or replaces users; all or nothing, each one decided (CreateUser / UpdateUser). */
export async function upsertUsers(
  context: ServiceContext,
  body: UpsertUsersBody,
): Promise<{ users: Record<string, UserRecord> }> {
  const list = Array.isArray(body.users) ? body.users : usersOfMap(body.users);
  const inputs = list.map((user, index): UserInput => ({
    id: user.id,
    ...userFields(context, user, `users[${String(index)}]`),
  }));
  return context.db.transaction(async (tx) => {
    await holdGrantsForRoles(context, tx, inputs);
    // A Map, so an id such as `__proto__` (letters and `_`) is a key like any other.
    const users = new Map<string, UserRecord>();
    for (const input of inputs) {
      // A user of another tenant is decided as a missing one (CreateUser), so an upsert cannot
      // tell its id apart from a free one.
      const stored = await findUser(tx, input.id);
      const existing = await findVisibleUser(context, input.id, tx);
      const decision =
        existing === undefined
          ? await context.policy.ask(
              'CreateUser',
              userResource({ id: input.id, role: input.role ?? 'user', teams: input.teams ?? [] }),
            )
          : await context.policy.ask('UpdateUser', userResource(existing), {
              changes: changedFields(existing, input),
            });
      if (!decision.allow) {
        if (existing !== undefined && decision.reason === 'TEAM_MISMATCH')
          throw notFound(`user "${input.id}"`);
        throw refusalOf(decision);
      }
      // Never overwrite a user the requester cannot see, even where it may create users.
      if (stored !== undefined && existing === undefined) throw notFound(`user "${input.id}"`);
      const row = await upsertUserRow(tx, input.id, input);
      if (row === undefined) throw new ApiError(500, 'INTERNAL', 'upsert returned no row');
      users.set(input.id, toUserRecord(row));
    }
    return { users: Object.fromEntries(users) };
  });
}

/** One `{id, set, unset}` change, parsed: the changed fields are decided (UpdateUser). */
interface PartialUpdate {
  id: string;
  input: Omit<UserInput, 'id'>;
  unsetFields: ClearableField[];
}

function partialUpdate(
  context: ServiceContext,
  { id, set = {}, unset = [] }: PartialUpdateBody,
  what: string,
): PartialUpdate {
  // An id in `set` is ignored: `id` names the user.
  return { id, input: userFields(context, set, `${what}.set`), unsetFields: unset };
}

async function applyPartialUpdate(
  context: ServiceContext,
  tx: Queryable,
  { id, input, unsetFields }: PartialUpdate,
): Promise<UserRecord> {
  const existing = await requireVisibleUser(context, id, tx);
  const changes = [...new Set([...changedFields(existing, input), ...unsetFields])].sort();
  const decision = await context.policy.ask('UpdateUser', userResource(existing), { changes });
  if (!decision.allow) throw refusalOf(decision);
  const row = await updateUserRow(tx, id, input, unsetFields);
  if (row === undefined) throw notFound(`user "${id}"`);
  return toUserRecord(row);
}

/**
 * Stream's `PATCH /users`: `{users: [{id, set, unset}, …]}`, all or nothing, each change decided
 * (UpdateUser with `changes`).
 */
export async function updateUsersPartial(
  context: ServiceContext,
  body: UpdateUsersBody,
): Promise<{ users: Record<string, UserRecord> }> {
  const updates = body.users.map((change, index) =>
    partialUpdate(context, change, `users[${String(index)}]`),
  );
  const [only] = updates;
  if (updates.length === 1 && only !== undefined && only.input.role === undefined) {
    // One change writes one row with one statement: atomic without a transaction.
    const user = await applyPartialUpdate(context, context.db, only);
    return { users: Object.fromEntries([[only.id, user]]) };
  }
  return context.db.transaction(async (tx) => {
    await holdGrantsForRoles(
      context,
      tx,
      updates.map((update) => update.input),
    );
    const users = new Map<string, UserRecord>();
    for (const update of updates)
      users.set(update.id, await applyPartialUpdate(context, tx, update));
    return { users: Object.fromEntries(users) };
  });
}

/**
 * Stream's `POST /users/delete` (server side): `{user_ids}`, a soft delete done at once (Stream
 * runs it as a task; the answer carries a task id all the same). The rows stay so deleteRole can
 * tell deleted users apart.
 */
export async function deleteUsers(
  context: ServiceContext,
  { user_ids: userIds }: DeleteUsersBody,
): Promise<{ task_id: string; users: Record<string, UserRecord> }> {
  return context.db.transaction(async (tx) => {
    const users = new Map<string, UserRecord>();
    for (const id of userIds) {
      const row = await softDeleteUserRow(tx, id);
      if (row === undefined) throw notFound(`user "${id}"`);
      users.set(id, toUserRecord(row));
    }
    return { task_id: randomUUID(), users: Object.fromEntries(users) };
  });
}

/** How long a guest's token lasts: guests are short-lived (seed 004). */
export const GUEST_TOKEN_SECONDS = 60 * 60;

/**
 * Stream's `POST /guest`: creates a short-lived user with role `guest` (no teams) and returns its
 * token; callable without a token (`stream-auth-type: anonymous`), as in seed 004. A given id
 * must be free; without one the server picks `guest-<uuid>`.
 */
export async function createGuest(
  context: ServiceContext,
  { user = {} }: GuestBody,
): Promise<{ user: UserRecord; access_token: string; created: true }> {
  const id = user.id ?? `guest-${randomUUID()}`;
  const custom = user.custom === undefined ? {} : expectStoredObject(user.custom, 'user.custom');
  const row = await insertGuestRow(context.db, id, user.name, custom);
  if (row === undefined) {
    throw new ApiError(409, 'USER_EXISTS', `user "${id}" exists; pick another id for the guest`);
  }
  return {
    user: toUserRecord(row),
    access_token: await context.issueGuestToken(id, GUEST_TOKEN_SECONDS),
    created: true,
  };
}

/** queryUsers: the policy's query_filter first (client side injects the team condition), then SQL. */
export async function queryUsers(
  context: ServiceContext,
  body: ListingBody,
): Promise<{ users: UserRecord[] }> {
  const { condition, orderSql, limit, offset } = await listingOf(context, 'users', body);
  const rows = await listUserRows(context.db, condition, orderSql, limit, offset);
  return { users: rows.map(toUserRecord) };
}
