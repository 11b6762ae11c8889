// One JSON request to the reference server with the global fetch (browser and Node alike), inside
// bounds: a timeout and abort signals that cover the whole answer, and a cap on its size.
import { RolecallApiError, RolecallNetworkError } from './errors.js';

/** Bounds shared by both clients' options. */
export interface TransportOptions {
  /**
   * Time allowed for one request, from sending to the last byte of the answer, in ms. Default
   * 10,000: a server that never answers fails within seconds, in browsers too.
   */
  timeoutMs?: number | undefined;
  /** Aborts every request of the client, pending or later (e.g. when a page unmounts). */
  signal?: AbortSignal | undefined;
  /**
   * Largest answer read, in bytes. Default 16 MiB: far above the reference server's own answers
   * (a page holds at most 100 users or calls, a policy bundle ~100 KiB), and small enough that a
   * hostile server cannot grow the client without bound. Larger answers are dropped as they
   * stream and reject with `RolecallNetworkError` `RESPONSE_TOO_LARGE`.
   */
  maxResponseBytes?: number | undefined;
}

/** Per-request bounds, the last argument of each request method. */
export interface RequestOptions {
  /** Aborts this request; the client's own `signal` and timeout still apply. */
  signal?: AbortSignal | undefined;
  /** This request's timeout in ms, instead of the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** setTimeout fires at once for longer delays, which would turn a long timeout into none. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface HttpTarget {
  baseUrl: string;
  apiKey: string;
  /**
   * Returns the JWT to send (the server token is signed lazily), or undefined for an anonymous
   * client (`stream-auth-type: anonymous`, no Authorization header).
   */
  token: () => Promise<string | undefined>;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  maxResponseBytes: number;
}

function checkTimeout(timeoutMs: number): number {
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`timeoutMs must be a number of ms from 1 to ${MAX_TIMEOUT_MS}`);
  }
  return timeoutMs;
}

/** A target with the defaults filled in; an out-of-range bound is a caller's bug (RangeError). */
export function httpTarget(
  connection: Pick<HttpTarget, 'baseUrl' | 'apiKey' | 'token'>,
  options: TransportOptions,
): HttpTarget {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes <= 0) {
    throw new RangeError('maxResponseBytes must be a positive integer');
  }
  return {
    ...connection,
    timeoutMs: checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    signal: options.signal,
    maxResponseBytes,
  };
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** An API path from its segments, each URL-encoded: `apiPath('calls', type, id)`. */
export const apiPath = (...parts: string[]): string =>
  `/${parts.map(encodeURIComponent).join('/')}`;

