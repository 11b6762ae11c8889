// The video clients against servers that misbehave, made real on 127.0.0.1: one that never
// answers (timeouts, abort signals), one that answers without end (the size cap), and none at
// all (UI hints fail closed to false / [] while queries still reject).
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClient,
  createServerClient,
  RolecallNetworkError,
  type RolecallNetworkErrorCode,
} from '../../sdk/clients/index.js';
import {
  EvaluatorError,
  EvaluatorTimeoutError,
  EvaluatorUnavailableError,
} from '../../sdk/errors.js';
import { answerEndlessJson, type EndlessProgress } from '../support/endless-json.js';
import { findFreePort } from '../support/opa-server.js';

const MiB = 1024 * 1024;
const call = { kind: 'call', call_type: 'default', id: 'red-weekly', team: 'red' } as const;

const open: { close: () => Promise<void> }[] = [];

afterEach(async () => {
  for (const resource of open.splice(0)) await resource.close();
});

function listen(server: {
  listen: (port: number, host: string, ready: () => void) => unknown;
  address: () => unknown;
}): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

/**
 * Accepts connections and never answers. `connected` resolves at the first connection, so a
 * test can abort a request that is known to be pending; `hungUp` when a client first closes one.
 */
async function silentServer() {
  const sockets = new Set<Socket>();
  let closedByClient = 0;
  let onConnection: () => void = () => undefined;
  let onHangUp: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => {
    onConnection = resolve;
  });
  const hungUp = new Promise<void>((resolve) => {
    onHangUp = resolve;
  });
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      if (!sockets.delete(socket)) return;
      closedByClient += 1;
      onHangUp();
    });
    socket.on('error', () => undefined);
    // Read (and drop) the request, so a hang-up is seen when it happens.
    socket.resume();
    onConnection();
  });
  const url = await listen(server);
  open.push({
    close: () => {
      for (const socket of sockets) {
        sockets.delete(socket);
        socket.destroy();
      }
      return new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  });
  return {
    url,
    connected,
    hungUp,
    connections: () => sockets.size + closedByClient,
  };
}

/**
 * Answers every request with `totalBytes` of JSON, as fast as the client reads it, and stops
 * when the client hangs up; `sent` counts the bytes handed to the socket.
 */
