// The `rolecall` SDK entry point: browser-safe exports only (no node:* and no undici).
export type { Evaluator } from './evaluator.js';
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
  toDataDocument,
  type PolicyDataDocument,
  type PolicyDataSource,
} from './bundle.js';
export type * from './types.js';
export { ENTRYPOINT_NAMES } from './types.js';
export * from './clients/index.js';
