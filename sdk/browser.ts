// The browser entry of the SDK (`rolecall/browser`): only modules that run in a page — the JS and
// WASM evaluators, PolicyClient and the user-side createClient. No node:*, no undici, no secrets.
export { isSyncEvaluator, type Evaluator, type SyncEvaluator } from './evaluator.js';
export { JsEvaluator } from './js-evaluator.js';
export { WasmEvaluator } from './wasm-evaluator.js';
export {
  PolicyClient,
  type ClientSubject,
  type DecideOptions,
  type FailClosedDecision,
  type FailClosedQueryFilter,
  type PolicyClientOptions,
  type QueryKind,
} from './policy-client.js';
export {
  BundleFormatError,
  EvaluatorClosedError,
  EvaluatorError,
  EvaluatorFailedError,
  EvaluatorResponseError,
  EvaluatorTimeoutError,
  EvaluatorUnavailableError,
  InvalidBatchError,
  ServerSideRefusedError,
} from './errors.js';
export { INPUT_LIMITS, findInputProblem } from './precheck.js';
export {
  readBundle,
  readBundleData,
  toDataDocument,
  type PolicyDataDocument,
  type PolicyDataSource,
} from './bundle.js';
export type * from './types.js';
export { ENTRYPOINT_NAMES } from './types.js';
// The user-side client only: createServerClient and the token helpers need the app secret,
// which never belongs in a page.
export { createClient, type ClientOptions, type VideoClient } from './clients/client.js';
export { RolecallApiError, RolecallNetworkError } from './clients/errors.js';
export type {
  CallResponse,
  CallStateResponse,
  QueryCallsRequest,
  QueryUsersPayload,
  UserResponse,
} from './clients/types.js';
