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

export async function requestJson<T>(
  target: HttpTarget,
  method: Method,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${await target.token()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(urlOf(target, path), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new RolecallNetworkError(`${method} ${path} failed: ${String(error)}`, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new RolecallNetworkError(
      `${method} ${path}: the answer is not JSON (status ${response.status})`,
      { cause: error },
    );
  }
  if (!response.ok) {
    const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
      code?: unknown;
      message?: unknown;
    };
    throw new RolecallApiError(
      response.status,
      typeof problem.code === 'string' ? problem.code : `HTTP_${response.status}`,
      typeof problem.message === 'string' ? problem.message : response.statusText,
    );
  }
  return parsed as T;
}

/** The policy bundle (public, no auth); `notModified` when `etag` still matches (304). */
export async function requestBundle(
  baseUrl: string,
  etag?: string,
): Promise<
  { notModified: true } | { notModified: false; bytes: Uint8Array; etag: string | undefined }
> {
  let response: Response;
  try {
    response = await fetch(`${withoutTrailingSlash(baseUrl)}/bundle.tar.gz`, {
      headers: etag === undefined ? {} : { 'if-none-match': etag },
    });
  } catch (error) {
    throw new RolecallNetworkError(`GET /bundle.tar.gz failed: ${String(error)}`, { cause: error });
  }
  if (response.status === 304) return { notModified: true };
  if (!response.ok) {
    throw new RolecallApiError(
      response.status,
      `HTTP_${response.status}`,
      'GET /bundle.tar.gz failed',
    );
  }
  return {
    notModified: false,
    bytes: new Uint8Array(await response.arrayBuffer()),
    etag: response.headers.get('etag') ?? undefined,
  };
}
