// Stream Video's call endpoints: get, get-or-create, update, members, per-member permissions,
// the query, and rolecall's join decision (the media side of joining is out of scope).
import * as calls from '../services/calls.js';
import { param, type Route } from './route.js';

const CALL = '/api/v2/video/call/:type/:id';

export function registerCallRoutes(route: Route): void {
  route('POST', '/api/v2/video/calls', (context, request) =>
    calls.queryCalls(context, request.body),
  );
  route('POST', CALL, (context, request) =>
    calls.getOrCreateCall(context, param(request, 'type'), param(request, 'id'), request.body),
  );
  route('GET', CALL, (context, request) =>
    calls.getCall(context, param(request, 'type'), param(request, 'id')),
  );
  route('PATCH', CALL, (context, request) =>
    calls.updateCall(context, param(request, 'type'), param(request, 'id'), request.body),
  );
  route('POST', `${CALL}/join`, (context, request) =>
    calls.joinCall(context, param(request, 'type'), param(request, 'id')),
  );
  route('POST', `${CALL}/members`, (context, request) =>
    calls.updateCallMembers(context, param(request, 'type'), param(request, 'id'), request.body),
  );
  route('POST', `${CALL}/user_permissions`, (context, request) =>
    calls.updateUserPermissions(
      context,
      param(request, 'type'),
      param(request, 'id'),
      request.body,
    ),
  );
}
