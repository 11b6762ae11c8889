// Typed SDK errors: every failure an evaluator or client can raise is one of these classes,
// each with a stable `code`, so callers branch on data and the client can fail closed.
import type { FailClosedReason } from './types.js';

/** Base of every evaluator failure; `code` is also the `reason` of the deny it turns into. */
export abstract class EvaluatorError extends Error {
  abstract readonly code: FailClosedReason;
}

/** The evaluator could not be reached (connection refused or reset, 5xx after all retries). */
export class EvaluatorUnavailableError extends EvaluatorError {
  override name = 'EvaluatorUnavailableError';
  readonly code = 'EVALUATOR_UNAVAILABLE';
}

/** The evaluator did not answer within the configured time. */
export class EvaluatorTimeoutError extends EvaluatorError {
  override name = 'EvaluatorTimeoutError';
  readonly code = 'EVALUATOR_TIMEOUT';
}

/** The evaluator answered, but not with a result of the expected shape (or with no result). */
export class EvaluatorResponseError extends EvaluatorError {
  override name = 'EvaluatorResponseError';
  readonly code = 'EVALUATOR_BAD_RESPONSE';
  /** HTTP status, when the answer came over HTTP. */
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}

/** The in-process engine failed (bad policy.wasm, trap during evaluation, missing entrypoint). */
export class EvaluatorFailedError extends EvaluatorError {
  override name = 'EvaluatorFailedError';
  readonly code = 'EVALUATOR_FAILED';
}

/** The evaluator was closed and cannot answer any more. */
export class EvaluatorClosedError extends EvaluatorError {
  override name = 'EvaluatorClosedError';
  readonly code = 'EVALUATOR_CLOSED';
}

/** A browser PolicyClient was asked for a server-side decision: only the server decides that. */
export class ServerSideRefusedError extends Error {
  override name = 'ServerSideRefusedError';
  readonly code = 'SERVER_SIDE_REFUSED';
}

/** A bundle or data document could not be read (corrupt archive, missing file, bad JSON). */
export class BundleFormatError extends Error {
  override name = 'BundleFormatError';
  readonly code = 'BUNDLE_FORMAT';
}

/** `evaluateBatch` was given something other than `{decisions: [...], query_filters: [...]}`. */
export class InvalidBatchError extends Error {
  override name = 'InvalidBatchError';
  readonly code = 'INVALID_BATCH';
}
