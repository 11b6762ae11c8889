// The JSON Schema of every request body and path the routes read, and the TypeScript type a
// service receives after fastify validated it (schema-errors.ts turns a failure into Stream's 400).
// Bodies of Stream's own requests allow fields the server ignores (`ring`, `notify`, media
// flags…), as Stream's clients send them; rolecall's admin bodies refuse unknown fields, so a
// typo such as `same_tem` cannot silently widen a permission.
import { Type, type Static } from 'typebox';
import {
  callId,
  filterConditions,
  grantsMap,
  nullable,
  paging,
  pathName,
  sort,
  storedObject,
  stringList,
  team,
  teams,
  text,
  userId,
  userIds,
} from './fields.js';

const closed = { additionalProperties: false } as const;

/** Members one request may add, or remove; users one request may upsert, change or delete. */
export const MAX_MEMBERS_PER_REQUEST = 100;
export const MAX_USERS_PER_REQUEST = 100;

// Paths.

export const callPath = Type.Object({ type: pathName, id: callId });
export const namePath = Type.Object({ name: pathName });
export const idPath = Type.Object({ id: pathName });
/** A grants-file call key's parts: the grants validator judges them, with its own messages. */
export const overridePath = Type.Object({ type: pathName, id: pathName });

// Users.

const userFields = {
  name: Type.Optional(text),
  role: Type.Optional(text),
  teams: Type.Optional(teams),
  custom: Type.Optional(storedObject),
  // Stream's profile fields, stored and answered as given.
  image: Type.Optional(text),
  language: Type.Optional(text),
};

export const userInput = Type.Object({ id: userId, ...userFields }, closed);
export type UserInput = Static<typeof userInput>;

/** Stream's `{users: {id: user}}`, or a list of users. */
export const upsertUsersBody = Type.Object({
  users: Type.Unsafe<UserInput[] | Record<string, UserInput>>({
    type: ['array', 'object'],
    items: userInput,
    additionalProperties: userInput,
    minItems: 1,
    maxItems: MAX_USERS_PER_REQUEST,
    minProperties: 1,
    maxProperties: MAX_USERS_PER_REQUEST,
    description: `a list or map of 1 to ${String(MAX_USERS_PER_REQUEST)} users`,
  }),
});
export type UpsertUsersBody = Static<typeof upsertUsersBody>;

export const partialUpdate = Type.Object({
  id: userId,
  // An id in `set` is ignored: `id` names the user.
  set: Type.Optional(Type.Object({ id: Type.Optional(Type.Unknown()), ...userFields }, closed)),
  unset: Type.Optional(
    Type.Array(Type.Enum(['name', 'custom', 'teams', 'image', 'language']), {
      description: 'a list of fields to clear: name, custom, teams, image, language',
    }),
  ),
});
export type PartialUpdate = Static<typeof partialUpdate>;

export const updateUsersBody = Type.Object({
  users: Type.Array(partialUpdate, {
    minItems: 1,
    maxItems: MAX_USERS_PER_REQUEST,
    description: `a list of 1 to ${String(MAX_USERS_PER_REQUEST)} {id, set, unset} changes`,
  }),
});
export type UpdateUsersBody = Static<typeof updateUsersBody>;

export const deleteUsersBody = Type.Object({
  user_ids: Type.Array(userId, {
    minItems: 1,
    maxItems: MAX_USERS_PER_REQUEST,
    description: `a list of 1 to ${String(MAX_USERS_PER_REQUEST)} user ids`,
  }),
});
export type DeleteUsersBody = Static<typeof deleteUsersBody>;

export const guestBody = Type.Object({
  user: Type.Optional(
    Type.Object({
      id: Type.Optional(userId),
      name: Type.Optional(text),
      custom: Type.Optional(storedObject),
    }),
  ),
});
export type GuestBody = Static<typeof guestBody>;

/** queryUsers and queryCalls (queryUsers also accepts it wrapped in `{payload: …}`). */
export const listingBody = Type.Object({
  filter_conditions: Type.Optional(nullable(filterConditions)),
  sort: Type.Optional(sort),
  limit: Type.Optional(nullable(paging.limit)),
  offset: Type.Optional(nullable(paging.offset)),
});
export type ListingBody = Static<typeof listingBody>;

// Calls.

