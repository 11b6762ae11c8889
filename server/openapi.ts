// The OpenAPI 3.1 description of the server's routes, served at /openapi.json. Paths come from
// the routes fastify actually registered (so the document cannot list a route that does not
// exist, or miss one), their parameter and body schemas from the JSON Schemas fastify validates
// with (server/schemas/bodies.ts); each gets its one-line summary from ROUTE_SUMMARIES, and a
// test fails when a route has none.

/** One registered route: method and fastify path (`/api/v2/video/call/:type/:id`). */
export interface RegisteredRoute {
  method: string;
  url: string;
  /** The JSON Schemas fastify validates the route's parts with. */
  schema?: { params?: unknown; body?: unknown } | undefined;
}

/** What each route does, keyed `METHOD path` with fastify's `:param` syntax. */
export const ROUTE_SUMMARIES: Readonly<Record<string, string>> = {
  'GET /health': 'Liveness and the revision of the grants in use (no auth).',
  'GET /openapi.json': 'This document (no auth).',
  'GET /bundle.tar.gz': 'The OPA bundle of the live grants; ETag, 304 on If-None-Match.',
  'GET /data.json': "The live grants' data document (what the JS engine loads); ETag.",
  'GET /api/v2/app': "Stream's getApp: multi_tenant_enabled and the .app grants.",
  'PATCH /api/v2/app': "Stream's updateApp: multi_tenant_enabled; grants patch .app.",
  'GET /api/v2/roles': "Stream's listRoles: builtin and custom roles.",
  'POST /api/v2/roles': "Stream's createRole: {name} (extension: level, description).",
  'DELETE /api/v2/roles/:name': "Stream's deleteRole; refused while the role is referenced.",
  'GET /api/v2/permissions': "Stream's listPermissions: builtin and custom permissions.",
  'POST /api/v2/permissions': 'Creates a custom permission.',
  'GET /api/v2/permissions/:id': "Stream's getPermission.",
  'PUT /api/v2/permissions/:id': 'Updates a custom permission.',
  'DELETE /api/v2/permissions/:id': 'Deletes a custom permission no scope uses.',
  'GET /api/v2/video/calltypes': "Stream's listCallTypes with their effective grants.",
  'POST /api/v2/video/calltypes': "Stream's createCallType: a custom call type.",
  'GET /api/v2/video/calltypes/:name': "Stream's getCallType.",
  'PUT /api/v2/video/calltypes/:name': "Stream's updateCallType: patches the type's grants.",
  'DELETE /api/v2/video/calltypes/:name': "Stream's deleteCallType; refused while in use.",
  'GET /api/v2/rolecall/grants': 'The stored grants spec and its resolution (diff --live, pull).',
  'PUT /api/v2/rolecall/call_overrides/:type/:id': "Sets the grants file's override of a call.",
  'GET /api/v2/rolecall/me': 'The authenticated user.',
  'POST /api/v2/users': "Stream's upsertUsers: {users: {id: user}}, all or nothing.",
  'GET /api/v2/users': "Stream's queryUsers: ?payload={filter_conditions, sort, limit, offset}.",
  'PATCH /api/v2/users': "Stream's updateUsersPartial: {users: [{id, set, unset}]}.",
  'POST /api/v2/users/delete': "Stream's deleteUsers: soft delete of {user_ids}.",
  'POST /api/v2/guest': "Stream's createGuest: a short-lived guest user and its token.",
  'POST /api/v2/video/calls': "Stream's queryCalls, team filter re-applied, ReadCall per row.",
  'POST /api/v2/video/call/:type/:id': "Stream's getOrCreateCall.",
  'GET /api/v2/video/call/:type/:id': "Stream's getCall.",
  'PATCH /api/v2/video/call/:type/:id': "Stream's updateCall (extension: config_overrides).",
  'POST /api/v2/video/call/:type/:id/join': 'Decides JoinCall (media is out of scope).',
  'POST /api/v2/video/call/:type/:id/members': "Stream's updateCallMembers.",
  'POST /api/v2/video/call/:type/:id/user_permissions': "Stream's updateUserPermissions.",
  'POST /api/v2/video/call/:type/:id/mark_ended': "Stream's endCall (EndCall).",
  'POST /api/v2/video/call/:type/:id/delete': "Stream's deleteCall (decided as EndCall).",
  'POST /api/v2/video/call/:type/:id/mute_users': "Stream's muteUsers (decided; no media).",
  'POST /api/v2/video/call/:type/:id/block': "Stream's blockUser (BlockUsers).",
  'POST /api/v2/video/call/:type/:id/unblock': "Stream's unblockUser (BlockUsers).",
  'POST /api/v2/video/call/:type/:id/kick': "Stream's kickUser (KickUser).",
};

