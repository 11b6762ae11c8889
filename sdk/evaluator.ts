// The one interface every policy evaluator implements (in-process WASM, a remote OPA, …), so
// application code and PolicyClient never care where a decision is computed.
import type { BatchInput, BatchResult, Entrypoint, EntrypointResults } from './types.js';

export interface Evaluator {
  /**
   * Evaluates one input at an entrypoint. Inputs are untrusted `unknown`: malformed ones answer
   * `INVALID_INPUT` like the engine does. Infrastructure failures reject with an EvaluatorError.
   */
  evaluate<E extends Exclude<Entrypoint, 'rolecall/batch'>>(
    entrypoint: E,
    input: unknown,
  ): Promise<EntrypointResults[E]>;
  /** Evaluates many decisions and query filters in one engine evaluation, results in order. */
  evaluateBatch(batch: BatchInput): Promise<BatchResult>;
  /** Releases the evaluator's resources; later calls reject with EvaluatorClosedError. */
  close(): Promise<void>;
}

/** An evaluator that also answers synchronously (JsEvaluator), for UI code. */
export interface SyncEvaluator extends Evaluator {
  evaluateSync<E extends Exclude<Entrypoint, 'rolecall/batch'>>(
    entrypoint: E,
    input: unknown,
  ): EntrypointResults[E];
  evaluateBatchSync(batch: BatchInput): BatchResult;
}

export function isSyncEvaluator(evaluator: Evaluator): evaluator is SyncEvaluator {
  return typeof (evaluator as Partial<SyncEvaluator>).evaluateSync === 'function';
}