async function endlessServer(totalBytes: number, headers: Record<string, string> = {}) {
  const progress: EndlessProgress = { sent: 0, closed: Promise.resolve() };
  const server = createHttpServer((request, response: ServerResponse) => {
    request.resume();
    answerEndlessJson(response, { totalBytes, key: 'app', progress, headers });
  });
  const url = await listen(server);
  open.push({
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  });
  return { url, progress };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function expectNetworkError(promise: Promise<unknown>, code: RolecallNetworkErrorCode) {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(RolecallNetworkError);
  expect((error as RolecallNetworkError).code).toBe(code);
  return error as RolecallNetworkError;
}

const serverClientAt = (baseUrl: string, options: object = {}) =>
  createServerClient({ baseUrl, apiKey: 'key', secret: 'a-secret-of-enough-length', ...options });

const userClientAt = (baseUrl: string, options: object = {}) =>
  createClient({ baseUrl, apiKey: 'key', token: 'token', ...options });

// A hang fails the test at this bound instead of blocking CI; no assertion depends on timing.
const BOUNDED = { timeout: 15_000 };

describe('a server that never answers', BOUNDED, () => {
  it('createServerClient rejects with a TIMEOUT RolecallNetworkError, and hangs up', async () => {
    const silent = await silentServer();
    const server = serverClientAt(silent.url, { timeoutMs: 200 });
    const error = await expectNetworkError(server.getApp(), 'TIMEOUT');
    expect(error.message).toMatch(/^GET \/api\/v2\/app: no answer within 200 ms/);
    // The connection is closed, not left open waiting (else this never resolves).
    await silent.hungUp;
    await expectNetworkError(server.call('default', 'c1').get(), 'TIMEOUT');
  });

  it('createClient: queries reject with TIMEOUT (the policy load times out first)', async () => {
    const silent = await silentServer();
    const client = userClientAt(silent.url, { timeoutMs: 200 });
    await expectNetworkError(client.queryUsers(), 'TIMEOUT');
    await expectNetworkError(client.call('default', 'c1').getOrCreate(), 'TIMEOUT');
    await expectNetworkError(client.me(), 'TIMEOUT');
  });

  it('a per-request timeoutMs replaces the client default of 10 s', async () => {
    const silent = await silentServer();
    const server = serverClientAt(silent.url);
    await expectNetworkError(server.listRoles({ timeoutMs: 200 }), 'TIMEOUT');
  });

  it('the client signal aborts a pending request: ABORTED, with the reason as cause', async () => {
    const silent = await silentServer();
    const controller = new AbortController();
    const server = serverClientAt(silent.url, { signal: controller.signal });
    const pending = server.getApp();
    await silent.connected;
    const reason = new Error('page closed');
    controller.abort(reason);
    const error = await expectNetworkError(pending, 'ABORTED');
    expect(error.cause).toBe(reason);
    // Every later request of the client is aborted too, without connecting.
    const before = silent.connections();
    await expectNetworkError(server.listPermissions(), 'ABORTED');
    expect(silent.connections()).toBe(before);
  });

  it('a per-request signal aborts that request only', async () => {
    const silent = await silentServer();
    const server = serverClientAt(silent.url, { timeoutMs: 300 });
    const controller = new AbortController();
    const aborted = server.getApp({ signal: controller.signal });
    const other = server.listRoles();
    await silent.connected;
    controller.abort();
    await expectNetworkError(aborted, 'ABORTED');
    // The other request keeps its own bound: it times out rather than being aborted.
    await expectNetworkError(other, 'TIMEOUT');
    // A signal aborted before the call rejects at once.
    await expectNetworkError(
      serverClientAt(silent.url).getApp({ signal: AbortSignal.abort() }),
      'ABORTED',
    );
  });

  it('a timeout that setTimeout cannot honour is refused when the client is made', () => {
    expect(() => serverClientAt('http://127.0.0.1:1', { timeoutMs: 0 })).toThrow(RangeError);
    expect(() => userClientAt('http://127.0.0.1:1', { timeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => userClientAt('http://127.0.0.1:1', { maxResponseBytes: -1 })).toThrow(RangeError);
  });
});

describe('a server that answers without end', BOUNDED, () => {
  it('a 1 GB answer is dropped while it streams (default cap 16 MiB)', async () => {
    const endless = await endlessServer(1024 * MiB);
    const server = serverClientAt(endless.url);
    const error = await expectNetworkError(server.getApp(), 'RESPONSE_TOO_LARGE');
    const sentWhenRejected = endless.progress.sent;
    expect(error.message).toMatch(/larger than 16777216 bytes/);
    expect(sentWhenRejected).toBeLessThan(64 * MiB);
    // The client hung up instead of reading the rest (else this never resolves).
    await endless.progress.closed;
    expect(endless.progress.sent).toBeLessThan(64 * MiB);
  });

  it('maxResponseBytes caps smaller answers; a Content-Length over the cap is refused', async () => {
    const endless = await endlessServer(2 * MiB);
    await expectNetworkError(
      serverClientAt(endless.url, { maxResponseBytes: MiB }).getApp(),
      'RESPONSE_TOO_LARGE',
    );
    // Within the cap the same answer is read whole.
    await expect(
      serverClientAt(endless.url, { maxResponseBytes: 4 * MiB }).getApp(),
    ).resolves.toBeTypeOf('object');
    const announced = await endlessServer(MiB, { 'content-length': String(1024 * MiB) });
    await expectNetworkError(serverClientAt(announced.url).getApp(), 'RESPONSE_TOO_LARGE');
  });
});

describe('UI hints of createClient fail closed', BOUNDED, () => {
  it('against a closed port: can is false, capabilities [], decide a deny, no throw', async () => {
    const port = await findFreePort();
    const seen: EvaluatorError[] = [];
    const client = userClientAt(`http://127.0.0.1:${port}`, {
      onError: (error: EvaluatorError) => seen.push(error),
    });
    const videoCall = client.call('default', 'red-weekly');
    expect(await videoCall.can('JoinCall')).toBe(false);
    expect(await videoCall.capabilities()).toEqual([]);
    expect(await client.can('ReadCall', call)).toBe(false);
    expect(await client.capabilities(call)).toEqual([]);
    expect(await client.decide({ action: 'ReadCall', resource: call })).toMatchObject({
      allow: false,
      reason: 'EVALUATOR_UNAVAILABLE',
      revision: '',
      grants: [],
    });
    // Each hint tried to load the policy again (a failed load is not cached) and reported it.
    expect(seen).toHaveLength(5);
    for (const error of seen) {
      expect(error).toBeInstanceOf(EvaluatorUnavailableError);
      expect(error.cause).toBeInstanceOf(RolecallNetworkError);
      expect((error.cause as RolecallNetworkError).code).toBe('NETWORK');
    }
    // Not hints: queries and requests still reject with their errors.
    await expectNetworkError(client.queryUsers(), 'NETWORK');
    await expectNetworkError(videoCall.get(), 'NETWORK');
    await expectNetworkError(client.policy(), 'NETWORK');
  });

  it('against a silent server: false within the timeout, reported as EVALUATOR_TIMEOUT', async () => {
    const silent = await silentServer();
    const seen: EvaluatorError[] = [];
    const client = userClientAt(silent.url, {
      timeoutMs: 200,
      onError: (error: EvaluatorError) => seen.push(error),
    });
    expect(await client.call('default', 'c1').can('JoinCall')).toBe(false);
    expect(seen.map((error) => error.code)).toEqual(['EVALUATOR_TIMEOUT']);
    expect(seen[0]).toBeInstanceOf(EvaluatorTimeoutError);
  });
});
