// createClient: one user's view of the reference server. Queries pass through the policy's
// query_filter before they leave (the server applies it again), and `can`/`capabilities`
// answer locally from the app's policy (data.json in the JS engine by default), as UI hints
// that fail closed like PolicyClient's: a policy that cannot be loaded is a deny, not a throw.
import {
  EvaluatorError,
  EvaluatorFailedError,
  EvaluatorTimeoutError,
  EvaluatorUnavailableError,
} from '../errors.js';
import { PolicyClient, type FailClosedDecision } from '../policy-client.js';
import type { Evaluator } from '../evaluator.js';
import type {
  CallResource,
  ChangeOf,
  Decision,
  DecisionInput,
  FilterConditions,
  PolicyTypes,
  Resource,
  UntypedPolicy,
} from '../types.js';
import { JsEvaluator } from '../js-evaluator.js';
import type { WasmEvaluator } from '../wasm-evaluator.js';
import { RolecallApiError, RolecallNetworkError } from './errors.js';
import { readBundle } from '../bundle.js';
import { callPath, callRequests, type CallSender } from './call-requests.js';
import {
  httpTarget,
  requestJson,
  requestPolicyFile,
  type HttpTarget,
  type RequestOptions,
  type TransportOptions,
} from './http.js';
import {
  queryUsersRequest,
  updateUserPartialRequest,
  upsertUsersRequest,
  type UpdateUserPartialRequest,
} from './user-requests.js';
import type {
  CallStateResponse,
  QueryCallsRequest,
  QueryUsersPayload,
  UserRequest,
  UserResponse,
} from './types.js';

/** Also `timeoutMs` (default 10 s), `signal` and `maxResponseBytes` (default 16 MiB). */
export interface ClientOptions extends TransportOptions {
  baseUrl: string;
  apiKey: string;
  /** A user token (`serverClient.createToken(userId)`). */
  token: string;
  /**
   * The evaluator to decide with. When absent the server's policy is fetched: its data.json into
   * a JsEvaluator (default, `engine: 'js'`), or its bundle into a WasmEvaluator (`'wasm'`).
   */
  policy?: Evaluator | undefined;
  /** The local engine of a fetched policy; unused when `policy` is given. Default `js`. */
  engine?: 'js' | 'wasm' | undefined;
  /**
   * How old the fetched bundle may get before the next query revalidates it (ETag, usually a
   * 304). Default 30 s; 0 checks before every query. Unused when `policy` is given.
   */
  policyMaxAgeMs?: number | undefined;
  /**
   * Called with every error a UI hint (`can`, `decide`, `capabilities`) turned into a deny: an
   * evaluator failure, or a policy that could not be loaded — then an
   * `EvaluatorUnavailableError` (`EvaluatorTimeoutError` on a timeout) whose `cause` is the
   * `RolecallApiError`/`RolecallNetworkError`, or an `EvaluatorFailedError` for a policy file
   * that does not read. Queries and mutations reject with their errors instead.
   */
  onError?: ((error: EvaluatorError) => void) | undefined;
}

/**
 * A policy that could not be loaded, as the evaluator error a fail-closed hint carries: the
 * server's refusal or a transport failure makes the policy unavailable (a timeout stays a
 * timeout); anything else (a policy file that does not read) is a failed evaluator.
 */