/** Routes anyone may call: no API key, no token. */
const PUBLIC_ROUTES = new Set(['GET /health', 'GET /openapi.json']);

const ERROR_SCHEMA = {
  type: 'object',
  description: "Stream's error body; `reason` is rolecall's own code (docs/server.md#errors).",
  required: ['code', 'message', 'StatusCode', 'reason'],
  properties: {
    code: { type: 'integer', description: "Stream's error code (16 not found, 17 not allowed…)" },
    message: { type: 'string' },
    StatusCode: { type: 'integer' },
    duration: { type: 'string' },
    more_info: { type: 'string' },
    details: { type: 'array', items: { type: 'integer' } },
    reason: { type: 'string', description: 'TEAM_MISMATCH, NOT_FOUND, INVALID_FILTER, …' },
  },
};

const keyOf = (route: RegisteredRoute): string => `${route.method} ${route.url}`;

/** `/a/:b` → `/a/{b}`, and the names of its path parameters. */
function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:([A-Za-z_]+)/g, (_match, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

/** The schema of path parameter `name` in a route's params schema (a string when it has none). */
function parameterSchema(route: RegisteredRoute, name: string): unknown {
  const properties = (route.schema?.params as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  return properties?.[name] ?? { type: 'string' };
}

function operation(route: RegisteredRoute, params: string[]): Record<string, unknown> {
  const key = keyOf(route);
  const body = route.schema?.body;
  return {
    summary: ROUTE_SUMMARIES[key] ?? '',
    operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
    ...(PUBLIC_ROUTES.has(key) ? { security: [] } : {}),
    parameters: params.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: parameterSchema(route, name),
    })),
    // An absent body is an empty object (app.ts), so no body is ever required as such.
    ...(body === undefined
      ? {}
      : { requestBody: { required: false, content: { 'application/json': { schema: body } } } }),
    responses: {
      '200': { description: "Success; JSON bodies carry Stream's `duration`." },
      default: {
        description: "Stream's error body",
        content: { 'application/json': { schema: { $ref: '#/components/schemas/StreamError' } } },
      },
    },
  };
}

/** The OpenAPI 3.1 document of the given routes (HEAD routes, fastify's own, are left out). */
export function openApiDocument(routes: readonly RegisteredRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.method === 'HEAD') continue;
    const { path, params } = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route, params) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'rolecall reference server',
      version,
      description:
        "Stream's REST wire for users, guests, calls, members, roles, permissions, call types and app settings, every request decided by the compiled policy (docs/server.md).",
    },
    paths,
    security: [
      { apiKey: [], jwt: [], authType: [] },
      { apiKey: [], anonymous: [] },
    ],
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'query', name: 'api_key' },
        jwt: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'A server or user JWT (HS256), bare or as Bearer.',
        },
        authType: {
          type: 'apiKey',
          in: 'header',
          name: 'stream-auth-type',
          description: 'jwt (default) or anonymous.',
        },
        anonymous: {
          type: 'apiKey',
          in: 'header',
          name: 'stream-auth-type',
          description: '"anonymous" and no Authorization header: role anonymous, read only.',
        },
      },
      schemas: { StreamError: ERROR_SCHEMA },
    },
  };
}
