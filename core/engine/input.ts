// The decision and query_filter input checks (DESIGN §4 rule 1), in the words of
// policies/engine/input.rego: the list of problems, or undefined for a valid input.
import { compareCodePoints } from '../compare.js';
import {
  field,
  isGrantsModifiersOrNull,
  isModifierList,
  isNonEmptyString,
  isObject,
  isStringArrayOrNull,
  isStringOrNull,
} from './json.js';

const NOT_AN_OBJECT = ['input must be an object'];

function subjectProblems(input: Record<string, unknown>, problems: string[]): void {
  const subject = field(input, 'subject');
  if (!isObject(subject)) {
    problems.push('subject must be an object');
  } else {
    if (!isNonEmptyString(field(subject, 'id'))) {
      problems.push('subject.id must be a non-empty string');
    }
    if (typeof field(subject, 'role') !== 'string') problems.push('subject.role must be a string');
  }
  if (!isStringArrayOrNull(field(subject, 'teams'))) {
    problems.push('subject.teams must be an array of strings');
  }
  if (!isStringOrNull(field(subject, 'call_role'))) {
    problems.push('subject.call_role must be a string');
  }
  const callGrants = field(subject, 'call_grants');
  if (callGrants !== null && !isModifierList(callGrants)) {
    problems.push('subject.call_grants must be an array of modifiers without conflicts');
  }
}

function contextProblems(input: Record<string, unknown>, problems: string[]): void {
  const context = field(input, 'context');
  if (context !== null && !isObject(context)) problems.push('context must be an object');
  const side = field(context, 'side');
  if (side !== null && side !== 'client' && side !== 'server') {
    problems.push('context.side must be client or server');
  }
  const listing = field(context, 'listing');
  if (listing !== null && typeof listing !== 'boolean') {
    problems.push('context.listing must be a boolean');
  }
}

function resourceProblems(input: Record<string, unknown>, problems: string[]): void {
  const resource = field(input, 'resource');
  if (!isObject(resource)) {
    problems.push('resource must be an object');
    return;
  }
  const kind = field(resource, 'kind');
  if (kind !== 'app' && kind !== 'call' && kind !== 'user') {
    problems.push('resource.kind must be app, call or user');
  }
  if ((kind === 'call' || kind === 'user') && !isNonEmptyString(field(resource, 'id'))) {
    problems.push('resource.id must be a non-empty string');
  }
  if (kind === 'call') {
    if (!isNonEmptyString(field(resource, 'call_type'))) {
      problems.push('resource.call_type must be a non-empty string');
    }
    if (!isStringOrNull(field(resource, 'team'))) {
      problems.push('resource.team must be a string or null');
    }
    if (!isStringOrNull(field(resource, 'created_by_id'))) {
      problems.push('resource.created_by_id must be a string or null');
    }
    const overrides = field(resource, 'config_overrides');
    if (overrides !== null && !isObject(overrides)) {
      problems.push('resource.config_overrides must be an object or null');
    }
    if (!isGrantsModifiersOrNull(field(overrides, 'grants'))) {
      problems.push(
        'resource.config_overrides.grants must map roles to modifiers without conflicts',
      );
    }
  }
  if (kind === 'user') {
    if (!isStringOrNull(field(resource, 'role'))) {
      problems.push('resource.role must be a string or null');
    }
    if (!isStringArrayOrNull(field(resource, 'teams'))) {
      problems.push('resource.teams must be an array of strings');
    }
  }
}

/**
 * Problems of a decision input, or undefined when valid. Capabilities asks about every action,
 * so it checks everything but `action` (`anyAction`).
 */
export function decisionInputProblems(input: unknown, anyAction = false): string[] | undefined {
  if (!isObject(input)) return NOT_AN_OBJECT;
  const problems: string[] = [];
  subjectProblems(input, problems);
  resourceProblems(input, problems);
  contextProblems(input, problems);
  if (!anyAction && typeof field(input, 'action') !== 'string') {
    problems.push('action must be a string');
  }
  if (!isStringArrayOrNull(field(input, 'changes'))) {
    problems.push('changes must be an array of strings');
  }
  return problems.length === 0 ? undefined : problems;
}

/** Problems of a query_filter input, or undefined when valid. */
export function queryInputProblems(input: unknown): string[] | undefined {
  if (!isObject(input)) return NOT_AN_OBJECT;
  const problems: string[] = [];
  subjectProblems(input, problems);
  contextProblems(input, problems);
  const action = field(input, 'action');
  if (action !== 'QueryUsers' && action !== 'QueryCalls') {
    problems.push('action must be QueryUsers or QueryCalls');
  }
  const query = field(input, 'query');
  if (query !== null && !isObject(query)) problems.push('query must be an object or null');
  const conditions = field(query, 'filter_conditions');
  if (conditions !== null && !isObject(conditions)) {
    problems.push('query.filter_conditions must be an object or null');
  }
  return problems.length === 0 ? undefined : problems;
}

/** "invalid input: a; b" with the problems sorted, as the Rego engine words it. */
export function problemsMessage(problems: readonly string[]): string {
  return `invalid input: ${[...new Set(problems)].sort(compareCodePoints).join('; ')}`;
}
