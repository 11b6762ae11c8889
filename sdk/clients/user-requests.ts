// The user endpoints both clients call (a user may upsert and patch users where the policy lets
// it; the back end always may): one definition of each request, shared by both clients.
import type { PolicyTypes, UntypedPolicy } from '../types.js';
import { requestJson, type HttpTarget, type RequestOptions } from './http.js';
import type { QueryUsersPayload, UserRequest, UserResponse } from './types.js';

export interface UpdateUserPartialRequest<T extends PolicyTypes = UntypedPolicy> {
  id: string;
  set?: Partial<Omit<UserRequest<T>, 'id'>>;
  unset?: string[];
}

/** Stream's upsert: `{users: {id: user}}`. */
export function upsertUsersRequest<T extends PolicyTypes = UntypedPolicy>(
  target: HttpTarget,
  users: UserRequest<T>[],
  options?: RequestOptions,
): Promise<{ users: Record<string, UserResponse<T>> }> {
  const byId = new Map(users.map((user) => [user.id, user]));
  return requestJson(target, 'POST', '/api/v2/users', { users: Object.fromEntries(byId) }, options);
}

/** Stream's `PATCH /users` with one change; the answer's user is returned as `user`. */
export async function updateUserPartialRequest<T extends PolicyTypes = UntypedPolicy>(
  target: HttpTarget,
  request: UpdateUserPartialRequest<T>,
  options?: RequestOptions,
): Promise<{ user: UserResponse<T> }> {
  const answer = await requestJson<{ users: Record<string, UserResponse<T>> }>(
    target,
    'PATCH',
    '/api/v2/users',
    { users: [{ id: request.id, set: request.set ?? {}, unset: request.unset ?? [] }] },
    options,
  );
  const user = Object.hasOwn(answer.users, request.id) ? answer.users[request.id] : undefined;
  if (user === undefined) throw new TypeError(`the answer has no user "${request.id}"`);
  return { user };
}

/** Stream's query: `GET /users?payload=<JSON>`. */
export function queryUsersRequest<T extends PolicyTypes = UntypedPolicy>(
  target: HttpTarget,
  payload: QueryUsersPayload<T>,
  options?: RequestOptions,
): Promise<{ users: UserResponse<T>[] }> {
  return requestJson(
    target,
    'GET',
    `/api/v2/users?payload=${encodeURIComponent(JSON.stringify(payload))}`,
    undefined,
    options,
  );
}
