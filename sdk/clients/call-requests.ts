// The call endpoints both clients send (Stream Video's `/video/call/{type}/{id}…`): one definition
// of each request. The user client decides nothing here; the server decides every request.
import type { PolicyTypes, UntypedPolicy } from '../types.js';
import { apiPath, type Method, type RequestOptions } from './http.js';
import type {
  CallCreateData,
  CallResponse,
  CallStateResponse,
  CallUpdateRequest,
} from './types.js';

/** Sends one request of a call and returns its JSON answer. */
export type CallSender = <R>(
  method: Method,
  path: string,
  body: unknown,
  options: RequestOptions | undefined,
) => Promise<R>;

/** Stream's plain acknowledgement (`{duration}`) of a call action. */
export interface CallActionResponse {
  duration: string;
}

export interface UpdateCallMembersRequest<T extends PolicyTypes = UntypedPolicy> {
  update_members?: { user_id: string; role?: T['CallRole'] }[];
  remove_members?: string[];
}

export interface UpdateUserPermissionsRequest<T extends PolicyTypes = UntypedPolicy> {
  user_id: string;
  grant_permissions?: T['PermissionId'][];
  revoke_permissions?: T['PermissionId'][];
}

export interface MuteUsersRequest {
  user_ids?: string[];
  mute_all_users?: boolean;
  audio?: boolean;
  video?: boolean;
  screenshare?: boolean;
}

/** Stream's DeleteCallRequest: a soft delete unless `hard`. */
export interface DeleteCallRequest {
  hard?: boolean;
}

/** Stream's DeleteCallResponse; rolecall adds the call's `deleted_at`. */
export interface DeleteCallResponse<
  T extends PolicyTypes = UntypedPolicy,
> extends CallActionResponse {
  call: CallResponse<T> & { deleted_at: string | null };
}

/** The user a block, unblock or kick is about. */
export interface CallUserRequest {
  user_id: string;
}

/** Stream's KickUserRequest: `block` also blocks the user from the call. */
export interface KickUserRequest extends CallUserRequest {
  block?: boolean;
}

export function callPath(callType: string, id: string): string {
  return `/api/v2/video/call${apiPath(callType, id)}`;
}

/** The requests of call `type:id`; `T` types their bodies and answers (wire unchanged). */
export function callRequests<T extends PolicyTypes = UntypedPolicy>(
  send: CallSender,
  callType: T['CallType'],
  id: string,
) {
  const base = callPath(callType, id);
  return {
    type: callType,
    id,
    get: (options?: RequestOptions) => send<CallStateResponse<T>>('GET', base, undefined, options),
    getOrCreate: (request: { data?: CallCreateData<T> } = {}, options?: RequestOptions) =>
      send<CallStateResponse<T> & { created: boolean }>('POST', base, request, options),
    /** Same as getOrCreate (Stream's create). */
    create: (request: { data?: CallCreateData<T> } = {}, options?: RequestOptions) =>
      send<CallStateResponse<T> & { created: boolean }>('POST', base, request, options),
    update: (fields: CallUpdateRequest<T>, options?: RequestOptions) =>
      send<CallStateResponse<T>>('PATCH', base, fields, options),
    updateCallMembers: (request: UpdateCallMembersRequest<T>, options?: RequestOptions) =>
      send<CallStateResponse<T>>('POST', `${base}/members`, request, options),
    updateUserPermissions: (request: UpdateUserPermissionsRequest<T>, options?: RequestOptions) =>
      send<CallStateResponse<T>>('POST', `${base}/user_permissions`, request, options),
    /** Stream's endCall (`mark_ended`): answers the ended call's state. */
    end: (options?: RequestOptions) =>
      send<CallStateResponse<T> & CallActionResponse>('POST', `${base}/mark_ended`, {}, options),
    /** Stream's deleteCall: soft unless `hard`; a soft-deleted call's id stays taken. */
    delete: (request: DeleteCallRequest = {}, options?: RequestOptions) =>
      send<DeleteCallResponse<T>>('POST', `${base}/delete`, request, options),
    muteUsers: (request: MuteUsersRequest, options?: RequestOptions) =>
      send<CallActionResponse>('POST', `${base}/mute_users`, request, options),
    blockUser: (request: CallUserRequest, options?: RequestOptions) =>
      send<CallActionResponse>('POST', `${base}/block`, request, options),
    unblockUser: (request: CallUserRequest, options?: RequestOptions) =>
      send<CallActionResponse>('POST', `${base}/unblock`, request, options),
    kickUser: (request: KickUserRequest, options?: RequestOptions) =>
      send<CallActionResponse>('POST', `${base}/kick`, request, options),
  };
}