function withoutTrailingSlash(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

function urlOf(target: HttpTarget, path: string): string {
  const separator = path.includes('?') ? '&' : '?';
  return `${withoutTrailingSlash(target.baseUrl)}${path}${separator}api_key=${encodeURIComponent(target.apiKey)}`;
}

/**
 * One request's abort controller: fired by the timeout or by either signal, whichever comes
 * first, and remembered so the failure names the right cause.
 */
class RequestScope {
  readonly controller = new AbortController();
  private stoppedBy: { code: 'TIMEOUT' } | { code: 'ABORTED'; reason: unknown } | undefined;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly signals: AbortSignal[];
  private readonly onAbort = (event: Event) => {
    this.stop({ code: 'ABORTED', reason: (event.target as AbortSignal).reason });
  };

  constructor(
    private readonly label: string,
    private readonly timeoutMs: number,
    signals: (AbortSignal | undefined)[],
  ) {
    this.signals = signals.filter((signal) => signal !== undefined);
    this.timer = setTimeout(() => {
      this.stop({ code: 'TIMEOUT' });
    }, timeoutMs);
    for (const signal of this.signals) {
      if (signal.aborted) this.stop({ code: 'ABORTED', reason: signal.reason });
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  private stop(cause: NonNullable<RequestScope['stoppedBy']>): void {
    if (this.stoppedBy !== undefined) return;
    this.stoppedBy = cause;
    this.controller.abort();
  }

  /** Throws the typed error when the request was already stopped before it was sent. */
  throwIfStopped(): void {
    if (this.stoppedBy !== undefined) throw this.failure(undefined);
  }

  /** The typed error for anything that went wrong while sending or reading. */
  failure(error: unknown): Error {
    if (error instanceof RolecallNetworkError || error instanceof RolecallApiError) return error;
    if (this.stoppedBy?.code === 'TIMEOUT') {
      return new RolecallNetworkError(`${this.label}: no answer within ${this.timeoutMs} ms`, {
        code: 'TIMEOUT',
        cause: error,
      });
    }
    if (this.stoppedBy?.code === 'ABORTED') {
      return new RolecallNetworkError(`${this.label}: aborted`, {
        code: 'ABORTED',
        cause: this.stoppedBy.reason,
      });
    }
    return new RolecallNetworkError(`${this.label} failed: ${String(error)}`, { cause: error });
  }

  close(): void {
    clearTimeout(this.timer);
    for (const signal of this.signals) signal.removeEventListener('abort', this.onAbort);
  }
}

/** A complete answer: status, headers and the body's bytes, read within the bounds. */
interface Answer {
  status: number;
  statusText: string;
  headers: Headers;
  bytes: Uint8Array;
}

/**
 * Reads the body up to `maxBytes`; past it, the stream is cancelled and the request aborted
 * while the answer is still arriving, so no more than the cap is ever held.
 */
async function readCapped(
  response: Response,
  maxBytes: number,
  scope: RequestScope,
): Promise<Uint8Array> {
  const tooLarge = () => {
    scope.controller.abort();
    return new RolecallNetworkError(`the answer is larger than ${maxBytes} bytes`, {
      code: 'RESPONSE_TOO_LARGE',
    });
  };
  if (Number(response.headers.get('content-length')) > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Sends one authenticated request (API key and token) and reads its whole answer in bounds. */
async function exchange(
  target: HttpTarget,
  method: Method,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  options: RequestOptions,
): Promise<Answer> {
  // Outside the scope: a token provider's own error is not a network failure.
  const token = await target.token();
  const scope = new RequestScope(
    `${method} ${path}`,
    checkTimeout(options.timeoutMs ?? target.timeoutMs),
    [target.signal, options.signal],
  );
  try {
    scope.throwIfStopped();
    const response = await fetch(urlOf(target, path), {
      method,
      // Stream's auth headers: the bare JWT and its auth type.
      headers:
        token === undefined
          ? { 'stream-auth-type': 'anonymous', ...headers }
          : { authorization: token, 'stream-auth-type': 'jwt', ...headers },
      signal: scope.controller.signal,
      ...(body === undefined ? {} : { body }),
    });
    const bytes = await readCapped(response, target.maxResponseBytes, scope);
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      bytes,
    };
  } catch (error) {
    throw scope.failure(error);
  } finally {
    scope.close();
  }
}

/**
 * Stream's error body as a typed error: `code` is rolecall's `reason` (TEAM_MISMATCH, …), else
 * Stream's numeric code (`STREAM_16`), else the HTTP status (`HTTP_404`).
 */
function apiErrorOf(answer: Answer, parsed: unknown): RolecallApiError {
  const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    code?: unknown;
    reason?: unknown;
    message?: unknown;
  };
  const code =
    typeof problem.reason === 'string'
      ? problem.reason
      : typeof problem.code === 'string'
        ? problem.code
        : typeof problem.code === 'number'
          ? `STREAM_${String(problem.code)}`
          : `HTTP_${answer.status}`;
  return new RolecallApiError(
    answer.status,
    code,
    typeof problem.message === 'string' ? problem.message : answer.statusText,
    'server',
    typeof problem.code === 'number' ? problem.code : undefined,
  );
}

function parseJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  return text === '' ? {} : JSON.parse(text);
}

const isOk = (answer: Answer): boolean => answer.status >= 200 && answer.status < 300;

export async function requestJson<T>(
  target: HttpTarget,
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const answer =
    body === undefined
      ? await exchange(target, method, path, {}, undefined, options)
      : await exchange(
          target,
          method,
          path,
          { 'content-type': 'application/json' },
          JSON.stringify(body),
          options,
        );
  let parsed: unknown;
  try {
    parsed = parseJson(answer.bytes);
  } catch (error) {
    throw new RolecallNetworkError(
      `${method} ${path}: the answer is not JSON (status ${answer.status})`,
      { cause: error },
    );
  }
  if (!isOk(answer)) throw apiErrorOf(answer, parsed);
  return parsed as T;
}

/**
 * The app's policy as the bundle or its data.json, for an authenticated caller (API key and
 * token, like every other endpoint); `notModified` when `etag` still matches (304).
 */
export async function requestPolicyFile(
  target: HttpTarget,
  file: '/bundle.tar.gz' | '/data.json',
  etag?: string,
): Promise<
  { notModified: true } | { notModified: false; bytes: Uint8Array; etag: string | undefined }
> {
  const answer = await exchange(
    target,
    'GET',
    file,
    etag === undefined ? {} : { 'if-none-match': etag },
    undefined,
    {},
  );
  if (answer.status === 304) return { notModified: true };
  if (!isOk(answer)) {
    let parsed: unknown = {};
    try {
      parsed = parseJson(answer.bytes);
    } catch {
      // Not a problem document: the status says enough.
    }
    throw apiErrorOf(answer, parsed);
  }
  return {
    notModified: false,
    bytes: answer.bytes,
    etag: answer.headers.get('etag') ?? undefined,
  };
}
