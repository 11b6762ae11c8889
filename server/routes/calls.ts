// Stream Video's call endpoints: get, get-or-create, update, members, per-member permissions,
// the actions (mark_ended, delete, mute_users, block, unblock, kick), the query, and rolecall's
// join decision (the media side of joining, muting and kicking is out of scope).
import * as actions from '../services/call-actions.js';
import { queryCalls } from '../services/call-listing.js';
import * as calls from '../services/calls.js';
import type { ServiceContext } from '../services/context.js';
import {
  callPath,
  deleteCallBody,
  getOrCreateBody,
  listingBody,
  muteBody,
  targetBody,
  updateCallBody,
  updateMembersBody,
  userPermissionsBody,
} from '../schemas/bodies.js';
import type { Handler, Route, RouteOptions } from './route.js';
import type { Static, TSchema } from 'typebox';

const CALL = '/api/v2/video/call/:type/:id';

/** Stream's clients send these without a body when they have nothing to say: it is then `{}`. */
const NO_BODY_NEEDED: RouteOptions = { optionalBody: true };

/** A service function of the path's call: context, call type, id (and the body, below). */
type CallHandler<Args extends unknown[]> = (
  context: ServiceContext,
  callType: string,
  id: string,
  ...body: Args
) => unknown;

const callOnly = { params: callPath };

/** The schemas and handler of a route that reads only its path's call. */
function ofCall(handler: CallHandler<[]>): [typeof callOnly, Handler<typeof callOnly>] {
  return [callOnly, (context, { params }) => handler(context, params.type, params.id)];
}

/** The schemas and handler of a route that reads its path's call and a body. */
function ofCallWith<Body extends TSchema>(
  body: Body,
  handler: CallHandler<[Static<Body>]>,
): [{ params: typeof callPath; body: Body }, Handler<{ params: typeof callPath; body: Body }>] {
  return [
    { params: callPath, body },
    (context, input) =>
      handler(context, input.params.type, input.params.id, input.body as Static<Body>),
  ];
}

export function registerCallRoutes(route: Route): void {
  route(
    'POST',
    '/api/v2/video/calls',
    { body: listingBody },
    (context, { body }) => queryCalls(context, body),
    NO_BODY_NEEDED,
  );
  route('POST', CALL, ...ofCallWith(getOrCreateBody, calls.getOrCreateCall), NO_BODY_NEEDED);
  route('GET', CALL, ...ofCall(calls.getCall));
  route('PATCH', CALL, ...ofCallWith(updateCallBody, calls.updateCall));
  route('POST', `${CALL}/join`, ...ofCall(calls.joinCall));
  route('POST', `${CALL}/members`, ...ofCallWith(updateMembersBody, calls.updateCallMembers));
  route(
    'POST',
    `${CALL}/user_permissions`,
    ...ofCallWith(userPermissionsBody, calls.updateUserPermissions),
  );
  route('POST', `${CALL}/mark_ended`, ...ofCall(actions.endCall));
  route(
    'POST',
    `${CALL}/delete`,
    ...ofCallWith(deleteCallBody, actions.deleteCall),
    NO_BODY_NEEDED,
  );
  route('POST', `${CALL}/mute_users`, ...ofCallWith(muteBody, actions.muteUsers), NO_BODY_NEEDED);
  route('POST', `${CALL}/block`, ...ofCallWith(targetBody, actions.blockUser), NO_BODY_NEEDED);
  route('POST', `${CALL}/unblock`, ...ofCallWith(targetBody, actions.unblockUser), NO_BODY_NEEDED);
  route('POST', `${CALL}/kick`, ...ofCallWith(targetBody, actions.kickUser), NO_BODY_NEEDED);
}
