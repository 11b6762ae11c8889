// createClient: one user's view of the reference server. Queries pass through the policy's
// query_filter before they leave (the server applies it again), and `can`/`capabilities`
// answer locally from the app's policy (data.json in the JS engine by default), as UI hints.
import { PolicyClient } from '../policy-client.js';
import type { Evaluator } from '../evaluator.js';
import type {
  CallResource,
  DecisionInput,
  FilterConditions,
  PolicyTypes,
  Resource,
  UntypedPolicy,
} from '../types.js';
import { JsEvaluator } from '../js-evaluator.js';
import type { WasmEvaluator } from '../wasm-evaluator.js';
import { RolecallApiError } from './errors.js';
import { readBundle } from '../bundle.js';
import { apiPath, requestJson, requestPolicyFile, type HttpTarget } from './http.js';
import {
  updateUserPartialRequest,
  upsertUsersRequest,
  type UpdateUserPartialRequest,
} from './user-requests.js';
import type {
  CallCreateData,
  CallStateResponse,
  CallUpdateRequest,
  QueryCallsRequest,
  QueryUsersPayload,
  UserRequest,
  UserResponse,
} from './types.js';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** A user token (`serverClient.createToken(userId)`). */
  token: string;
  /**
   * The evaluator to decide with. When absent the server's policy is fetched: its data.json into
   * a JsEvaluator (default, `engine: 'js'`), or its bundle into a WasmEvaluator (`'wasm'`).
   */
  policy?: Evaluator;
  /** The local engine of a fetched policy; unused when `policy` is given. Default `js`. */
  engine?: 'js' | 'wasm';
  /**
   * How old the fetched bundle may get before the next query revalidates it (ETag, usually a
   * 304). Default 30 s; 0 checks before every query. Unused when `policy` is given.
   */
  policyMaxAgeMs?: number;
}

function callResource(state: CallStateResponse): CallResource {
  return {
    kind: 'call',
    call_type: state.call.type,
    id: state.call.id,
    team: state.call.team,
    created_by_id: state.call.created_by_id,
    config_overrides: state.call.config_overrides,
  };
}

/**
 * `T` narrows roles, actions, call types and permission ids to a generated rolecall.gen.ts's
 * unions, so a misspelt action is a compile error; plain strings without it.
 */
