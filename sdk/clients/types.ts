// Shapes the reference server sends and accepts (the Stream-like REST API, docs/server.md).
import type { FilterConditions, GrantModifier } from '../types.js';

export type GrantsMap = Record<string, string[]>;

export interface UserResponse {
  id: string;
  name: string | null;
  role: string;
  teams: string[];
  custom: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface UserRequest {
  id: string;
  name?: string;
  role?: string;
  teams?: string[];
  custom?: Record<string, unknown>;
}

export interface CallMemberResponse {
  user_id: string;
  role: string;
  grants: GrantModifier[];
}

export interface CallResponse {
  type: string;
  id: string;
  cid: string;
  team: string | null;
  created_by_id: string;
  /** Stream's creator reference (the id only). */
  created_by: { id: string };
  custom: Record<string, unknown>;
  settings_override: Record<string, unknown>;
  config_overrides: { grants?: GrantsMap | null } | null;
  /** The call's effective grants (call type, then overrides). */
  config: { grants: GrantsMap };
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface CallStateResponse {
  call: CallResponse;
  members: CallMemberResponse[];
  /** The requesting user's own membership, if any. */
  membership: CallMemberResponse | null;
  own_capabilities: string[];
  created?: boolean;
  joined?: boolean;
}

export type SortParam = { field: string; direction?: 1 | -1 }[];

export interface QueryUsersPayload {
  filter_conditions?: FilterConditions;
  sort?: SortParam;
  limit?: number;
  offset?: number;
}

export interface QueryCallsRequest {
  filter_conditions?: FilterConditions;
  sort?: SortParam;
  limit?: number;
  offset?: number;
}

export interface CallCreateData {
  team?: string | null;
  created_by_id?: string;
  custom?: Record<string, unknown>;
  settings_override?: Record<string, unknown>;
  members?: { user_id: string; role?: string }[];
}

export interface CallUpdateRequest {
  custom?: Record<string, unknown>;
  settings_override?: Record<string, unknown>;
  config_overrides?: { grants?: GrantsMap | null } | null;
  team?: string | null;
  created_by_id?: string;
}

export interface AppResponse {
  app: { multi_tenant_enabled: boolean; grants: GrantsMap; revision: string };
}

export interface RoleResponse {
  name: string;
  custom: boolean;
  level: 'user' | 'call' | 'any';
  description: string;
}

export interface PermissionResponse {
  id: string;
  name: string;
  description: string;
  action: string;
  owner: boolean;
  same_team: boolean;
  level: 'app' | 'call';
  custom: boolean;
}
