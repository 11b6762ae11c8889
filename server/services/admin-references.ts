// Pure helpers of the admin service: where a stored grants spec still names a role, a permission
// or a call type (deletions are refused while it does), and "not found" errors that suggest the
// closest existing name.
import type { GrantsMap, GrantsSpec } from '../../compiler/types.js';
import { didYouMean } from '../../compiler/validate/suggest.js';
import { ApiError } from '../errors.js';

/** How many places a refusal names; enough to act on, short enough to read. */
export const MAX_NAMED_PLACES = 5;

/** The spec's grant scopes, each with the label a refusal names it by. */
function scopesOf(spec: GrantsSpec): { label: string; grants: GrantsMap; override: boolean }[] {
  const scopes: { label: string; grants: GrantsMap; override: boolean }[] = [];
  if (spec.app?.grants) scopes.push({ label: '.app', grants: spec.app.grants, override: false });
  for (const [callType, definition] of Object.entries(spec.call_types ?? {})) {
    if (definition.grants)
      scopes.push({ label: `call type ${callType}`, grants: definition.grants, override: false });
  }
  for (const [callKey, call] of Object.entries(spec.calls ?? {})) {
    const grants = call.config_overrides?.grants;
    if (grants) scopes.push({ label: `grants-file call ${callKey}`, grants, override: true });
  }
  return scopes;
}

/**
 * Scopes of the spec that give `role` grants or modifiers. An empty patch list is no grant (it
 * is dropped with the role); an override naming the role at all is a reference, revokes included.
 */
export function roleReferences(spec: GrantsSpec, role: string): string[] {
  return scopesOf(spec)
    .filter(({ grants, override }) => {
      if (!Object.hasOwn(grants, role)) return false;
      return override || (grants[role] ?? []).length > 0;
    })
    .map(({ label }) => label);
}

/** Scopes of the spec that grant or revoke permission `id` (for any role). */
export function permissionReferences(spec: GrantsSpec, id: string): string[] {
  return scopesOf(spec)
    .filter(({ grants }) =>
      Object.values(grants).some((list) => list.includes(id) || list.includes(`!${id}`)),
    )
    .map(({ label }) => label);
}

/** The grants file's call overrides (`type:id` keys) of call type `name`. */
export function callTypeReferences(spec: GrantsSpec, name: string): string[] {
  return Object.keys(spec.calls ?? {})
    .filter((callKey) => callKey.startsWith(`${name}:`))
    .map((callKey) => `grants-file call ${callKey}`);
}

/** "a, b, c" — at most MAX_NAMED_PLACES of them, then "and more". */
export function namePlaces(places: readonly string[]): string {
  const named = places.slice(0, MAX_NAMED_PLACES).join(', ');
  return places.length > MAX_NAMED_PLACES ? `${named} and more` : named;
}

/** A 404 whose message suggests the closest existing name, for typos like "defualt". */
export function notFoundAmong(
  reason: string,
  what: string,
  name: string,
  known: Iterable<string>,
): ApiError {
  const suggestion = didYouMean(name, known);
  const message = `${what} "${name}" does not exist`;
  return new ApiError(
    404,
    reason,
    suggestion === undefined ? message : `${message}; ${suggestion}`,
  );
}
