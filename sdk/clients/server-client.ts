// createServerClient: the back end's view of the reference server. Server-side requests are not
// permission checked (the seed), so nothing is filtered or injected here.
import { apiPath, requestJson, type HttpTarget } from './http.js';
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

export interface ServerClientOptions {
  baseUrl: string;
  apiKey: string;
  /** The API secret: signs the server token and user tokens. Never ship it to a browser. */
  secret: string;
}

export function createServerClient(options: ServerClientOptions) {
  let serverToken: Promise<string> | undefined;
  const target: HttpTarget = {
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    token: () => (serverToken ??= createServerToken(options.secret)),
  };

  function call(callType: string, id: string) {
    const base = apiPath('calls', callType, id);
    return {
      type: callType,
      id,
      getOrCreate: (request: { data?: CallCreateData } = {}) =>
        requestJson<CallStateResponse>(target, 'POST', base, request),
      /** Same as getOrCreate (Stream's create). */
      create: (request: { data?: CallCreateData } = {}) =>
        requestJson<CallStateResponse>(target, 'POST', base, request),
      get: () => requestJson<CallStateResponse>(target, 'GET', base),
      update: (fields: CallUpdateRequest) =>
        requestJson<CallStateResponse>(target, 'PATCH', base, fields),
      updateCallMembers: (request: {
        update_members?: { user_id: string; role?: string }[];
        remove_members?: string[];
      }) => requestJson<CallStateResponse>(target, 'POST', `${base}/members`, request),
      updateUserPermissions: (request: {
        user_id: string;
        grant_permissions?: string[];
        revoke_permissions?: string[];
      }) => requestJson<CallStateResponse>(target, 'POST', `${base}/user_permissions`, request),
    };
  }

  return {
    /** A user token for `createClient`; the server looks the user's role and teams up itself. */
    createToken: (userId: string, tokenOptions: TokenOptions = {}) =>
      createUserToken(userId, options.secret, tokenOptions),
    getApp: () => requestJson<AppResponse>(target, 'GET', '/app'),
    updateApp: (patch: { multi_tenant_enabled?: boolean; grants?: GrantsMap | null }) =>
      requestJson<AppResponse>(target, 'PATCH', '/app', patch),
    upsertUsers: (users: UserRequest[]) => upsertUsersRequest(target, users),
    updateUserPartial: (request: UpdateUserPartialRequest) =>
      updateUserPartialRequest(target, request),
    deleteUser: (id: string) =>
      requestJson<{ user: UserResponse }>(target, 'DELETE', apiPath('users', id)),
    queryUsers: (request: { payload: QueryUsersPayload }) =>
      requestJson<{ users: UserResponse[] }>(target, 'POST', '/users/query', request.payload),
    createRole: (role: string | { name: string; level?: 'user' | 'call'; description?: string }) =>
      requestJson<{ role: RoleResponse }>(
        target,
        'POST',
        '/roles',
        typeof role === 'string' ? { name: role } : role,
      ),
    deleteRole: (name: string) =>
      requestJson<{ deleted: string }>(target, 'DELETE', apiPath('roles', name)),
    listRoles: () => requestJson<{ roles: RoleResponse[] }>(target, 'GET', '/roles'),
    listPermissions: () =>
      requestJson<{ permissions: PermissionResponse[] }>(target, 'GET', '/permissions'),
    getCallType: (name: string) =>
      requestJson<{ name: string; grants: GrantsMap }>(target, 'GET', apiPath('call_types', name)),
    /** The seed's patch: named roles are replaced, `[]` clears a role, `grants: null` resets. */
    updateCallType: (name: string, request: { grants: GrantsMap | null }) =>
      requestJson<{ name: string; grants: GrantsMap }>(
        target,
        'PUT',
        apiPath('call_types', name),
        request,
      ),
    /** The live grants spec and resolved policy (what `rolecall diff --live` compares). */
    getLiveGrants: () =>
      requestJson<{ revision: string; spec: unknown; policy: unknown }>(target, 'GET', '/grants'),
    call,
    video: {
      queryCalls: (request: QueryCallsRequest = {}) =>
        requestJson<{ calls: CallStateResponse[] }>(target, 'POST', '/calls/query', request),
    },
  };
}

export type ServerClient = ReturnType<typeof createServerClient>;
