// createServerClient: the back end's view of the reference server. Server-side requests are not
// permission checked (the seed), so nothing is filtered or injected here.
import type { CustomPermissionSpec } from '../../core/policy.js';
import { callRequests, type CallSender } from './call-requests.js';
import {
  apiPath,
  httpTarget,
  requestJson,
  type HttpTarget,
  type RequestOptions,
  type TransportOptions,
} from './http.js';
import {
  queryUsersRequest,
  updateUserPartialRequest,
  upsertUsersRequest,
  type UpdateUserPartialRequest,
} from './user-requests.js';
import { createServerToken, createUserToken, type TokenOptions } from './token.js';
import type {
  AppResponse,
  CallStateResponse,
  GrantsMap,
  PermissionResponse,
  QueryCallsRequest,
  QueryUsersPayload,
  RoleResponse,
  UserRequest,
  UserResponse,
} from './types.js';

const callTypePath = (name: string): string => `/api/v2/video${apiPath('calltypes', name)}`;
const permissionPath = (id: string): string => `/api/v2${apiPath('permissions', id)}`;

/** A custom permission as the grants file declares it (DESIGN §2). */
export type CustomPermissionRequest = CustomPermissionSpec;

/** Also `timeoutMs` (default 10 s), `signal` and `maxResponseBytes` (default 16 MiB). */
export interface ServerClientOptions extends TransportOptions {
  baseUrl: string;
  apiKey: string;
  /** The API secret: signs the server token and user tokens. Never ship it to a browser. */
  secret: string;
}

