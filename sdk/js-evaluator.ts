// Evaluates the rolecall engine in JavaScript (core/engine) over data.json: the default local
// evaluator, in Node and in pages (no WebAssembly, no policy.wasm download), with a synchronous
// API for UI code next to the asynchronous Evaluator one.
import { JsEngine } from '../core/engine/index.js';
import { isEngineBatchEmpty, mergeBatch, splitBatch } from './batch.js';
import { readBundleData, toDataDocument, type PolicyDataSource } from './bundle.js';
import { EvaluatorClosedError } from './errors.js';
import type { SyncEvaluator } from './evaluator.js';
import { findInputProblem, invalidInputResult } from './precheck.js';
import type { BatchInput, BatchResult, Entrypoint, EntrypointResults } from './types.js';

type SingleEntrypoint = Exclude<Entrypoint, 'rolecall/batch'>;

export class JsEvaluator implements SyncEvaluator {
  private engine: JsEngine | undefined;

  private constructor(engine: JsEngine) {
    this.engine = engine;
  }

  /** An evaluator over a data.json document, its text or bytes, or a resolved policy. */
  static fromData(data: PolicyDataSource): JsEvaluator {
    return new JsEvaluator(JsEngine.fromPolicyData(toDataDocument(data).rolecall_data));
  }

  /** An evaluator over the data.json of a bundle.tar.gz (its policy.wasm is not needed). */
  static fromBundle(bytes: Uint8Array | ArrayBuffer): JsEvaluator {
    return new JsEvaluator(JsEngine.fromPolicyData(readBundleData(bytes).rolecall_data));
  }

  /** The data revision decisions currently report. */
  get revision(): string {
    return this.loaded().revision;
  }

  /** Swaps in new grants; the next evaluation uses them. */
  setData(data: PolicyDataSource): void {
    this.loaded();
    this.engine = JsEngine.fromPolicyData(toDataDocument(data).rolecall_data);
  }

  /** Evaluates one input synchronously; malformed inputs answer INVALID_INPUT like every engine. */
  evaluateSync<E extends SingleEntrypoint>(entrypoint: E, input: unknown): EntrypointResults[E] {
    const engine = this.loaded();
    if (findInputProblem(input) !== undefined) {
      return invalidInputResult(entrypoint, engine.revision);
    }
    return engine.evaluate(entrypoint, input);
  }

  /** Evaluates a batch synchronously, results in order. */
  evaluateBatchSync(batch: BatchInput): BatchResult {
    const engine = this.loaded();
    const split = splitBatch(batch);
    const answers = isEngineBatchEmpty(split)
      ? { decisions: [], query_filters: [] }
      : engine.batch(split.engineBatch);
    return mergeBatch(split, answers, engine.revision);
  }

  // `async` so that a failure (a closed evaluator) rejects like every other evaluator's.
  // eslint-disable-next-line @typescript-eslint/require-await
  async evaluate<E extends SingleEntrypoint>(
    entrypoint: E,
    input: unknown,
  ): Promise<EntrypointResults[E]> {
    return this.evaluateSync(entrypoint, input);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async evaluateBatch(batch: BatchInput): Promise<BatchResult> {
    return this.evaluateBatchSync(batch);
  }

  close(): Promise<void> {
    this.engine = undefined;
    return Promise.resolve();
  }

  private loaded(): JsEngine {
    if (this.engine === undefined) throw new EvaluatorClosedError('the JS evaluator is closed');
    return this.engine;
  }
}
