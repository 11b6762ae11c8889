// One JSON request to the reference server with the global fetch (browser and Node alike).
import { RolecallApiError, RolecallNetworkError } from './errors.js';

export interface HttpTarget {
  baseUrl: string;
  apiKey: string;
  /** Returns the JWT to send (the server token is signed lazily). */
  token: () => Promise<string>;
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

/** Sends one authenticated request (API key and token); a transport failure is a network error. */
async function send(
  target: HttpTarget,
  method: Method,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Response> {
  // Outside the try: a token provider's own error is not a network failure.
  const token = await target.token();
  try {
    return await fetch(urlOf(target, path), {
      method,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : { body }),
    });
  } catch (error) {
    throw new RolecallNetworkError(`${method} ${path} failed: ${String(error)}`, { cause: error });
  }
}

/** The server's `{code, message}` problem as a typed error (or the HTTP status when it has none). */
function apiErrorOf(response: Response, parsed: unknown): RolecallApiError {
  const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    code?: unknown;
    message?: unknown;
  };
  return new RolecallApiError(
    response.status,
    typeof problem.code === 'string' ? problem.code : `HTTP_${response.status}`,
    typeof problem.message === 'string' ? problem.message : response.statusText,
  );
}

function parseJson(text: string): unknown {
  return text === '' ? {} : JSON.parse(text);
}

export async function requestJson<T>(
  target: HttpTarget,
  method: Method,
  path: string,
  body?: unknown,
): Promise<T> {
  const response =
    body === undefined
      ? await send(target, method, path, {})
      : await send(
          target,
          method,
          path,
          { 'content-type': 'application/json' },
          JSON.stringify(body),
        );
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch (error) {
    throw new RolecallNetworkError(
      `${method} ${path}: the answer is not JSON (status ${response.status})`,
      { cause: error },
    );
  }
  if (!response.ok) throw apiErrorOf(response, parsed);
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
  const response = await send(
    target,
    'GET',
    file,
    etag === undefined ? {} : { 'if-none-match': etag },
  );
  if (response.status === 304) return { notModified: true };
  if (!response.ok) {
    let parsed: unknown = {};
    try {
      parsed = parseJson(await response.text());
    } catch {
      // Not a problem document: the status says enough.
    }
    throw apiErrorOf(response, parsed);
  }
  return {
    notModified: false,
    bytes: new Uint8Array(await response.arrayBuffer()),
    etag: response.headers.get('etag') ?? undefined,
  };
}