/** Every request method takes `RequestOptions` (`signal`, `timeoutMs`) as its last argument. */
export function createServerClient(options: ServerClientOptions) {
  let serverToken: Promise<string> | undefined;
  const target: HttpTarget = httpTarget(
    {
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      token: () => (serverToken ??= createServerToken(options.secret)),
    },
    options,
  );

  const send: CallSender = (method, path, body, requestOptions) =>
    requestJson(target, method, path, body, requestOptions);
  const call = (callType: string, id: string) => callRequests(send, callType, id);

  return {
    /** A user token for `createClient`; the server looks the user's role and teams up itself. */
    createToken: (userId: string, tokenOptions: TokenOptions = {}) =>
      createUserToken(userId, options.secret, tokenOptions),
    getApp: (requestOptions?: RequestOptions) =>
      requestJson<AppResponse>(target, 'GET', '/api/v2/app', undefined, requestOptions),
    updateApp: (
      patch: { multi_tenant_enabled?: boolean; grants?: GrantsMap | null },
      requestOptions?: RequestOptions,
    ) => requestJson<AppResponse>(target, 'PATCH', '/api/v2/app', patch, requestOptions),
    upsertUsers: (users: UserRequest[], requestOptions?: RequestOptions) =>
      upsertUsersRequest(target, users, requestOptions),
    updateUserPartial: (request: UpdateUserPartialRequest, requestOptions?: RequestOptions) =>
      updateUserPartialRequest(target, request, requestOptions),
    /** Stream's deleteUsers (a soft delete, done at once). */
    deleteUsers: (request: { user_ids: string[] }, requestOptions?: RequestOptions) =>
      requestJson<{ task_id: string; users: Record<string, UserResponse> }>(
        target,
        'POST',
        '/api/v2/users/delete',
        request,
        requestOptions,
      ),
    deleteUser: async (id: string, requestOptions?: RequestOptions) => {
      const answer = await requestJson<{ users: Record<string, UserResponse> }>(
        target,
        'POST',
        '/api/v2/users/delete',
        { user_ids: [id] },
        requestOptions,
      );
      return { user: answer.users[id] as UserResponse };
    },
    queryUsers: (request: { payload: QueryUsersPayload }, requestOptions?: RequestOptions) =>
      queryUsersRequest(target, request.payload, requestOptions),
    createRole: (
      role: string | { name: string; level?: 'user' | 'call'; description?: string },
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ role: RoleResponse }>(
        target,
        'POST',
        '/api/v2/roles',
        typeof role === 'string' ? { name: role } : role,
        requestOptions,
      ),
    deleteRole: (name: string, requestOptions?: RequestOptions) =>
      requestJson<{ deleted: string }>(
        target,
        'DELETE',
        `/api/v2${apiPath('roles', name)}`,
        undefined,
        requestOptions,
      ),
    listRoles: (requestOptions?: RequestOptions) =>
      requestJson<{ roles: RoleResponse[] }>(
        target,
        'GET',
        '/api/v2/roles',
        undefined,
        requestOptions,
      ),
    listPermissions: (requestOptions?: RequestOptions) =>
      requestJson<{ permissions: PermissionResponse[] }>(
        target,
        'GET',
        '/api/v2/permissions',
        undefined,
        requestOptions,
      ),
    getPermission: (id: string, requestOptions?: RequestOptions) =>
      requestJson<{ permission: PermissionResponse }>(
        target,
        'GET',
        permissionPath(id),
        undefined,
        requestOptions,
      ),
    getCallType: (name: string, requestOptions?: RequestOptions) =>
      requestJson<{ name: string; grants: GrantsMap }>(
        target,
        'GET',
        callTypePath(name),
        undefined,
        requestOptions,
      ),
    /** The seed's patch: named roles are replaced, `[]` clears a role, `grants: null` resets. */
    updateCallType: (
      name: string,
      request: { grants: GrantsMap | null },
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ name: string; grants: GrantsMap }>(
        target,
        'PUT',
        callTypePath(name),
        request,
        requestOptions,
      ),
    /** A custom permission (Stream's CreatePermission); persisted as in the grants file. */
    createPermission: (permission: CustomPermissionRequest, requestOptions?: RequestOptions) =>
      requestJson<{ permission: PermissionResponse }>(
        target,
        'POST',
        '/api/v2/permissions',
        permission,
        requestOptions,
      ),
    updatePermission: (
      id: string,
      permission: Omit<CustomPermissionRequest, 'id'>,
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ permission: PermissionResponse }>(
        target,
        'PUT',
        permissionPath(id),
        permission,
        requestOptions,
      ),
    /** Refused (409) while any scope grants or revokes it. */
    deletePermission: (id: string, requestOptions?: RequestOptions) =>
      requestJson<{ duration: string }>(
        target,
        'DELETE',
        permissionPath(id),
        undefined,
        requestOptions,
      ),
    /**
     * rolecall's extension: the grants-file override of call `type:id` (the spec's `calls:`
     * layer, served in data.json), replaced as a whole; `null` removes it.
     */
    updateCallOverrides: (
      callType: string,
      id: string,
      grants: GrantsMap | null,
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ call_type: string; id: string; grants: GrantsMap }>(
        target,
        'PUT',
        `/api/v2/rolecall${apiPath('call_overrides', callType, id)}`,
        { grants },
        requestOptions,
      ),
    listCallTypes: (requestOptions?: RequestOptions) =>
      requestJson<{ call_types: Record<string, { name: string; grants: GrantsMap }> }>(
        target,
        'GET',
        '/api/v2/video/calltypes',
        undefined,
        requestOptions,
      ),
    /** A custom call type; `grants` as in the grants file (an absent role has none). */
    createCallType: (
      request: { name: string; grants?: GrantsMap },
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ name: string; grants: GrantsMap }>(
        target,
        'POST',
        '/api/v2/video/calltypes',
        request,
        requestOptions,
      ),
    deleteCallType: (name: string, requestOptions?: RequestOptions) =>
      requestJson<{ duration: string }>(
        target,
        'DELETE',
        callTypePath(name),
        undefined,
        requestOptions,
      ),
    /** The live grants spec and resolved policy (what `rolecall diff --live` compares). */
    getLiveGrants: (requestOptions?: RequestOptions) =>
      requestJson<{ revision: string; spec: unknown; policy: unknown }>(
        target,
        'GET',
        '/api/v2/rolecall/grants',
        undefined,
        requestOptions,
      ),
    call,
    video: {
      queryCalls: (request: QueryCallsRequest = {}, requestOptions?: RequestOptions) =>
        requestJson<{ calls: CallStateResponse[] }>(
          target,
          'POST',
          '/api/v2/video/calls',
          request,
          requestOptions,
        ),
    },
  };
}

export type ServerClient = ReturnType<typeof createServerClient>;
