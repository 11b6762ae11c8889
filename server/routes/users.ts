// Stream's user endpoints: upsert, query (`GET ?payload=`), partial update, delete, and guests.
import { ApiError, badRequest } from '../errors.js';
import { checkBodyBounds } from '../services/json-bounds.js';
import * as users from '../services/users.js';
import type { Route } from './route.js';

/** `GET /api/v2/users?payload={…}`: Stream sends the query as JSON in one query parameter. */
function queryPayload(query: unknown): unknown {
  const raw = (query as Record<string, unknown> | undefined)?.['payload'];
  if (raw === undefined) return {};
  if (typeof raw !== 'string') throw badRequest('INVALID_REQUEST', 'payload must be JSON text');
  let payload: unknown;
  try {
    payload = JSON.parse(raw) as unknown;
  } catch {
    throw badRequest('INVALID_REQUEST', 'payload is not valid JSON');
  }
  // The same bounds as a body: nothing deeper or wider reaches the policy or SQL.
  checkBodyBounds(payload);
  return payload;
}

export function registerUserRoutes(route: Route): void {
  route('POST', '/api/v2/users', (context, request) => users.upsertUsers(context, request.body));
  route('GET', '/api/v2/users', (context, request) =>
    users.queryUsers(context, queryPayload(request.query)),
  );
  route('PATCH', '/api/v2/users', (context, request) =>
    users.updateUsersPartial(context, request.body),
  );
  route('POST', '/api/v2/users/delete', (context, request) => {
    if (context.actor.side !== 'server')
      throw new ApiError(403, 'SERVER_ONLY', 'users are deleted server side');
    return users.deleteUsers(context, request.body);
  });
  route(
    'POST',
    '/api/v2/guest',
    (context, request) => users.createGuest(context, request.body),
    201,
  );
  route('GET', '/api/v2/rolecall/me', async (context) => {
    if (context.actor.side === 'server')
      throw new ApiError(400, 'INVALID_REQUEST', '/me needs a user token');
    return { user: await users.findUser(context.db, context.actor.subject.id) };
  });
}
