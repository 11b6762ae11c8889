// Evaluates the rolecall engine on an OPA server through its REST Data API with undici
// (Node-only): keep-alive pool, per-attempt timeout, size-capped answers, bounded retries, typed
// errors. Callers (PolicyClient) turn every error into a deny, so a failing OPA allows nothing.
import { Pool, type Dispatcher } from 'undici';
import { isEngineBatchEmpty, mergeBatch, splitBatch } from './batch.js';
import {
  EvaluatorClosedError,
  EvaluatorResponseError,
  EvaluatorTimeoutError,
  EvaluatorUnavailableError,
  type EvaluatorError,
} from './errors.js';
import type { Evaluator } from './evaluator.js';
import { findInputProblem, invalidInputResult } from './precheck.js';
import { hasBatchShape, hasResultShape, isDecision } from './result-shape.js';
import type { BatchInput, BatchResult, Entrypoint, EntrypointResults } from './types.js';

export interface OpaEvaluatorOptions {
  /** Base URL of the OPA server, e.g. `http://127.0.0.1:8181` (a path prefix is kept). */
  url: string;
  /** Time allowed for one attempt (connect, send, full answer), in ms. Default 2000. */
  timeoutMs?: number | undefined;
  /** Extra attempts after a connection error or a 5xx answer. Default 2. */
  retries?: number | undefined;
  /** Delay before the first retry, doubled for each further one, in ms. Default 50. */
  retryDelayMs?: number | undefined;
  /** Keep-alive connections kept open to OPA. Default 8. */
  connections?: number | undefined;
  /** Sent as `Authorization: Bearer …` when OPA runs with token authentication. */
  token?: string | undefined;
  /**
   * Largest answer read, in bytes. Default 8 MiB. An answer may also be up to 4 times the size
   * of its request: a batch answers each item and a query filter echoes its filter, so a
   * legitimate answer grows with what was sent (a decision is about 1.2× its input), while a
   * hostile one stays bounded by it. Over the cap the answer is dropped while it streams and the
   * call fails with `EvaluatorResponseError` (not retried).
   */
  maxResponseBytes?: number | undefined;
}

const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const RESPONSE_BYTES_PER_REQUEST_BYTE = 4;

/** undici error codes that mean the request never got an answer from a live server. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function connectionErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return code;
  }
  return undefined;
}

/** One attempt's outcome: an answer, or an error that may be worth retrying. */
type Attempt = { ok: true; value: unknown } | { ok: false; error: EvaluatorError; retry: boolean };

export class OpaEvaluator implements Evaluator {
  private readonly pool: Pool;
  private readonly pathPrefix: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxResponseBytes: number;
  private readonly headers: Record<string, string>;
  private closed = false;

