// Stream's user endpoints: upsert, query (`GET ?payload=`), partial update, delete, and guests.
import type { FastifyRequest } from 'fastify';
import { isObject } from '../../core/engine/json.js';
import { ApiError, badRequest } from '../errors.js';
import { checkBodyBounds } from '../schemas/json-bounds.js';
import * as users from '../services/users.js';
import {
  deleteUsersBody,
  guestBody,
  listingBody,
  updateUsersBody,
  upsertUsersBody,
  type ListingBody,
} from '../schemas/bodies.js';
import type { Route } from './route.js';
import { schemaError, type SchemaFailure } from '../schemas/schema-errors.js';

/**
 * `GET /api/v2/users?payload={…}`: Stream sends the query as JSON in one query parameter, checked
 * like a body: the same bounds, then the listing schema.
 */
function queryPayload(request: FastifyRequest): ListingBody {
  const raw = (request.query as Record<string, unknown> | undefined)?.['payload'];
  if (raw === undefined) return {};
  if (typeof raw !== 'string') throw badRequest('INVALID_REQUEST', 'payload must be JSON text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    throw badRequest('INVALID_REQUEST', 'payload is not valid JSON');
  }
  checkBodyBounds(parsed);
  const payload = unwrapped(parsed);
  const valid = request.compileValidationSchema(listingBody);
  if (!valid(payload)) throw schemaError((valid.errors ?? []) as SchemaFailure[], 'payload');
  return payload as ListingBody;
}

/**
 * `null` is no query, and a query wrapped once more in `{payload: …}` (as some clients send it)
 * is that query. Anything else holding a `payload` key would lose the query it wraps (the
 * listing schema lets unknown keys through, as Stream's clients add their own), so it is refused.
 */
function unwrapped(parsed: unknown): unknown {
  if (parsed === null) return {};
  if (!isObject(parsed) || !Object.hasOwn(parsed, 'payload')) return parsed;
  const { payload: inner, ...beside } = parsed;
  if (Object.keys(beside).length > 0) {
    throw badRequest(
      'INVALID_REQUEST',
      `payload wraps the query in {payload: …}; move ${Object.keys(beside).join(', ')} inside it`,
    );
  }
  if (inner === null) return {};
  if (!isObject(inner)) throw badRequest('INVALID_REQUEST', 'payload.payload must be an object');
  if (Object.hasOwn(inner, 'payload')) {
    throw badRequest('INVALID_REQUEST', 'payload is wrapped in {payload: …} more than once');
  }
  return inner;
}

export function registerUserRoutes(route: Route): void {
  route('POST', '/api/v2/users', { body: upsertUsersBody }, (context, { body }) =>
    users.upsertUsers(context, body),
  );
  route('GET', '/api/v2/users', {}, (context, { request }) =>
    users.queryUsers(context, queryPayload(request)),
  );
  route('PATCH', '/api/v2/users', { body: updateUsersBody }, (context, { body }) =>
    users.updateUsersPartial(context, body),
  );
  route(
    'POST',
    '/api/v2/users/delete',
    { body: deleteUsersBody },
    (context, { body }) => users.deleteUsers(context, body),
    { serverOnly: true },
  );
  route(
    'POST',
    '/api/v2/guest',
    { body: guestBody },
    (context, { body }) => users.createGuest(context, body),
    { status: 201, optionalBody: true },
  );
  route('GET', '/api/v2/rolecall/me', {}, async (context) => {
    if (context.actor.side === 'server')
      throw new ApiError(400, 'INVALID_REQUEST', '/me needs a user token');
    return { user: await users.findUser(context.db, context.actor.subject.id) };
  });
}
