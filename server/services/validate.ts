// Shape checks of request bodies that are not decisions: ids, team lists (≤250 teams, names ≤100
// characters, as the seed says), plain objects. Each failure is a 400 with a specific code.
import { badRequest } from '../errors.js';

export const MAX_TEAMS_PER_USER = 250;
export const MAX_TEAM_NAME = 100;
const ID_PATTERN = /^[A-Za-z0-9@_.-]{1,255}$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw badRequest('INVALID_REQUEST', `${what} must be an object`);
  return value;
}

export function expectId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw badRequest('INVALID_ID', `${what} must be 1–255 characters of letters, digits, @ _ . -`);
  }
  return value;
}

export function expectOptionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest('INVALID_REQUEST', `${what} must be a string`);
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

export function expectStringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw badRequest('INVALID_REQUEST', `${what} must be a list of strings`);
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
