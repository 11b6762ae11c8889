// Stream's app, role, permission and call-type endpoints (server-side auth, the seed's
// Permissions v2 calls), plus rolecall's extensions for `rolecall diff --live` and `rolecall
// apply`: the live grants, and the grants-file overrides of one call. All but reading
// permissions need server-side auth; the services check it again.
import * as admin from '../services/admin.js';
import {
  callOverridesBody,
  createCallTypeBody,
  createRoleBody,
  idPath,
  namePath,
  overridePath,
  permissionBody,
  updateAppBody,
  updateCallTypeBody,
} from '../schemas/bodies.js';
import type { Route, RouteOptions } from './route.js';

const SERVER: RouteOptions = { serverOnly: true };
const CREATES: RouteOptions = { serverOnly: true, status: 201 };

export function registerAdminRoutes(route: Route): void {
  route('GET', '/api/v2/app', {}, (context) => admin.getApp(context), SERVER);
  route(
    'PATCH',
    '/api/v2/app',
    { body: updateAppBody },
    (context, { body }) => admin.updateApp(context, body),
    SERVER,
  );

  route('GET', '/api/v2/roles', {}, (context) => admin.listRoles(context), SERVER);
  route(
    'POST',
    '/api/v2/roles',
    { body: createRoleBody },
    (context, { body }) => admin.createRole(context, body),
    CREATES,
  );
  route(
    'DELETE',
    '/api/v2/roles/:name',
    { params: namePath },
    (context, { params }) => admin.deleteRole(context, params.name),
    SERVER,
  );

  route('GET', '/api/v2/permissions', {}, (context) => admin.listPermissions(context));
  route(
    'POST',
    '/api/v2/permissions',
    { body: permissionBody },
    (context, { body }) => admin.createPermission(context, body),
    CREATES,
  );
  route('GET', '/api/v2/permissions/:id', { params: idPath }, (context, { params }) =>
    admin.getPermission(context, params.id),
  );
  route(
    'PUT',
    '/api/v2/permissions/:id',
    { params: idPath, body: permissionBody },
    (context, { params, body }) => admin.updatePermission(context, params.id, body),
    SERVER,
  );
  route(
    'DELETE',
    '/api/v2/permissions/:id',
    { params: idPath },
    (context, { params }) => admin.deletePermission(context, params.id),
    SERVER,
  );

  route('GET', '/api/v2/video/calltypes', {}, (context) => admin.listCallTypes(context), SERVER);
  route(
    'POST',
    '/api/v2/video/calltypes',
    { body: createCallTypeBody },
    (context, { body }) => admin.createCallType(context, body),
    CREATES,
  );
  route(
    'GET',
    '/api/v2/video/calltypes/:name',
    { params: namePath },
    (context, { params }) => admin.getCallType(context, params.name),
    SERVER,
  );
  route(
    'PUT',
    '/api/v2/video/calltypes/:name',
    { params: namePath, body: updateCallTypeBody },
    (context, { params, body }) => admin.updateCallType(context, params.name, body),
    SERVER,
  );
  route(
    'DELETE',
    '/api/v2/video/calltypes/:name',
    { params: namePath },
    (context, { params }) => admin.deleteCallType(context, params.name),
    SERVER,
  );

  route(
    'PUT',
    '/api/v2/rolecall/call_overrides/:type/:id',
    { params: overridePath, body: callOverridesBody },
    (context, { params, body }) => admin.updateCallOverrides(context, params.type, params.id, body),
    SERVER,
  );
  route('GET', '/api/v2/rolecall/grants', {}, (context) => admin.getLiveGrants(context), SERVER);
}