export const memberInput = Type.Object({ user_id: userId, role: Type.Optional(Type.String()) });
export type MemberInput = Static<typeof memberInput>;

const members = Type.Array(memberInput, {
  maxItems: MAX_MEMBERS_PER_REQUEST,
  description: `a list of at most ${String(MAX_MEMBERS_PER_REQUEST)} members`,
});

export const getOrCreateBody = Type.Object({
  data: Type.Optional(
    Type.Object({
      team: Type.Optional(nullable(team)),
      created_by_id: Type.Optional(userId),
      // Stream's clients may name the creator as a user object instead (its id is what counts).
      created_by: Type.Optional(Type.Object({ id: userId })),
      members: Type.Optional(members),
      custom: Type.Optional(storedObject),
      settings_override: Type.Optional(storedObject),
    }),
  ),
});
export type GetOrCreateBody = Static<typeof getOrCreateBody>;

/** Not free-form: the grants validator then allows only roles and known permission modifiers. */
export const configOverrides = Type.Object({ grants: Type.Optional(nullable(grantsMap)) }, closed);

export const updateCallBody = Type.Object(
  {
    custom: Type.Optional(storedObject),
    settings_override: Type.Optional(storedObject),
    config_overrides: Type.Optional(nullable(configOverrides)),
    team: Type.Optional(nullable(team)),
    created_by_id: Type.Optional(userId),
  },
  closed,
);
export type UpdateCallBody = Static<typeof updateCallBody>;

export const updateMembersBody = Type.Object({
  update_members: Type.Optional(members),
  remove_members: Type.Optional(userIds(MAX_MEMBERS_PER_REQUEST)),
});
export type UpdateMembersBody = Static<typeof updateMembersBody>;

export const userPermissionsBody = Type.Object({
  user_id: userId,
  grant_permissions: Type.Optional(stringList(Type.String())),
  revoke_permissions: Type.Optional(stringList(Type.String())),
});
export type UserPermissionsBody = Static<typeof userPermissionsBody>;

const flag = Type.Optional(Type.Boolean());

export const muteBody = Type.Object({
  // Stream's own bound is far larger; this one keeps a mute's decisions cheap.
  user_ids: Type.Optional(userIds(MAX_USERS_PER_REQUEST)),
  mute_all_users: flag,
  // Media flags: checked for shape only, nothing is muted by the reference server.
  audio: flag,
  video: flag,
  screenshare: flag,
});
export type MuteBody = Static<typeof muteBody>;

/** Stream's deleteCall: `hard` deletes the call's data too. */
export const deleteCallBody = Type.Object({ hard: flag });
export type DeleteCallBody = Static<typeof deleteCallBody>;

/** block, unblock and kick (`block` only means something to kick). */
export const targetBody = Type.Object({ user_id: userId, block: flag });
export type TargetBody = Static<typeof targetBody>;

// Admin (server side).

export const updateAppBody = Type.Object(
  { multi_tenant_enabled: flag, grants: Type.Optional(nullable(grantsMap)) },
  closed,
);
export type UpdateAppBody = Static<typeof updateAppBody>;

export const createRoleBody = Type.Object(
  {
    name: Type.String(),
    level: Type.Optional(Type.Enum(['user', 'call'], { description: 'user or call' })),
    description: Type.Optional(text),
  },
  closed,
);
export type CreateRoleBody = Static<typeof createRoleBody>;

/** createPermission and updatePermission; the grants validator judges the id and the action. */
export const permissionBody = Type.Object(
  {
    id: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
    name: Type.Optional(text),
    description: Type.Optional(text),
    owner: flag,
    same_team: flag,
  },
  closed,
);
export type PermissionBody = Static<typeof permissionBody>;

export const createCallTypeBody = Type.Object(
  { name: Type.String(), grants: Type.Optional(nullable(grantsMap)) },
  closed,
);
export type CreateCallTypeBody = Static<typeof createCallTypeBody>;

/** Stream's updateCallType: `grants: null` resets the type's grants (its settings are ignored). */
export const updateCallTypeBody = Type.Object({ grants: nullable(grantsMap) });
export type GrantsPatchBody = Static<typeof updateCallTypeBody>;

/** rolecall's call overrides: `grants: null` removes them. */
export const callOverridesBody = Type.Object({ grants: nullable(grantsMap) }, closed);
