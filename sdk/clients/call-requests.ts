// The call endpoints both clients send (Stream Video's `/video/call/{type}/{id}…`): one definition
// of each request. The user client decides nothing here; the server decides every request.
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

export interface UpdateCallMembersRequest {
  update_members?: { user_id: string; role?: string }[];
  remove_members?: string[];
}

export interface UpdateUserPermissionsRequest {
  user_id: string;
  grant_permissions?: string[];
  revoke_permissions?: string[];
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
export interface DeleteCallResponse extends CallActionResponse {
  call: CallResponse & { deleted_at: string | null };
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

export function callRequests(send: CallSender, callType: string, id: string) {
  const base = callPath(callType, id);
  return {
    type: callType,
    id,
    get: (options?: RequestOptions) => send<CallStateResponse>('GET', base, undefined, options),
    getOrCreate: (request: { data?: CallCreateData } = {}, options?: RequestOptions) =>
      send<CallStateResponse & { created: boolean }>('POST', base, request, options),
    /** Same as getOrCreate (Stream's create). */
    create: (request: { data?: CallCreateData } = {}, options?: RequestOptions) =>
      send<CallStateResponse & { created: boolean }>('POST', base, request, options),
    update: (fields: CallUpdateRequest, options?: RequestOptions) =>
      send<CallStateResponse>('PATCH', base, fields, options),
    updateCallMembers: (request: UpdateCallMembersRequest, options?: RequestOptions) =>
      send<CallStateResponse>('POST', `${base}/members`, request, options),
    updateUserPermissions: (request: UpdateUserPermissionsRequest, options?: RequestOptions) =>
      send<CallStateResponse>('POST', `${base}/user_permissions`, request, options),
    /** Stream's endCall (`mark_ended`): answers the ended call's state. */
    end: (options?: RequestOptions) =>
      send<CallStateResponse & CallActionResponse>('POST', `${base}/mark_ended`, {}, options),
    /** Stream's deleteCall: soft unless `hard`; a soft-deleted call's id stays taken. */
    delete: (request: DeleteCallRequest = {}, options?: RequestOptions) =>
      send<DeleteCallResponse>('POST', `${base}/delete`, request, options),
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