function policyLoadFailure(error: unknown): EvaluatorError {
  if (error instanceof EvaluatorError) return error;
  const message = `the policy could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof RolecallNetworkError && error.code === 'TIMEOUT') {
    return new EvaluatorTimeoutError(message, { cause: error });
  }
  if (error instanceof RolecallNetworkError || error instanceof RolecallApiError) {
    return new EvaluatorUnavailableError(message, { cause: error });
  }
  return new EvaluatorFailedError(message, { cause: error });
}

function failClosedDecision(error: EvaluatorError): FailClosedDecision {
  return {
    allow: false,
    reason: error.code,
    message: error.message,
    revision: '',
    grants: [],
    error,
  };
}

function callResource<T extends PolicyTypes>(state: CallStateResponse<T>): CallResource<T> {
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
 * unions, so a misspelt action is a compile error; plain strings without it. Every request
 * method takes `RequestOptions` (`signal`, `timeoutMs`) as its last argument; the policy is
 * loaded under the client's own timeout and signal, since many hints share one load.
 */
export function createClient<T extends PolicyTypes = UntypedPolicy>(options: ClientOptions) {
  const target: HttpTarget = httpTarget(
    {
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      token: () => Promise.resolve(options.token),
    },
    options,
  );
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
    const { user } = await requestJson<{ user: UserResponse<T> }>(
      target,
      'GET',
      '/api/v2/rolecall/me',
    );
    return new PolicyClient<T>(
      evaluator,
      { id: user.id, role: user.role, teams: user.teams },
      { allowServerSide: false, ...(options.onError ? { onError: options.onError } : {}) },
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

  /** The policy for a UI hint, or the error the hint fails closed with (reported to onError). */
  async function hintPolicy(): Promise<PolicyClient<T> | EvaluatorError> {
    try {
      return await policy();
    } catch (error) {
      const failure = policyLoadFailure(error);
      options.onError?.(failure);
      return failure;
    }
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
    let state: CallStateResponse<T> | undefined;
    // Every answer that carries the call's state is kept for the local hints below.
    const send: CallSender = async (method, path, body, requestOptions) => {
      const answer = await requestJson<Record<string, unknown>>(
        target,
        method,
        path,
        body,
        requestOptions,
      );
      // A delete answers the call alone; only a whole state (call and members) replaces it.
      if (
        typeof answer['call'] === 'object' &&
        answer['call'] !== null &&
        Array.isArray(answer['members'])
      ) {
        state = answer as unknown as CallStateResponse<T>;
      }
      return answer as never;
    };
    const resource = (): CallResource<T> =>
      state === undefined ? { kind: 'call', call_type: callType, id } : callResource(state);
    const memberOptions = () => ({
      ...(state?.membership ? { callRole: state.membership.role } : {}),
      ...(state?.membership && state.membership.grants.length > 0
        ? { callGrants: state.membership.grants }
        : {}),
    });
    return {
      ...callRequests<T>(send, callType, id),
      type: callType,
      get state(): CallStateResponse<T> | undefined {
        return state;
      },
      /** JoinCall decided by the server (404 for a call of another tenant). */
      join: (requestOptions?: RequestOptions) =>
        send<CallStateResponse<T>>('POST', `${callPath(callType, id)}/join`, {}, requestOptions),
      /**
       * Local hint from the policy, with the last fetched call state and membership; false
       * when the policy cannot be loaded.
       */
      can: async (
        action: T['Action'],
        decideOptions: { changes?: readonly ChangeOf<T>[] } = {},
      ) => {
        const policyClient = await hintPolicy();
        if (policyClient instanceof EvaluatorError) return false;
        return policyClient.can(action, resource(), { ...memberOptions(), ...decideOptions });
      },
      /** The hint's permission ids; [] when the policy cannot be loaded. */
      capabilities: async (): Promise<T['PermissionId'][]> => {
        const policyClient = await hintPolicy();
        if (policyClient instanceof EvaluatorError) return [];
        return policyClient.capabilities(resource(), memberOptions());
      },
    };
  }

  return {
    queryUsers: async (
      request: { payload?: QueryUsersPayload<T> } = {},
      requestOptions?: RequestOptions,
    ) => {
      const payload = request.payload ?? {};
      const filter = await scopedFilter('users', payload.filter_conditions);
      return queryUsersRequest<T>(
        target,
        { ...payload, filter_conditions: filter },
        requestOptions,
      );
    },
    video: {
      queryCalls: async (request: QueryCallsRequest<T> = {}, requestOptions?: RequestOptions) => {
        const filter = await scopedFilter('calls', request.filter_conditions);
        return requestJson<{ calls: CallStateResponse<T>[] }>(
          target,
          'POST',
          '/api/v2/video/calls',
          { ...request, filter_conditions: filter },
          requestOptions,
        );
      },
    },
    call,
    /** The authenticated user as the server stores it. */
    me: async (requestOptions?: RequestOptions) =>
      (
        await requestJson<{ user: UserResponse<T> }>(
          target,
          'GET',
          '/api/v2/rolecall/me',
          undefined,
          requestOptions,
        )
      ).user,
    updateUserPartial: (request: UpdateUserPartialRequest<T>, requestOptions?: RequestOptions) =>
      updateUserPartialRequest<T>(target, request, requestOptions),
    upsertUsers: (users: UserRequest<T>[], requestOptions?: RequestOptions) =>
      upsertUsersRequest<T>(target, users, requestOptions),
    /** UI hint: false on a deny and when the policy cannot be loaded (see `onError`). */
    can: async (
      action: T['Action'],
      resource: Resource<T>,
      decideOptions: { changes?: readonly ChangeOf<T>[] } = {},
    ) => {
      const policyClient = await hintPolicy();
      if (policyClient instanceof EvaluatorError) return false;
      return policyClient.can(action, resource, decideOptions);
    },
    /** The decision, or a fail-closed deny when the policy cannot be loaded. */
    decide: async (
      input: Omit<DecisionInput<T>, 'subject' | 'context'>,
    ): Promise<Decision | FailClosedDecision> => {
      const policyClient = await hintPolicy();
      if (policyClient instanceof EvaluatorError) return failClosedDecision(policyClient);
      return policyClient.decide(
        input.action,
        input.resource,
        input.changes === undefined ? {} : { changes: input.changes },
      );
    },
    /** UI hint: [] when the policy cannot be loaded. */
    capabilities: async (resource: CallResource<T>): Promise<T['PermissionId'][]> => {
      const policyClient = await hintPolicy();
      if (policyClient instanceof EvaluatorError) return [];
      return policyClient.capabilities(resource);
    },
    /** The PolicyClient in use (loads the bundle on first use); rejects when it cannot load. */
    policy,
    refreshPolicy,
  };
}

/** The user client; `VideoClient<PolicyNames>` is what rolecall.gen.ts's createClient returns. */
export type VideoClient<T extends PolicyTypes = UntypedPolicy> = ReturnType<typeof createClient<T>>;
