// Stream's app, role, permission and call-type endpoints (server-side auth, the seed's
// Permissions v2 calls), plus rolecall's extensions for `rolecall diff --live` and `rolecall
// apply`: the live grants, and the grants-file overrides of one call.
import * as admin from '../services/admin.js';
import { param, type Route } from './route.js';

export function registerAdminRoutes(route: Route): void {
  route('GET', '/api/v2/app', (context) => admin.getApp(context));
  route('PATCH', '/api/v2/app', (context, request) => admin.updateApp(context, request.body));

  route('GET', '/api/v2/roles', (context) => admin.listRoles(context));
  route(
    'POST',
    '/api/v2/roles',
    (context, request) => admin.createRole(context, request.body),
    201,
  );
  route('DELETE', '/api/v2/roles/:name', (context, request) =>
    admin.deleteRole(context, param(request, 'name')),
  );

  route('GET', '/api/v2/permissions', (context) => admin.listPermissions(context));
  route(
    'POST',
    '/api/v2/permissions',
    (context, request) => admin.createPermission(context, request.body),
    201,
  );
  route('GET', '/api/v2/permissions/:id', (context, request) =>
    admin.getPermission(context, param(request, 'id')),
  );
  route('PUT', '/api/v2/permissions/:id', (context, request) =>
    admin.updatePermission(context, param(request, 'id'), request.body),
  );
  route('DELETE', '/api/v2/permissions/:id', (context, request) =>
    admin.deletePermission(context, param(request, 'id')),
  );

  route('GET', '/api/v2/video/calltypes', (context) => admin.listCallTypes(context));
  route(
    'POST',
    '/api/v2/video/calltypes',
    (context, request) => admin.createCallType(context, request.body),
    201,
  );
  route('GET', '/api/v2/video/calltypes/:name', (context, request) =>
    admin.getCallType(context, param(request, 'name')),
  );
  route('PUT', '/api/v2/video/calltypes/:name', (context, request) =>
    admin.updateCallType(context, param(request, 'name'), request.body),
  );
  route('DELETE', '/api/v2/video/calltypes/:name', (context, request) =>
    admin.deleteCallType(context, param(request, 'name')),
  );

  route('PUT', '/api/v2/rolecall/call_overrides/:type/:id', (context, request) =>
    admin.updateCallOverrides(context, param(request, 'type'), param(request, 'id'), request.body),
  );
  route('GET', '/api/v2/rolecall/grants', (context) => admin.getLiveGrants(context));
}
