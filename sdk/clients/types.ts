// Shapes the reference server sends and accepts (the Stream-like REST API, docs/server.md).
// Each takes the policy's names `T` (rolecall.gen.ts's `PolicyNames`); plain strings by default.
import type {
  CallFilterOf,
  GrantModifier,
  GrantsRoleOf,
  PolicyTypes,
  UntypedPolicy,
  UserFilterOf,
} from '../types.js';

/**
 * Role → permission ids (a `!id` revokes where a layer allows it, as in the grants file). With
 * the policy's names every key and id is checked; untyped it stays `Record<string, string[]>`.
 */
export type GrantsMap<T extends PolicyTypes = UntypedPolicy> =
  string extends GrantsRoleOf<T>
    ? Record<string, string[]>
    : Partial<Record<GrantsRoleOf<T>, GrantModifier<T['PermissionId']>[]>>;

export interface UserResponse<T extends PolicyTypes = UntypedPolicy> {
  id: string;
  name: string | null;
  role: T['Role'];
  teams: string[];
  custom: Record<string, unknown>;
  /** Stream's profile picture URL and preferred language, when set. */
  image?: string;
  language?: string;
  created_at: string;
  updated_at: string;
}

export interface UserRequest<T extends PolicyTypes = UntypedPolicy> {
  id: string;
  name?: string;
  role?: T['Role'];
  teams?: string[];
  custom?: Record<string, unknown>;
  image?: string;
  language?: string;
}

export interface CallMemberResponse<T extends PolicyTypes = UntypedPolicy> {
  user_id: string;
  role: T['CallRole'];
  grants: GrantModifier<T['PermissionId']>[];
}

export interface CallResponse<T extends PolicyTypes = UntypedPolicy> {
  type: T['CallType'];
  id: string;
  cid: string;
  team: string | null;
  created_by_id: string;
  /** Stream's creator reference (the id only). */
  created_by: { id: string };
  custom: Record<string, unknown>;
  settings_override: Record<string, unknown>;
  config_overrides: { grants?: GrantsMap<T> | null } | null;
  /** The call's effective grants (call type, then overrides). */
  config: { grants: GrantsMap<T> };
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface CallStateResponse<T extends PolicyTypes = UntypedPolicy> {
  call: CallResponse<T>;
  members: CallMemberResponse<T>[];
  /** The requesting user's own membership, if any. */
  membership: CallMemberResponse<T> | null;
  own_capabilities: T['PermissionId'][];
  created?: boolean;
  joined?: boolean;
}

export type SortParam = { field: string; direction?: 1 | -1 }[];

export interface QueryUsersPayload<T extends PolicyTypes = UntypedPolicy> {
  filter_conditions?: UserFilterOf<T>;
  sort?: SortParam;
  limit?: number;
  offset?: number;
}

export interface QueryCallsRequest<T extends PolicyTypes = UntypedPolicy> {
  filter_conditions?: CallFilterOf<T>;
  sort?: SortParam;
  limit?: number;
  offset?: number;
}

export interface CallCreateData<T extends PolicyTypes = UntypedPolicy> {
  team?: string | null;
  created_by_id?: string;
  custom?: Record<string, unknown>;
  settings_override?: Record<string, unknown>;
  members?: { user_id: string; role?: T['CallRole'] }[];
}

export interface CallUpdateRequest<T extends PolicyTypes = UntypedPolicy> {
  custom?: Record<string, unknown>;
  settings_override?: Record<string, unknown>;
  config_overrides?: { grants?: GrantsMap<T> | null } | null;
  team?: string | null;
  created_by_id?: string;
}

export interface AppResponse<T extends PolicyTypes = UntypedPolicy> {
  app: { multi_tenant_enabled: boolean; grants: GrantsMap<T>; revision: string };
}

export interface RoleResponse<T extends PolicyTypes = UntypedPolicy> {
  name: GrantsRoleOf<T>;
  custom: boolean;
  level: 'user' | 'call' | 'any';
  description: string;
}

export interface PermissionResponse<T extends PolicyTypes = UntypedPolicy> {
  id: T['PermissionId'];
  name: string;
  description: string;
  action: T['Action'];
  owner: boolean;
  same_team: boolean;
  level: 'app' | 'call';
  custom: boolean;
}
