// From a failed JSON Schema check of a body, path or query to Stream's 400: the reason is the
// failing schema node's `x-reasons[keyword]` or `x-reason` (INVALID_ID, TOO_MANY_TEAMS…), else one
// per keyword; the message names the JSON path and, where the node has one, its description.
// fastify's validator keeps the failing node on each error (ajv's `verbose`).
import { didYouMean } from '../../compiler/validate/suggest.js';
import { badRequest, type ApiError } from '../errors.js';
import { jsonPath, type PathStep } from './json-bounds.js';

/** The parts of an ajv error this module reads. */
export interface SchemaFailure {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Record<string, unknown>;
}

/** The annotation keywords schemas may carry (declared to the validator, so strict mode holds). */
export const REASON_KEYWORDS = ['x-reason', 'x-reasons'] as const;

const REASON_BY_KEYWORD: Readonly<Record<string, string>> = {
  additionalProperties: 'UNKNOWN_KEY',
  maxLength: 'STRING_TOO_LONG',
  maxItems: 'TOO_MANY_ITEMS',
  maxProperties: 'TOO_MANY_ITEMS',
};

/** What each part of a request is called when the failure is the part itself. */
const PART_NAMES: Readonly<Record<string, string>> = {
  body: 'body',
  params: 'path',
  querystring: 'query',
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  integer: 'an integer',
  number: 'a number',
  null: 'null',
};

/** `/users/0/teams` → [`users`, 0, `teams`] (JSON Pointer, RFC 6901). */
function stepsOf(pointer: string): PathStep[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((token) => (/^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : token));
}

function reasonOf(failure: SchemaFailure): string {
  const node = failure.parentSchema ?? {};
  const byKeyword = node['x-reasons'] as Record<string, string> | undefined;
  const own = byKeyword?.[failure.keyword];
  if (own !== undefined) return own;
  if (failure.keyword === 'required') {
    // A missing field fails as its value would: a missing user_id is an INVALID_ID.
    const properties = node['properties'] as Record<string, Record<string, unknown>> | undefined;
    const missing = properties?.[String(failure.params['missingProperty'])];
    return (missing?.['x-reason'] as string | undefined) ?? 'INVALID_REQUEST';
  }
  if (failure.keyword === 'additionalProperties') return 'UNKNOWN_KEY';
  return (
    (node['x-reason'] as string | undefined) ??
    REASON_BY_KEYWORD[failure.keyword] ??
    'INVALID_REQUEST'
  );
}

function messageOf(failure: SchemaFailure, part: string): string {
  const steps = stepsOf(failure.instancePath);
  const where = steps.length === 0 ? (PART_NAMES[part] ?? part) : jsonPath('', steps);
  const node = failure.parentSchema ?? {};
  const { params } = failure;
  switch (failure.keyword) {
    case 'required':
      return `${jsonPath('', [...steps, String(params['missingProperty'])])} is required`;
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys((node['properties'] as object | undefined) ?? {});
      const suggestion = didYouMean(key, known);
      const field = `"${key}" is not a field of ${where === 'body' ? 'this body' : where}`;
      return suggestion === undefined ? field : `${field}; ${suggestion}`;
    }
  }
  // A value of the wrong type is told its type, not the node's bounds.
  if (failure.keyword === 'type') {
    const types = [params['type']].flat().map((type) => TYPE_NAMES[String(type)] ?? String(type));
    return `${where} must be ${types.join(' or ')}`;
  }
  const description = node['description'];
  if (typeof description === 'string') return `${where} must be ${description}`;
  if (failure.keyword === 'enum') {
    const allowed = (params['allowedValues'] as unknown[]).map(String).join(', ');
    return `${where} must be one of ${allowed}`;
  }
  return `${where} ${failure.message ?? 'is not valid'}`;
}

/** The 400 of a failed check of `part` (fastify's `body`, `params` or `querystring`). */
export function schemaError(failures: readonly SchemaFailure[], part: string): ApiError {
  // An anyOf fails after each branch did; the anyOf's own node describes what was wanted.
  const failure = failures.findLast((candidate) => candidate.keyword === 'anyOf') ?? failures[0];
  if (failure === undefined) return badRequest('INVALID_REQUEST', `the ${part} is not valid`);
  return badRequest(reasonOf(failure), messageOf(failure, part));
}
