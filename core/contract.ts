// The shapes that cross the evaluator boundary: decision inputs and the results of each
// entrypoint (DESIGN §4, §5). Browser-safe: types only.

/** The unions a generated rolecall.gen.ts narrows; plain strings when no types are generated. */
export interface PolicyTypes {
  Role: string;
  CallRole: string;
  CallType: string;
  PermissionId: string;
  Action: string;
  /** Field names an update may list in `changes`; any string when absent. */
  Change?: string;
  /** Fields a user query's `filter_conditions` may name; any string when absent. */
  UserFilterField?: string;
  /** Fields a call query's `filter_conditions` may name; any string when absent. */
  CallFilterField?: string;
}

/**
 * The fields an update touches, as the reference API names them: a user's `name`, `role`,
 * `teams`, `custom`; a call's `custom`, `settings_override`, `config_overrides`, `team`,
 * `created_by_id`; a member's `role`. rolecall.gen.ts binds `Change` to this union.
 */
export type ChangeField =
  | 'name'
  | 'role'
  | 'teams'
  | 'custom'
  | 'settings_override'
  | 'config_overrides'
  | 'team'
  | 'created_by_id';

/** The user fields a query filter may name (the reference server refuses others). */
export type UserFilterField = 'id' | 'name' | 'role' | 'teams' | 'created_at' | 'updated_at';

/** The call fields a query filter may name (the reference server refuses others). */
export type CallFilterField =
  | 'id'
  | 'type'
  | 'cid'
  | 'team'
  | 'created_by_id'
  | 'created_at'
  | 'updated_at'
  | 'ended_at'
  | 'members';

/** `T`'s change field names, or any string for a bag without them. */
export type ChangeOf<T extends PolicyTypes> = T extends { Change: infer C extends string }
  ? C
  : string;

/** A role a grants map may name: a user-level or a call-level role of `T`. */
export type GrantsRoleOf<T extends PolicyTypes> = T['Role'] | T['CallRole'];

/** The default bag: every name is a string. */
export interface UntypedPolicy {
  Role: string;
  CallRole: string;
  CallType: string;
  PermissionId: string;
  Action: string;
}

/** A grant modifier: a bare id grants, `!id` revokes (overrides and `call_grants`). */
export type GrantModifier<Id extends string = string> = Id | `!${Id}`;

export interface Subject<T extends PolicyTypes = UntypedPolicy> {
  id: string;
  role: T['Role'];
  teams?: readonly string[];
  /** Present only when the subject is a member of the call being decided. */
  call_role?: T['CallRole'];
  /** Per-member modifiers of this call (Stream's request-permission flow). */
  call_grants?: readonly GrantModifier<T['PermissionId']>[];
}

export interface AppResource {
  kind: 'app';
}

export interface CallResource<T extends PolicyTypes = UntypedPolicy> {
  kind: 'call';
  call_type: T['CallType'];
  id: string;
  team?: string | null;
  created_by_id?: string;
  /** The live call record's own overrides (never a copy of the grants file's). */
  config_overrides?: {
    grants?: Partial<
      Record<T['Role'] | T['CallRole'], readonly GrantModifier<T['PermissionId']>[]>
    > | null;
  } | null;
}

export interface UserResource<T extends PolicyTypes = UntypedPolicy> {
  kind: 'user';
  id: string;
  role?: T['Role'];
  teams?: readonly string[];
}

export type Resource<T extends PolicyTypes = UntypedPolicy> =
  AppResource | CallResource<T> | UserResource<T>;

export type Side = 'client' | 'server';

/** Input of `rolecall/decision`, `rolecall/allow` and `rolecall/capabilities`. */
export interface DecisionInput<T extends PolicyTypes = UntypedPolicy> {
  subject: Subject<T>;
  action: T['Action'];
  resource: Resource<T>;
  changes?: readonly ChangeOf<T>[];
  /**
   * `listing: true`: a ReadCall of a row a client query listed, whose team the query filter
   * already decided (DESIGN §5, Listing); rule 7 does not apply to it, and to nothing else.
   */
  context?: { side?: Side; listing?: boolean };
}

/** A Stream filter (`filter_conditions`): field → value or operator object, `$and`/`$or`/`$nor`. */
export type FilterConditions = Record<string, unknown>;

/**
 * A filter whose field names are checked: `Field` → value or operator object, and `$and`/`$or`/
 * `$nor` of such filters. With `Field = string` it is the plain `FilterConditions`.
 */
