// createServerClient: the back end's view of the reference server. Server-side requests are not
// permission checked (the seed), so nothing is filtered or injected here.
import type { CustomPermissionSpec } from '../../core/policy.js';
import type { GrantsRoleOf, PolicyTypes, UntypedPolicy } from '../types.js';
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

/**
 * `T` narrows call types, roles, permission ids and actions to a generated rolecall.gen.ts's
 * unions (its `createServerClient` binds them), so a misspelt name is a compile error; plain
 * strings without it. Only types change: the requests on the wire are the same. Every request
 * method takes `RequestOptions` (`signal`, `timeoutMs`) as its last argument.
 */
export function createServerClient<T extends PolicyTypes = UntypedPolicy>(
  options: ServerClientOptions,
) {
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
  const call = (callType: T['CallType'], id: string) => callRequests<T>(send, callType, id);

  return {
    /** A user token for `createClient`; the server looks the user's role and teams up itself. */
    createToken: (userId: string, tokenOptions: TokenOptions = {}) =>
      createUserToken(userId, options.secret, tokenOptions),
    getApp: (requestOptions?: RequestOptions) =>
      requestJson<AppResponse<T>>(target, 'GET', '/api/v2/app', undefined, requestOptions),
    updateApp: (
      patch: { multi_tenant_enabled?: boolean; grants?: GrantsMap<T> | null },
      requestOptions?: RequestOptions,
    ) => requestJson<AppResponse<T>>(target, 'PATCH', '/api/v2/app', patch, requestOptions),
    upsertUsers: (users: UserRequest<T>[], requestOptions?: RequestOptions) =>
      upsertUsersRequest<T>(target, users, requestOptions),
    updateUserPartial: (request: UpdateUserPartialRequest<T>, requestOptions?: RequestOptions) =>
      updateUserPartialRequest<T>(target, request, requestOptions),
    /** Stream's deleteUsers (a soft delete, done at once). */
    deleteUsers: (request: { user_ids: string[] }, requestOptions?: RequestOptions) =>
      requestJson<{ task_id: string; users: Record<string, UserResponse<T>> }>(
        target,
        'POST',
        '/api/v2/users/delete',
        request,
        requestOptions,
      ),
    deleteUser: async (id: string, requestOptions?: RequestOptions) => {
      const answer = await requestJson<{ users: Record<string, UserResponse<T>> }>(
        target,
        'POST',
        '/api/v2/users/delete',
        { user_ids: [id] },
        requestOptions,
      );
      return { user: answer.users[id] as UserResponse<T> };
    },
    queryUsers: (request: { payload: QueryUsersPayload<T> }, requestOptions?: RequestOptions) =>
      queryUsersRequest<T>(target, request.payload, requestOptions),
    createRole: (
      role:
        GrantsRoleOf<T> | { name: GrantsRoleOf<T>; level?: 'user' | 'call'; description?: string },
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ role: RoleResponse<T> }>(
        target,
        'POST',
        '/api/v2/roles',
        typeof role === 'string' ? { name: role } : role,
        requestOptions,
      ),
    deleteRole: (name: GrantsRoleOf<T>, requestOptions?: RequestOptions) =>
      requestJson<{ deleted: GrantsRoleOf<T> }>(
        target,
        'DELETE',
        `/api/v2${apiPath('roles', name)}`,
        undefined,
        requestOptions,
      ),
    listRoles: (requestOptions?: RequestOptions) =>
      requestJson<{ roles: RoleResponse<T>[] }>(
        target,
        'GET',
        '/api/v2/roles',
        undefined,
        requestOptions,
      ),
    listPermissions: (requestOptions?: RequestOptions) =>
      requestJson<{ permissions: PermissionResponse<T>[] }>(
        target,
        'GET',
        '/api/v2/permissions',
        undefined,
        requestOptions,
      ),
    getPermission: (id: T['PermissionId'], requestOptions?: RequestOptions) =>
      requestJson<{ permission: PermissionResponse<T> }>(
        target,
        'GET',
        permissionPath(id),
        undefined,
        requestOptions,
      ),
    getCallType: (name: T['CallType'], requestOptions?: RequestOptions) =>
      requestJson<{ name: T['CallType']; grants: GrantsMap<T> }>(
        target,
        'GET',
        callTypePath(name),
        undefined,
        requestOptions,
      ),
    /** The seed's patch: named roles are replaced, `[]` clears a role, `grants: null` resets. */
    updateCallType: (
      name: T['CallType'],
      request: { grants: GrantsMap<T> | null },
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ name: T['CallType']; grants: GrantsMap<T> }>(
        target,
        'PUT',
        callTypePath(name),
        request,
        requestOptions,
      ),
    /** A custom permission (Stream's CreatePermission); persisted as in the grants file. */
    createPermission: (permission: CustomPermissionRequest, requestOptions?: RequestOptions) =>
      requestJson<{ permission: PermissionResponse<T> }>(
        target,
        'POST',
        '/api/v2/permissions',
        permission,
        requestOptions,
      ),
    updatePermission: (
      id: T['PermissionId'],
      permission: Omit<CustomPermissionRequest, 'id'>,
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ permission: PermissionResponse<T> }>(
        target,
        'PUT',
        permissionPath(id),
        permission,
        requestOptions,
      ),
    /** Refused (409) while any scope grants or revokes it. */
    deletePermission: (id: T['PermissionId'], requestOptions?: RequestOptions) =>
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
      callType: T['CallType'],
      id: string,
      grants: GrantsMap<T> | null,
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ call_type: T['CallType']; id: string; grants: GrantsMap<T> }>(
        target,
        'PUT',
        `/api/v2/rolecall${apiPath('call_overrides', callType, id)}`,
        { grants },
        requestOptions,
      ),
    listCallTypes: (requestOptions?: RequestOptions) =>
      requestJson<{ call_types: Record<string, { name: T['CallType']; grants: GrantsMap<T> }> }>(
        target,
        'GET',
        '/api/v2/video/calltypes',
        undefined,
        requestOptions,
      ),
    /** A custom call type; `grants` as in the grants file (an absent role has none). */
    createCallType: (
      request: { name: T['CallType']; grants?: GrantsMap<T> },
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ name: T['CallType']; grants: GrantsMap<T> }>(
        target,
        'POST',
        '/api/v2/video/calltypes',
        request,
        requestOptions,
      ),
    deleteCallType: (name: T['CallType'], requestOptions?: RequestOptions) =>
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
      queryCalls: (request: QueryCallsRequest<T> = {}, requestOptions?: RequestOptions) =>
        requestJson<{ calls: CallStateResponse<T>[] }>(
          target,
          'POST',
          '/api/v2/video/calls',
          request,
          requestOptions,
        ),
    },
  };
}

/** The back-end client; `ServerClient<PolicyNames>` is what rolecall.gen.ts's factory returns. */
export type ServerClient<T extends PolicyTypes = UntypedPolicy> = ReturnType<
  typeof createServerClient<T>
>;
