// Evaluates the rolecall engine in-process with @open-policy-agent/opa-wasm, in Node and in the
// browser; new grants arrive as data (`setData`) without reloading the WebAssembly module.
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { isEngineBatchEmpty, mergeBatch, splitBatch } from './batch.js';
import {
  dataRevision,
  readBundle,
  toDataDocument,
  type PolicyDataDocument,
  type PolicyDataSource,
} from './bundle.js';
import { EvaluatorClosedError, EvaluatorFailedError, EvaluatorResponseError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { findInputProblem, invalidInputResult } from './precheck.js';
import { hasBatchShape, hasResultShape } from './result-shape.js';
import type { BatchInput, BatchResult, Entrypoint, EntrypointResults } from './types.js';

/**
 * Inputs per engine evaluation of a batch. One huge evaluation costs more per item (the input
 * copy and the heap grow with it) than several of this size, and the answers are the same.
 */
const WASM_BATCH_CHUNK = 500;

/**
 * Splits the engine's batch into evaluations of at most WASM_BATCH_CHUNK inputs, decisions
 * first, so a small batch of both kinds is one evaluation and is passed through without a copy.
 */
function* chunkBatch(batch: { decisions: unknown[]; query_filters: unknown[] }) {
  const { decisions, query_filters: queryFilters } = batch;
  const total = decisions.length + queryFilters.length;
  if (total <= WASM_BATCH_CHUNK) {
    yield batch;
    return;
  }
  for (let start = 0; start < total; start += WASM_BATCH_CHUNK) {
    const end = start + WASM_BATCH_CHUNK;
    yield {
      decisions: decisions.slice(start, end),
      query_filters: queryFilters.slice(
        Math.max(0, start - decisions.length),
        Math.max(0, end - decisions.length),
      ),
    };
  }
}

/**
 * In-process evaluator. Concurrency: opa-wasm evaluates synchronously on one instance, and
 * every method here does all its work on the instance (write input, evaluate, read the result,
 * or swap the data) inside one synchronous section with no `await` in between. JavaScript runs
 * one such section at a time, so interleaved async callers and `setData` can never mix: an
 * evaluation sees either the old data entirely or the new data entirely. Use one instance per
 * worker thread for parallelism.
 */
export class WasmEvaluator implements Evaluator {
  private policy: LoadedPolicy | undefined;
  private currentRevision: string;

  private constructor(policy: LoadedPolicy, data: PolicyDataDocument) {
    this.policy = policy;
    policy.setData(data);
    this.currentRevision = dataRevision(data);
  }

  /** Loads policy.wasm bytes (or a compiled module) with the given data. */
  static async fromWasm(
    wasm: BufferSource | WebAssembly.Module,
    data: PolicyDataSource,
  ): Promise<WasmEvaluator> {
    const document = toDataDocument(data);
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(wasm);
    } catch (error) {
      throw new EvaluatorFailedError('policy.wasm could not be loaded', { cause: error });
    }
    return new WasmEvaluator(policy, document);
  }

  /** Loads a rolecall bundle.tar.gz (its /policy.wasm and /data.json). */
  static async fromBundle(bytes: Uint8Array | ArrayBuffer): Promise<WasmEvaluator> {
    const { wasm, data } = readBundle(bytes);
    return WasmEvaluator.fromWasm(wasm, data);
  }

  /** The data revision decisions currently report. */
  get revision(): string {
    return this.currentRevision;
  }

  /** Swaps in new grants (a data.json document, its bytes, or a resolved policy). */
  setData(data: PolicyDataSource): void {
    const document = toDataDocument(data);
    this.loaded().setData(document);
    this.currentRevision = dataRevision(document);
  }

  // `async` without any `await`: the whole body, WASM call included, is one synchronous section.
  // eslint-disable-next-line @typescript-eslint/require-await
  async evaluate<E extends Exclude<Entrypoint, 'rolecall/batch'>>(
    entrypoint: E,
    input: unknown,
  ): Promise<EntrypointResults[E]> {
    const policy = this.loaded();
    if (findInputProblem(input) !== undefined) {
      return invalidInputResult(entrypoint, this.currentRevision);
    }
    const result = this.run(policy, entrypoint, input);
    if (!hasResultShape(entrypoint, result)) {
      throw new EvaluatorResponseError(`${entrypoint} returned a result of the wrong shape`);
    }
    return result as EntrypointResults[E];
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async evaluateBatch(batch: BatchInput): Promise<BatchResult> {
    const policy = this.loaded();
    const split = splitBatch(batch);
    const revision = this.currentRevision;
    if (isEngineBatchEmpty(split)) {
      return mergeBatch(split, { decisions: [], query_filters: [] }, revision);
    }
    const engine: BatchResult = { decisions: [], query_filters: [] };
    for (const chunk of chunkBatch(split.engineBatch)) {
      const result = this.run(policy, 'rolecall/batch', chunk);
      if (!hasBatchShape(result, chunk.decisions.length, chunk.query_filters.length)) {
        throw new EvaluatorResponseError('rolecall/batch returned a result of the wrong shape');
      }
      const { decisions, query_filters } = result as BatchResult;
      engine.decisions.push(...decisions);
      engine.query_filters.push(...query_filters);
    }
    return mergeBatch(split, engine, revision);
  }

  close(): Promise<void> {
    // Dropping the instance frees its memory with the next garbage collection.
    this.policy = undefined;
    return Promise.resolve();
  }

  private loaded(): LoadedPolicy {
    if (this.policy === undefined) throw new EvaluatorClosedError('the WASM evaluator is closed');
    return this.policy;
  }

  private run(policy: LoadedPolicy, entrypoint: Entrypoint, input: unknown): unknown {
    let resultSet: unknown;
    try {
      resultSet = policy.evaluate(input, entrypoint);
    } catch (error) {
      // opa-wasm throws strings as well as Errors.
      const detail = error instanceof Error ? error.message : String(error);
      throw new EvaluatorFailedError(`${entrypoint} failed in WASM: ${detail}`, { cause: error });
    }
    const first: unknown = Array.isArray(resultSet) ? resultSet[0] : undefined;
    if (typeof first !== 'object' || first === null || !('result' in first)) {
      throw new EvaluatorResponseError(`${entrypoint} is undefined for this input`);
    }
    return first.result;
  }
}