export type FilterOf<Field extends string> = string extends Field
  ? FilterConditions
  : { [Name in Field]?: unknown } & {
      $and?: readonly FilterOf<Field>[];
      $or?: readonly FilterOf<Field>[];
      $nor?: readonly FilterOf<Field>[];
    };

/** A user query's filter for `T` (field names checked when `T` names them). */
export type UserFilterOf<T extends PolicyTypes> = FilterOf<
  T extends { UserFilterField: infer F extends string } ? F : string
>;

/** A call query's filter for `T` (field names checked when `T` names them). */
export type CallFilterOf<T extends PolicyTypes> = FilterOf<
  T extends { CallFilterField: infer F extends string } ? F : string
>;

export type QueryAction = 'QueryUsers' | 'QueryCalls';

/** Input of `rolecall/query_filter` (DESIGN §5). */
export interface QueryFilterInput<T extends PolicyTypes = UntypedPolicy> {
  subject: Subject<T>;
  action: QueryAction;
  query: { filter_conditions: FilterConditions };
  context?: { side?: Side };
}

/** Reasons the engine gives (DESIGN §4 order of evaluation). */
export type EngineDecisionReason =
  | 'INVALID_INPUT'
  | 'UNKNOWN_ACTION'
  | 'SERVER_SIDE'
  | 'SERVER_ONLY'
  | 'ANONYMOUS_READ_ONLY'
  | 'TEAM_REQUIRED'
  | 'TEAM_MISMATCH'
  | 'FORBIDDEN_FIELD'
  | 'GRANTED'
  | 'REVOKED'
  | 'NOT_GRANTED';

/** Reasons the SDK adds when it had to fail closed (the `code` of the evaluator error). */
export type FailClosedReason =
  | 'EVALUATOR_UNAVAILABLE'
  | 'EVALUATOR_TIMEOUT'
  | 'EVALUATOR_BAD_RESPONSE'
  | 'EVALUATOR_FAILED'
  | 'EVALUATOR_CLOSED';

export interface MatchedGrant {
  scope: string;
  role: string;
  permission: string;
  /** `file:line:col` in the grants file, when the grant came from it. */
  source?: string;
}

/** Output of `rolecall/decision`. */
export interface Decision {
  allow: boolean;
  reason: EngineDecisionReason;
  message: string;
  /** The data revision of the bundle that decided. */
  revision: string;
  grants: MatchedGrant[];
}

export type QueryFilterReason =
  | 'INVALID_INPUT'
  | 'SERVER_SIDE'
  | 'SINGLE_TENANT'
  | 'INJECTED'
  | 'WITHIN_TEAMS'
  | 'ANY_TEAM'
  | 'INVALID_FILTER'
  | 'NOT_GRANTED'
  | 'CROSS_TEAM_QUERY'
  | 'UNKNOWN_ACTION';

/** The decision reasons that allow; every other reason denies. */
export const ALLOWING_DECISION_REASONS: ReadonlySet<string> = new Set<EngineDecisionReason>([
  'SERVER_SIDE',
  'GRANTED',
]);

/** The query filter reasons that allow (with a filter); every other reason denies (filter null). */
export const ALLOWING_QUERY_FILTER_REASONS: ReadonlySet<string> = new Set<QueryFilterReason>([
  'SERVER_SIDE',
  'SINGLE_TENANT',
  'INJECTED',
  'WITHIN_TEAMS',
  'ANY_TEAM',
]);

/** Output of `rolecall/query_filter`: `filter` is null on a deny. */
export interface QueryFilterResult {
  allow: boolean;
  reason: QueryFilterReason;
  filter: FilterConditions | null;
  injected: boolean;
  message: string;
}

export interface BatchInput {
  decisions: readonly unknown[];
  query_filters: readonly unknown[];
}

export interface BatchResult {
  decisions: Decision[];
  query_filters: QueryFilterResult[];
}

/** What each entrypoint returns. */
export interface EntrypointResults {
  'rolecall/allow': boolean;
  'rolecall/decision': Decision;
  'rolecall/capabilities': string[];
  'rolecall/query_filter': QueryFilterResult;
  'rolecall/batch': BatchResult;
}

export type Entrypoint = keyof EntrypointResults;

export const ENTRYPOINT_NAMES: readonly Entrypoint[] = [
  'rolecall/allow',
  'rolecall/decision',
  'rolecall/capabilities',
  'rolecall/query_filter',
  'rolecall/batch',
];
