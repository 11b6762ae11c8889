// The JSON Schema pieces request bodies and paths are built from: ids in Stream's charset, team
// names and lists, names, string lists, stored objects, paging. Each carries the reason a failure
// answers with (`x-reason`, see schema-errors.ts) and a `description` that is both the OpenAPI
// text and the error message ("user_id must be <description>").
import { Type, type Static, type TSchema, type TSchemaOptions } from 'typebox';
import {
  CALL_ID_PATTERN,
  ID_PATTERN,
  MAX_ID_LENGTH,
  MAX_LIST_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TEAM_NAME,
  MAX_TEAMS_PER_USER,
} from './limits.js';

const ID_TEXT = `1–${String(MAX_ID_LENGTH)} characters of letters, digits, @ _ -`;

/** A user id (Stream's charset; `.` and `..` are not ids). */
export const userId = Type.String({
  pattern: ID_PATTERN.source,
  maxLength: MAX_ID_LENGTH,
  description: ID_TEXT,
  'x-reason': 'INVALID_ID',
});

/** A call id: an id, or `TEAM:` and an id (255 characters in all). */
export const callId = Type.String({
  pattern: CALL_ID_PATTERN.source,
  maxLength: MAX_ID_LENGTH,
  description: `${ID_TEXT}, optionally behind one team prefix "TEAM:"`,
  'x-reason': 'INVALID_ID',
});

/** A name looked up in the live policy (a role, permission or call type): any non-empty text. */
export const pathName = Type.String({ minLength: 1, description: 'a non-empty name' });

export const team = Type.String({
  minLength: 1,
  maxLength: MAX_TEAM_NAME,
  description: `a team name of 1–${String(MAX_TEAM_NAME)} characters`,
  'x-reason': 'INVALID_TEAM',
  'x-reasons': { maxLength: 'TEAM_NAME_TOO_LONG' },
});

export const teams = Type.Array(team, {
  maxItems: MAX_TEAMS_PER_USER,
  description: `a list of at most ${String(MAX_TEAMS_PER_USER)} team names`,
  'x-reason': 'INVALID_TEAM',
  'x-reasons': { maxItems: 'TOO_MANY_TEAMS' },
});

/** A name or description. */
export const text = Type.String({
  maxLength: MAX_NAME_LENGTH,
  description: `a string of at most ${String(MAX_NAME_LENGTH)} characters`,
});

/** A list of strings (permission ids, modifiers, user ids) of at most `maxItems` items. */
export function stringList<Item extends TSchema>(
  item: Item,
  maxItems = MAX_LIST_LENGTH,
): ReturnType<typeof Type.Array<Item>> {
  return Type.Array(item, {
    maxItems,
    description: `a list of at most ${String(maxItems)} items`,
  });
}

export const userIds = (maxItems = MAX_LIST_LENGTH) => stringList(userId, maxItems);

/**
 * An object whose every value has one schema, whatever its keys are called (`additionalProperties`
 * rather than TypeBox's Record, whose key pattern `^.*$` misses keys with a line break).
 */
export function map<Value extends TSchema>(value: Value, options: TSchemaOptions = {}) {
  return Type.Unsafe<Record<string, Static<Value>>>({
    ...options,
    type: 'object',
    additionalProperties: value,
  });
}

/** A JSON object a client stores (`custom`, `settings_override`): json-bounds.ts bounds it. */
export const storedObject = map(Type.Unknown(), {
  description: 'a JSON object (at most 16 levels, 256 keys, 16 KiB)',
});

/** `role → modifiers` (grants, or call overrides with `!` revokes). */
export const grantsMap = map(stringList(Type.String()), {
  description: 'role → list of permission ids (`!id` revokes)',
});

/** The value as given, or null. */
export function nullable<Schema extends TSchema>(schema: Schema) {
  const { type } = schema as { type?: string };
  return Type.Unsafe<Static<Schema> | null>({ ...schema, type: [type, 'null'] });
}

export const paging = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'an integer from 1 to 100' }),
  ),
  offset: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 10_000, description: 'an integer from 0 to 10000' }),
  ),
};

/** Stream's filter object; its own bounds and grammar are checked by server/query/. */
export const filterConditions = map(Type.Unknown(), {
  description: "an object of Stream's filter operators",
  'x-reason': 'INVALID_FILTER',
});

/** Stream's sort: `[{field, direction}]` (checked by server/query/sort-sql.ts). */
export const sort = Type.Unknown({ description: "Stream's sort list" });
