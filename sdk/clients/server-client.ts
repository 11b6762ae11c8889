// createServerClient: the back end's view of the reference server. Server-side requests are not
// permission checked (the seed), so nothing is filtered or injected here.
import {
  apiPath,
  httpTarget,
  requestJson,
  type HttpTarget,
  type RequestOptions,
  type TransportOptions,
} from './http.js';
import {
  updateUserPartialRequest,
  upsertUsersRequest,
  type UpdateUserPartialRequest,
} from './user-requests.js';
import { createServerToken, createUserToken, type TokenOptions } from './token.js';
import type {
  AppResponse,
  CallCreateData,
  CallStateResponse,
  CallUpdateRequest,
  GrantsMap,
  PermissionResponse,
  QueryCallsRequest,
  QueryUsersPayload,
  RoleResponse,
  UserRequest,
  UserResponse,
} from './types.js';

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

  function call(callType: string, id: string) {
    const base = apiPath('calls', callType, id);
    return {
      type: callType,
      id,
      getOrCreate: (request: { data?: CallCreateData } = {}, requestOptions?: RequestOptions) =>
        requestJson<CallStateResponse>(target, 'POST', base, request, requestOptions),
      /** Same as getOrCreate (Stream's create). */
      create: (request: { data?: CallCreateData } = {}, requestOptions?: RequestOptions) =>
        requestJson<CallStateResponse>(target, 'POST', base, request, requestOptions),
      get: (requestOptions?: RequestOptions) =>
        requestJson<CallStateResponse>(target, 'GET', base, undefined, requestOptions),
      update: (fields: CallUpdateRequest, requestOptions?: RequestOptions) =>
        requestJson<CallStateResponse>(target, 'PATCH', base, fields, requestOptions),
      updateCallMembers: (
        request: {
          update_members?: { user_id: string; role?: string }[];
          remove_members?: string[];
        },
        requestOptions?: RequestOptions,
      ) =>
        requestJson<CallStateResponse>(target, 'POST', `${base}/members`, request, requestOptions),
      updateUserPermissions: (
        request: {
          user_id: string;
          grant_permissions?: string[];
          revoke_permissions?: string[];
        },
        requestOptions?: RequestOptions,
      ) =>
        requestJson<CallStateResponse>(
          target,
          'POST',
          `${base}/user_permissions`,
          request,
          requestOptions,
        ),
    };
  }

  return {
    /** A user token for `createClient`; the server looks the user's role and teams up itself. */
    createToken: (userId: string, tokenOptions: TokenOptions = {}) =>
      createUserToken(userId, options.secret, tokenOptions),
    getApp: (requestOptions?: RequestOptions) =>
      requestJson<AppResponse>(target, 'GET', '/app', undefined, requestOptions),
    updateApp: (
      patch: { multi_tenant_enabled?: boolean; grants?: GrantsMap | null },
      requestOptions?: RequestOptions,
    ) => requestJson<AppResponse>(target, 'PATCH', '/app', patch, requestOptions),
    upsertUsers: (users: UserRequest[], requestOptions?: RequestOptions) =>
      upsertUsersRequest(target, users, requestOptions),
    updateUserPartial: (request: UpdateUserPartialRequest, requestOptions?: RequestOptions) =>
      updateUserPartialRequest(target, request, requestOptions),
    deleteUser: (id: string, requestOptions?: RequestOptions) =>
      requestJson<{ user: UserResponse }>(
        target,
        'DELETE',
        apiPath('users', id),
        undefined,
        requestOptions,
      ),
    queryUsers: (request: { payload: QueryUsersPayload }, requestOptions?: RequestOptions) =>
      requestJson<{ users: UserResponse[] }>(
        target,
        'POST',
        '/users/query',
        request.payload,
        requestOptions,
      ),
    createRole: (
      role: string | { name: string; level?: 'user' | 'call'; description?: string },
      requestOptions?: RequestOptions,
    ) =>
      requestJson<{ role: RoleResponse }>(
        target,
        'POST',
        '/roles',
        typeof role === 'string' ? { name: role } : role,
        requestOptions,
      ),
    deleteRole: (name: string, requestOptions?: RequestOptions) =>
      requestJson<{ deleted: string }>(
        target,
        'DELETE',
        apiPath('roles', name),
        undefined,
        requestOptions,
      ),
    listRoles: (requestOptions?: RequestOptions) =>
      requestJson<{ roles: RoleResponse[] }>(target, 'GET', '/roles', undefined, requestOptions),
    listPermissions: (requestOptions?: RequestOptions) =>
      requestJson<{ permissions: PermissionResponse[] }>(
        target,
        'GET',
        '/permissions',
        undefined,
        requestOptions,
      ),
    getCallType: (name: string, requestOptions?: RequestOptions) =>
      requestJson<{ name: string; grants: GrantsMap }>(
        target,
        'GET',
        apiPath('call_types', name),
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
        apiPath('call_types', name),
        request,
        requestOptions,
      ),
    /** The live grants spec and resolved policy (what `rolecall diff --live` compares). */
    getLiveGrants: (requestOptions?: RequestOptions) =>
      requestJson<{ revision: string; spec: unknown; policy: unknown }>(
        target,
        'GET',
        '/grants',
        undefined,
        requestOptions,
      ),
    call,
    video: {
      queryCalls: (request: QueryCallsRequest = {}, requestOptions?: RequestOptions) =>
        requestJson<{ calls: CallStateResponse[] }>(
          target,
          'POST',
          '/calls/query',
          request,
          requestOptions,
        ),
    },
  };
}

export type ServerClient = ReturnType<typeof createServerClient>;
