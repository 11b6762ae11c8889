// The user endpoints both clients call (a user may upsert and patch users where the policy lets
// it; the back end always may): one definition of each request, shared by both clients.
import { apiPath, requestJson, type HttpTarget, type RequestOptions } from './http.js';
import type { UserRequest, UserResponse } from './types.js';

export interface UpdateUserPartialRequest {
  id: string;
  set?: Partial<Omit<UserRequest, 'id'>>;
  unset?: string[];
}

export function upsertUsersRequest(
  target: HttpTarget,
  users: UserRequest[],
  options?: RequestOptions,
): Promise<{ users: Record<string, UserResponse> }> {
  return requestJson(target, 'POST', '/users', { users }, options);
}

export function updateUserPartialRequest(
  target: HttpTarget,
  request: UpdateUserPartialRequest,
  options?: RequestOptions,
): Promise<{ user: UserResponse }> {
  return requestJson(
    target,
    'PATCH',
    apiPath('users', request.id),
    { set: request.set ?? {}, unset: request.unset ?? [] },
    options,
  );
}
