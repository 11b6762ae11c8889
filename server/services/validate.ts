// Shape checks of request bodies that are not decisions: ids (Stream's charset), team lists (≤250
// teams, names ≤100 characters, as the seed says), lengths of names and lists, plain objects.
// Each failure is a 400 with a specific code. JSON values a client stores: json-bounds.ts.
import { badRequest } from '../errors.js';

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
const ID_PATTERN = /^[A-Za-z0-9@_-]+$/;
/** A call id may carry one team prefix: `TEAM:` then an id (see `callIdPrefix`). */
const CALL_ID_PATTERN = /^(?:[A-Za-z0-9@_-]+:)?[A-Za-z0-9@_-]+$/;

/** Whether `value` is a user id: 1–255 characters of letters, digits, `@`, `_`, `-`. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && ID_PATTERN.test(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw badRequest('INVALID_REQUEST', `${what} must be an object`);
  return value;
}

export function expectId(value: unknown, what: string): string {
  if (!isUserId(value)) {
    throw badRequest(
      'INVALID_ID',
      `${what} must be 1–${String(MAX_ID_LENGTH)} characters of letters, digits, @ _ -`,
    );
  }
  return value;
}

/** A call id from a path: an id, or `TEAM:` and an id (255 characters in all). */
export function expectCallId(value: string): string {
  if (value.length > MAX_ID_LENGTH || !CALL_ID_PATTERN.test(value)) {
    throw badRequest(
      'INVALID_ID',
      `a call id is 1–${String(MAX_ID_LENGTH)} characters of letters, digits, @ _ -, optionally behind one team prefix "TEAM:"`,
    );
  }
  return value;
}

/** The team prefix of a call id (`red` of `red:weekly`), or null when it has none. */
export function callIdPrefix(id: string): string | null {
  const separator = id.indexOf(':');
  return separator < 0 ? null : id.slice(0, separator);
}

/** A name or description: a string of at most MAX_NAME_LENGTH characters. */
export function expectOptionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest('INVALID_REQUEST', `${what} must be a string`);
  if (value.length > MAX_NAME_LENGTH) {
    throw badRequest(
      'STRING_TOO_LONG',
      `${what} is longer than ${String(MAX_NAME_LENGTH)} characters`,
    );
  }
  return value;
}

export function expectTeam(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw badRequest('INVALID_TEAM', `${what} must be a non-empty string`);
  }
  if (value.length > MAX_TEAM_NAME) {
    throw badRequest('TEAM_NAME_TOO_LONG', `${what} is longer than ${MAX_TEAM_NAME} characters`);
  }
  return value;
}

export function expectTeams(value: unknown, what: string): string[] {
  if (!Array.isArray(value))
    throw badRequest('INVALID_TEAM', `${what} must be a list of team names`);
  if (value.length > MAX_TEAMS_PER_USER) {
    throw badRequest(
      'TOO_MANY_TEAMS',
      `${what} has ${value.length} teams; a user can be in at most ${MAX_TEAMS_PER_USER}`,
    );
  }
  const teams = value.map((team, index) => expectTeam(team, `${what}[${index}]`));
  return [...new Set(teams)].sort();
}

export function expectStringList(
  value: unknown,
  what: string,
  maxLength = MAX_LIST_LENGTH,
): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw badRequest('INVALID_REQUEST', `${what} must be a list of strings`);
  }
  if (value.length > maxLength) {
    throw badRequest(
      'TOO_MANY_ITEMS',
      `${what} has ${String(value.length)} items; at most ${String(maxLength)}`,
    );
  }
  return value;
}

const LIMITS = { defaultLimit: 25, maxLimit: 100 } as const;

export function expectLimit(value: unknown): number {
  if (value === undefined || value === null) return LIMITS.defaultLimit;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > LIMITS.maxLimit
  ) {
    throw badRequest('INVALID_REQUEST', `limit must be an integer from 1 to ${LIMITS.maxLimit}`);
  }
  return value;
}

export function expectOffset(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000) {
    throw badRequest('INVALID_REQUEST', 'offset must be an integer from 0 to 10000');
  }
  return value;
}
