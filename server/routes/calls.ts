// Stream Video's call endpoints: get, get-or-create, update, members, per-member permissions,
// the actions (mark_ended, delete, mute_users, block, unblock, kick), the query, and rolecall's
// join decision (the media side of joining, muting and kicking is out of scope).
import * as actions from '../services/call-actions.js';
import { queryCalls } from '../services/call-listing.js';
import * as calls from '../services/calls.js';
import type { ServiceContext } from '../services/context.js';
import { param, type Route } from './route.js';
import type { FastifyRequest } from 'fastify';

const CALL = '/api/v2/video/call/:type/:id';

/** A service function of one call (the body is its last argument, when it reads one). */
type CallHandler = (
  context: ServiceContext,
  callType: string,
  id: string,
  body: unknown,
) => unknown;

/** Adapts a call service function to a route handler: the path's type and id, then the body. */
const onCall =
  (handler: CallHandler) =>
  (context: ServiceContext, request: FastifyRequest): unknown =>
    handler(context, param(request, 'type'), param(request, 'id'), request.body);

export function registerCallRoutes(route: Route): void {
  route('POST', '/api/v2/video/calls', (context, request) => queryCalls(context, request.body));
  route('POST', CALL, onCall(calls.getOrCreateCall));
  route('GET', CALL, onCall(calls.getCall));
  route('PATCH', CALL, onCall(calls.updateCall));
  route('POST', `${CALL}/join`, onCall(calls.joinCall));
  route('POST', `${CALL}/members`, onCall(calls.updateCallMembers));
  route('POST', `${CALL}/user_permissions`, onCall(calls.updateUserPermissions));
  route('POST', `${CALL}/mark_ended`, onCall(actions.endCall));
  route('POST', `${CALL}/delete`, onCall(actions.deleteCall));
  route('POST', `${CALL}/mute_users`, onCall(actions.muteUsers));
  route('POST', `${CALL}/block`, onCall(actions.blockUser));
  route('POST', `${CALL}/unblock`, onCall(actions.unblockUser));
  route('POST', `${CALL}/kick`, onCall(actions.kickUser));
}
