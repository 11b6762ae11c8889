// Checks that what an engine returned has the shape of its entrypoint's result, so a garbled
// or foreign answer becomes a typed error (and a deny) instead of being trusted.
import { ALLOWING_DECISION_REASONS, ALLOWING_QUERY_FILTER_REASONS } from '../core/contract.js';
import type { Entrypoint } from './types.js';

type Check = (value: unknown) => boolean;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString: Check = (value) => typeof value === 'string';
const isBoolean: Check = (value) => typeof value === 'boolean';

const isGrant: Check = (value) =>
  isRecord(value) &&
  isString(value['scope']) &&
  isString(value['role']) &&
  isString(value['permission']) &&
  (value['source'] === undefined || isString(value['source']));

// An answer whose allow contradicts its reason (a garbled or foreign answer) is refused too.
export const isDecision: Check = (value) =>
  isRecord(value) &&
  isBoolean(value['allow']) &&
  isString(value['reason']) &&
  value['allow'] === ALLOWING_DECISION_REASONS.has(value['reason'] as string) &&
  isString(value['message']) &&
  isString(value['revision']) &&
  Array.isArray(value['grants']) &&
  value['grants'].every(isGrant);

const isQueryFilterResult: Check = (value) =>
  isRecord(value) &&
  isBoolean(value['allow']) &&
  isString(value['reason']) &&
  value['allow'] === ALLOWING_QUERY_FILTER_REASONS.has(value['reason'] as string) &&
  (value['allow'] ? isRecord(value['filter']) : value['filter'] === null) &&
  isBoolean(value['injected']) &&
  isString(value['message']);

const isCapabilities: Check = (value) => Array.isArray(value) && value.every(isString);

const checks: Record<Exclude<Entrypoint, 'rolecall/batch'>, Check> = {
  'rolecall/allow': isBoolean,
  'rolecall/decision': isDecision,
  'rolecall/capabilities': isCapabilities,
  'rolecall/query_filter': isQueryFilterResult,
};

/** True when `value` is a well-formed result of `entrypoint`. */
export function hasResultShape(entrypoint: Exclude<Entrypoint, 'rolecall/batch'>, value: unknown) {
  return checks[entrypoint](value);
}

/** True when `value` is a batch result with exactly the expected number of each kind. */
export function hasBatchShape(value: unknown, decisions: number, queryFilters: number): boolean {
  return (
    isRecord(value) &&
    Array.isArray(value['decisions']) &&
    value['decisions'].length === decisions &&
    value['decisions'].every(isDecision) &&
    Array.isArray(value['query_filters']) &&
    value['query_filters'].length === queryFilters &&
    value['query_filters'].every(isQueryFilterResult)
  );
}