export function createClient<T extends PolicyTypes = UntypedPolicy>(options: ClientOptions) {
  const target: HttpTarget = {
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    token: () => Promise.resolve(options.token),
  };
  let policyClient: Promise<PolicyClient<T>> | undefined;
  let fetched:
    { evaluator: JsEvaluator | WasmEvaluator; etag: string | undefined; at: number } | undefined;
  const maxAge = options.policyMaxAgeMs ?? 30_000;
  // A page using the JS engine downloads data.json only, never policy.wasm.
  const policyFile = options.engine === 'wasm' ? '/bundle.tar.gz' : '/data.json';

  async function loadPolicy(): Promise<PolicyClient<T>> {
    let evaluator = options.policy;
    if (evaluator === undefined) {
      const file = await requestPolicyFile(target, policyFile);
      if (file.notModified)
        throw new RolecallApiError(500, 'BUNDLE_MISSING', 'the server sent no policy');
      // opa-wasm is loaded only by the clients that ask for it, so pages do not carry it.
      const loaded =
        policyFile === '/data.json'
          ? JsEvaluator.fromData(file.bytes)
          : await (await import('../wasm-evaluator.js')).WasmEvaluator.fromBundle(file.bytes);
      fetched = { evaluator: loaded, etag: file.etag, at: Date.now() };
      evaluator = loaded;
    }
    const { user } = await requestJson<{ user: UserResponse }>(target, 'GET', '/me');
    return new PolicyClient<T>(
      evaluator,
      { id: user.id, role: user.role, teams: user.teams },
      { allowServerSide: false },
    );
  }

  /** Revalidates the fetched policy with its ETag and swaps in new grants (no reload). */
  async function refreshPolicy(): Promise<void> {
    if (fetched === undefined) return;
    const file = await requestPolicyFile(target, policyFile, fetched.etag);
    fetched.at = Date.now();
    if (file.notModified) return;
    fetched.evaluator.setData(
      policyFile === '/data.json' ? file.bytes : readBundle(file.bytes).data,
    );
    fetched.etag = file.etag;
  }

  async function policy(): Promise<PolicyClient<T>> {
    // A failed load (server down, token refused) is not cached: the next call tries again.
    policyClient ??= loadPolicy().catch((error: unknown) => {
      policyClient = undefined;
      throw error;
    });
    const client = await policyClient;
    if (fetched !== undefined && Date.now() - fetched.at >= maxAge) await refreshPolicy();
    return client;
  }

  /** The team filter of the local policy; a deny never leaves the client. */
  async function scopedFilter(
    kind: 'users' | 'calls',
    filter: FilterConditions | undefined,
  ): Promise<FilterConditions> {
    const original = filter ?? {};
    const verdict = await (await policy()).queryFilter(kind, original);
    if (!verdict.allow || verdict.filter === null) {
      const status =
        verdict.reason === 'INVALID_FILTER' || verdict.reason === 'INVALID_INPUT' ? 400 : 403;
      throw new RolecallApiError(status, verdict.reason, verdict.message, 'client');
    }
    // `{teams: {}}` ("all teams") is removed by the filter; keep asking for it, or the server's
    // own query_filter would see no team field and inject the subject's teams again.
    const teamField = kind === 'users' ? 'teams' : 'team';
    if (Object.hasOwn(original, teamField) && !Object.hasOwn(verdict.filter, teamField)) {
      return { ...verdict.filter, [teamField]: original[teamField] };
    }
    return verdict.filter;
  }

  function call(callType: T['CallType'], id: string) {
    const base = apiPath('calls', callType, id);
    let state: CallStateResponse | undefined;
    const remember = (next: CallStateResponse): CallStateResponse => {
      state = next;
      return next;
    };
    const resource = (): CallResource<T> =>
      state === undefined ? { kind: 'call', call_type: callType, id } : callResource(state);
    const memberOptions = () => ({
      ...(state?.membership ? { callRole: state.membership.role as T['CallRole'] } : {}),
      ...(state?.membership && state.membership.grants.length > 0
        ? { callGrants: state.membership.grants as T['PermissionId'][] }
        : {}),
    });
    return {
      type: callType,
      id,
      get state(): CallStateResponse | undefined {
        return state;
      },
      get: async () => remember(await requestJson<CallStateResponse>(target, 'GET', base)),
      /** JoinCall decided by the server (404 for a call of another tenant). */
      join: async () =>
        remember(await requestJson<CallStateResponse>(target, 'POST', `${base}/join`, {})),
      getOrCreate: async (request: { data?: CallCreateData } = {}) =>
        remember(await requestJson<CallStateResponse>(target, 'POST', base, request)),
      create: async (request: { data?: CallCreateData } = {}) =>
        remember(await requestJson<CallStateResponse>(target, 'POST', base, request)),
      update: async (fields: CallUpdateRequest) =>
        remember(await requestJson<CallStateResponse>(target, 'PATCH', base, fields)),
      updateCallMembers: async (request: {
        update_members?: { user_id: string; role?: string }[];
        remove_members?: string[];
      }) =>
        remember(await requestJson<CallStateResponse>(target, 'POST', `${base}/members`, request)),
      updateUserPermissions: async (request: {
        user_id: string;
        grant_permissions?: string[];
        revoke_permissions?: string[];
      }) =>
        remember(
          await requestJson<CallStateResponse>(target, 'POST', `${base}/user_permissions`, request),
        ),
      /** Local hint from the policy, with the last fetched call state and membership. */
      can: async (action: T['Action'], decideOptions: { changes?: string[] } = {}) =>
        (await policy()).can(action, resource(), { ...memberOptions(), ...decideOptions }),
      capabilities: async () => (await policy()).capabilities(resource(), memberOptions()),
    };
  }

  return {
    queryUsers: async (request: { payload?: QueryUsersPayload } = {}) => {
      const payload = request.payload ?? {};
      const filter = await scopedFilter('users', payload.filter_conditions);
      return requestJson<{ users: UserResponse[] }>(target, 'POST', '/users/query', {
        ...payload,
        filter_conditions: filter,
      });
    },
    video: {
      queryCalls: async (request: QueryCallsRequest = {}) => {
        const filter = await scopedFilter('calls', request.filter_conditions);
        return requestJson<{ calls: CallStateResponse[] }>(target, 'POST', '/calls/query', {
          ...request,
          filter_conditions: filter,
        });
      },
    },
    call,
    /** The authenticated user as the server stores it. */
    me: async () => (await requestJson<{ user: UserResponse }>(target, 'GET', '/me')).user,
    updateUserPartial: (request: UpdateUserPartialRequest) =>
      updateUserPartialRequest(target, request),
    upsertUsers: (users: UserRequest[]) => upsertUsersRequest(target, users),
    can: async (
      action: T['Action'],
      resource: Resource<T>,
      decideOptions: { changes?: string[] } = {},
    ) => (await policy()).can(action, resource, decideOptions),
    decide: async (input: Omit<DecisionInput<T>, 'subject' | 'context'>) =>
      (await policy()).decide(
        input.action,
        input.resource,
        input.changes === undefined ? {} : { changes: input.changes },
      ),
    capabilities: async (resource: CallResource<T>) => (await policy()).capabilities(resource),
    /** The PolicyClient in use (loads the bundle on first use). */
    policy,
    refreshPolicy,
  };
}

export type VideoClient = ReturnType<typeof createClient>;
