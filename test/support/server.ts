// Starts the reference server in-process on port 0 for a test, on embedded PGlite or, when
// DATABASE_URL is set, on a fresh PostgreSQL database created for this server and dropped after.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import pg from 'pg';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.js';
import {
  createClient,
  createServerClient,
  type ServerClient,
  type VideoClient,
} from '../../sdk/clients/index.js';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when DATABASE_URL names a server. */
export const BACKENDS: Backend[] = process.env['DATABASE_URL']
  ? ['pglite', 'postgres']
  : ['pglite'];

export const API_KEY = 'test-key';
export const API_SECRET = 'test-secret-that-is-long-enough-for-hs256';

export interface TestServer {
  server: RunningServer;
  url: string;
  /** The scratch PostgreSQL database of this server (postgres backend only). */
  databaseUrl: string | undefined;
  admin: ServerClient;
  /** A client for a stored user, with a fresh token. */
  clientFor: (userId: string) => Promise<VideoClient>;
  close: () => Promise<void>;
}

async function createScratchDatabase(
  baseUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `rolecall_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startTestServer(
  backend: Backend,
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  let drop = async (): Promise<void> => {};
  let databaseUrl: string | undefined;
  if (backend === 'postgres') {
    const baseUrl = process.env['DATABASE_URL'];
    if (baseUrl === undefined) throw new Error('DATABASE_URL is not set');
    const scratch = await createScratchDatabase(baseUrl);
    databaseUrl = scratch.url;
    drop = scratch.drop;
  }
  const server = await startServer({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    port: 0,
    logs: 'silent',
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...options,
  });
  const admin = createServerClient({ baseUrl: server.url, apiKey: API_KEY, secret: API_SECRET });
  return {
    server,
    url: server.url,
    databaseUrl,
    admin,
    clientFor: async (userId) =>
      createClient({
        baseUrl: server.url,
        apiKey: API_KEY,
        token: await admin.createToken(userId),
      }),
    close: async () => {
      await server.close();
      await drop();
    },
  };
}

/** Runs `body` and returns the error it threw (fails the test if it did not throw). */
export async function rejection(
  body: () => Promise<unknown>,
): Promise<{ status: number; code: string; origin?: string }> {
  try {
    await body();
  } catch (error) {
    return error as { status: number; code: string; origin?: string };
  }
  throw new Error('expected the request to be refused');
}

/** Stream's numeric error code for an HTTP status and rolecall's reason (docs/server.md#errors). */
export function streamCodeOf(status: number, reason: string): number {
  const byReason: Record<string, number> = {
    API_KEY_INVALID: 2,
    TOKEN_EXPIRED: 40,
    TOKEN_NOT_YET_VALID: 41,
  };
  const byStatus: Record<number, number> = {
    400: 4,
    401: 5,
    403: 17,
    404: 16,
    409: 4,
    413: 22,
    429: 9,
  };
  // Any other 4xx (414, 415 …) is an input error; -1 is for 5xx only.
  return byReason[reason] ?? byStatus[status] ?? (status < 500 ? 4 : -1);
}

/** Stream's error body: the numeric code of `status` and `reason`, StatusCode, and the reason. */
export function expectStreamError(status: number, body: unknown, reason?: string): void {
  const problem = body as Record<string, unknown>;
  expect(typeof problem['reason']).toBe('string');
  const actual = String(problem['reason']);
  if (reason !== undefined) expect(actual).toBe(reason);
  expect(problem).toMatchObject({
    code: streamCodeOf(status, actual),
    StatusCode: status,
    message: expect.any(String) as unknown,
    duration: expect.any(String) as unknown,
    details: [],
  });
}

/** Stream's `GET /api/v2/users?payload=…` path for a queryUsers payload. */
export const usersQueryPath = (payload: unknown): string =>
  `/api/v2/users?payload=${encodeURIComponent(JSON.stringify(payload))}`;

/** A call's Stream path (`/api/v2/video/call/:type/:id`), segments as given (not encoded). */
export const callPath = (type: string, id: string, suffix = ''): string =>
  `/api/v2/video/call/${type}/${id}${suffix}`;

/** A raw answer: the status and the parsed JSON body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * One JSON request as a client sends it: `api_key` in the query, the token (when given) as Bearer,
 * `body` as JSON or `rawBody` as written. Any 4xx/5xx must be Stream's error body.
 */
export async function sendJson(
  test: TestServer,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  rawBody?: string,
): Promise<Answer> {
  const text = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const separator = path.includes('?') ? '&' : '?';
  const response = await fetch(`${test.url}${path}${separator}api_key=${API_KEY}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(text === undefined ? {} : { body: text }),
  });
  const answer = {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  };
  if (answer.status >= 400) expectStreamError(answer.status, answer.body);
  return answer;
}