  constructor(options: OpaEvaluatorOptions) {
    const url = new URL(options.url);
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 50;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isSafeInteger(this.maxResponseBytes) || this.maxResponseBytes <= 0) {
      throw new RangeError('maxResponseBytes must be a positive integer');
    }
    this.headers = { 'content-type': 'application/json' };
    if (options.token !== undefined) this.headers['authorization'] = `Bearer ${options.token}`;
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 8,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: this.timeoutMs,
    });
  }

  async evaluate<E extends Exclude<Entrypoint, 'rolecall/batch'>>(
    entrypoint: E,
    input: unknown,
  ): Promise<EntrypointResults[E]> {
    if (findInputProblem(input) !== undefined) {
      const revision = entrypoint === 'rolecall/decision' ? await this.fetchRevision() : '';
      return invalidInputResult(entrypoint, revision);
    }
    const result = await this.post(entrypoint, input);
    if (!hasResultShape(entrypoint, result)) {
      throw new EvaluatorResponseError(
        `OPA returned a result of the wrong shape for ${entrypoint}`,
      );
    }
    return result as EntrypointResults[E];
  }

  async evaluateBatch(batch: BatchInput): Promise<BatchResult> {
    const split = splitBatch(batch);
    const hasInvalidDecision = split.decisionSlots.includes(-1);
    if (isEngineBatchEmpty(split)) {
      const revision = hasInvalidDecision ? await this.fetchRevision() : '';
      return mergeBatch(split, { decisions: [], query_filters: [] }, revision);
    }
    const result = await this.post('rolecall/batch', split.engineBatch);
    const { decisions, query_filters } = split.engineBatch;
    if (!hasBatchShape(result, decisions.length, query_filters.length)) {
      throw new EvaluatorResponseError(
        'OPA returned a result of the wrong shape for rolecall/batch',
      );
    }
    const engine = result as BatchResult;
    // The revision of the same answer keeps invalid and valid items on one data snapshot.
    const revision = hasInvalidDecision
      ? (engine.decisions[0]?.revision ?? (await this.fetchRevision()))
      : '';
    return mergeBatch(split, engine, revision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }

  /**
   * The data revision OPA has loaded, which pre-check answers of `rolecall/decision` report:
   * taken from the engine's own decision for a non-object input (`[]` is JSON-safe), so it
   * follows the engine's rule for a missing revision too.
   */
  private async fetchRevision(): Promise<string> {
    const decision = await this.post('rolecall/decision', []);
    if (!isDecision(decision)) {
      throw new EvaluatorResponseError(
        'OPA returned a result of the wrong shape for rolecall/decision',
      );
    }
    return (decision as { revision: string }).revision;
  }

  /** One Data API query with retries; resolves with the defined `result` only. */
  private async post(entrypoint: Entrypoint, input: unknown): Promise<unknown> {
    const path = `${this.pathPrefix}/v1/data/${entrypoint}`;
    const body = JSON.stringify({ input });
    const maxBytes = Math.max(
      this.maxResponseBytes,
      RESPONSE_BYTES_PER_REQUEST_BYTE * Buffer.byteLength(body),
    );
    for (let attempt = 0; ; attempt += 1) {
      if (this.closed) throw new EvaluatorClosedError('the OPA evaluator is closed');
      const outcome = await this.attempt(path, body, maxBytes);
      if (outcome.ok) return outcome.value;
      if (!outcome.retry || attempt >= this.retries) throw outcome.error;
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** attempt));
    }
  }

  private async attempt(path: string, body: string, maxBytes: number): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await this.pool.request({
        method: 'POST',
        path,
        headers: this.headers,
        body,
        signal: controller.signal,
      });
      const text = await readCapped(response.body, response.headers, maxBytes);
      if (text === undefined) {
        // Not retried: the same question would get the same oversized answer.
        const message = `OPA's answer to ${path} is larger than ${maxBytes} bytes (maxResponseBytes)`;
        const error = new EvaluatorResponseError(message, { status: response.statusCode });
        return { ok: false, retry: false, error };
      }
      return readAnswer(response.statusCode, text, path);
    } catch (error) {
      return this.failedAttempt(error, controller.signal.aborted, path);
    } finally {
      clearTimeout(timer);
    }
  }

  private failedAttempt(error: unknown, timedOut: boolean, path: string): Attempt {
    const timeoutCodes = ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'];
    const code = (error as { code?: unknown }).code;
    if (timedOut || (typeof code === 'string' && timeoutCodes.includes(code))) {
      // Not retried: a server too slow now rarely gets faster, and retries would multiply the wait.
      const message = `OPA did not answer ${path} within ${this.timeoutMs} ms`;
      return {
        ok: false,
        retry: false,
        error: new EvaluatorTimeoutError(message, { cause: error }),
      };
    }
    if (this.closed || code === 'UND_ERR_DESTROYED') {
      return {
        ok: false,
        retry: false,
        error: new EvaluatorClosedError('the OPA evaluator is closed'),
      };
    }
    const connectionCode = connectionErrorCode(error);
    const detail = connectionCode ?? (error instanceof Error ? error.message : String(error));
    return {
      ok: false,
      retry: connectionCode !== undefined,
      error: new EvaluatorUnavailableError(`OPA is unreachable (${detail})`, { cause: error }),
    };
  }
}

/**
 * The body as text, or undefined once it passes `maxBytes`: then it is destroyed while it
 * streams (the connection is closed, not drained), so memory never holds more than the cap.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  headers: Dispatcher.ResponseData['headers'],
  maxBytes: number,
): Promise<string | undefined> {
  const declared = headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > maxBytes) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received).toString('utf8');
}

/** Turns an HTTP answer into a result or a classified error. */
function readAnswer(status: number, text: string, path: string): Attempt {
  if (status >= 500) {
    const error = new EvaluatorUnavailableError(`OPA answered ${path} with HTTP ${status}`);
    return { ok: false, retry: true, error };
  }
  if (status !== 200) {
    const error = new EvaluatorResponseError(`OPA answered ${path} with HTTP ${status}`, {
      status,
    });
    return { ok: false, retry: false, error };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const error = new EvaluatorResponseError(`OPA's answer to ${path} is not JSON`, {
      status,
      cause,
    });
    return { ok: false, retry: false, error };
  }
  if (typeof parsed !== 'object' || parsed === null || !('result' in parsed)) {
    // OPA omits `result` when the rule is undefined, e.g. no bundle is loaded: never an allow.
    const error = new EvaluatorResponseError(`OPA's answer to ${path} has no result`, { status });
    return { ok: false, retry: false, error };
  }
  return { ok: true, value: parsed.result };
}
