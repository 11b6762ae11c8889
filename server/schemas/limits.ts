// The limits and id charset of request bodies (Stream's: ≤250 teams, team names ≤100 characters,
// ids of letters, digits, `@`, `_`, `-`). The routes' JSON Schemas (server/routes/fields.ts) are
// built from them, and token checks (auth.ts) use the same id rule.

export const MAX_TEAMS_PER_USER = 250;
export const MAX_TEAM_NAME = 100;
/** Longest user id, and longest call id (its team prefix included). */
export const MAX_ID_LENGTH = 255;
/** Longest user name and role description. */
export const MAX_NAME_LENGTH = 1024;
/** Longest list of strings in a body (permission lists, grants lists, removed members). */
export const MAX_LIST_LENGTH = 1000;

/**
 * Stream's id charset: letters, digits, `@`, `_` and `-`. No `.`, `/`, `%` or spaces, so an id is
 * always one path segment as it is (`.` and `..` are not ids).
 */
export const ID_PATTERN = /^[A-Za-z0-9@_-]+$/;
/** A call id may carry one team prefix: `TEAM:` then an id (see `callIdPrefix`). */
export const CALL_ID_PATTERN = /^(?:[A-Za-z0-9@_-]+:)?[A-Za-z0-9@_-]+$/;

/** Whether `value` is a user id: 1–255 characters of letters, digits, `@`, `_`, `-`. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && ID_PATTERN.test(value);
}

/** The team prefix of a call id (`red` of `red:weekly`), or null when it has none. */
export function callIdPrefix(id: string): string | null {
  const separator = id.indexOf(':');
  return separator < 0 ? null : id.slice(0, separator);
}
