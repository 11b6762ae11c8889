// Faults of a remote OPA, each made real on 127.0.0.1 (refused connections, a killed OPA, a
// slow server, garbage answers, endless answers): every one must give a typed error and a deny,
// and never hang.
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import {
  createConnection,
  createServer as createTcpServer,
  type Server as TcpServer,
} from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EvaluatorClosedError,
  EvaluatorError,
  EvaluatorResponseError,
  EvaluatorTimeoutError,
  EvaluatorUnavailableError,
} from '../../sdk/errors.js';
import { OpaEvaluator } from '../../sdk/opa-evaluator.node.js';
import { PolicyClient } from '../../sdk/policy-client.js';
import { DECISION_CASES } from '../contract/cases.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';
import { findFreePort, startOpaServer } from '../support/opa-server.js';
import { answerEndlessJson, type EndlessProgress } from '../support/endless-json.js';

const subject = { id: 'alice', role: 'user', teams: ['red'] };
const call = { kind: 'call', call_type: 'default', id: 'red-weekly', team: 'red' } as const;
const validInput = DECISION_CASES[0]?.input;
const allowedDecision = {
  allow: true,
  reason: 'GRANTED',
  message: 'granted',
  revision: 'r1',
  grants: [],
};

/** Every PolicyClient method must deny with the error's code when the evaluator fails. */
async function expectClientDenies(evaluator: OpaEvaluator, code: string) {
  const seen: EvaluatorError[] = [];
  const client = new PolicyClient(evaluator, subject, { onError: (error) => seen.push(error) });
  expect(await client.can('SendVideo', call, { callRole: 'call_member' })).toBe(false);
  const decision = await client.decide('SendVideo', call, { callRole: 'call_member' });
  expect(decision).toMatchObject({ allow: false, reason: code, grants: [] });
  expect(await client.capabilities(call)).toEqual([]);
  expect(await client.queryFilter('calls', {})).toMatchObject({
    allow: false,
    reason: code,
    filter: null,
  });
  expect(seen.map((error) => error.code)).toEqual([code, code, code, code]);
}

/** A scripted HTTP server: each request gets the next answer of the script (the last repeats). */
class ScriptedServer {
  requests = 0;
  private readonly server: Server;
  constructor(private readonly script: ((response: ServerResponse) => void)[]) {
    this.server = createHttpServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const answer = this.script[Math.min(this.requests, this.script.length - 1)];
        this.requests += 1;
        answer?.(response);
      });
    });
  }
  listen(): Promise<string> {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        resolve(
          typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '',
        );
      });
    });
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

function json(status: number, body: unknown) {
  return (response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

const open: { close: () => Promise<void> }[] = [];

afterEach(async () => {
  for (const resource of open.splice(0)) await resource.close();
});

async function scripted(script: ((response: ServerResponse) => void)[], options = {}) {
  const server = new ScriptedServer(script);
  const url = await server.listen();
  const evaluator = new OpaEvaluator({ url, retryDelayMs: 1, timeoutMs: 2000, ...options });
  open.push(evaluator, server);
  return { server, evaluator };
}

// Every fault must resolve quickly: a hang fails the test at this bound instead of blocking CI.
const FAULT_TIMEOUT = { timeout: 15_000 };

describe('OpaEvaluator faults', FAULT_TIMEOUT, () => {
  it('connection refused: EvaluatorUnavailableError after the retries, and a deny', async () => {
    const port = await findFreePort();
    const evaluator = new OpaEvaluator({ url: `http://127.0.0.1:${port}`, retryDelayMs: 1 });
    open.push(evaluator);
    await expect(evaluator.evaluate('rolecall/allow', validInput)).rejects.toBeInstanceOf(
      EvaluatorUnavailableError,
    );
    await expect(
      evaluator.evaluateBatch({ decisions: [validInput], query_filters: [] }),
    ).rejects.toMatchObject({ code: 'EVALUATOR_UNAVAILABLE' });
    await expectClientDenies(evaluator, 'EVALUATOR_UNAVAILABLE');
  });

  it('a server slower than the timeout: EvaluatorTimeoutError, not retried, and a deny', async () => {
    const delayed: NodeJS.Timeout[] = [];
    const { server, evaluator } = await scripted(
      [
        (response) => {
          const answer = json(200, { result: true });
          delayed.push(
            setTimeout(() => {
              answer(response);
            }, 5000),
          );
        },
      ],
      { timeoutMs: 150 },
    );
    open.push({
      close: () => {
        for (const timer of delayed) clearTimeout(timer);
        return Promise.resolve();
      },
    });
    await expect(evaluator.evaluate('rolecall/allow', validInput)).rejects.toBeInstanceOf(
      EvaluatorTimeoutError,
    );
    expect(server.requests).toBe(1);
    await expectClientDenies(evaluator, 'EVALUATOR_TIMEOUT');
  });

  it('500s then a success: retried with backoff until it answers', async () => {
    const { server, evaluator } = await scripted([
      json(500, { code: 'internal_error' }),
      json(503, 'unavailable'),
      json(200, { result: allowedDecision }),
    ]);
    await expect(evaluator.evaluate('rolecall/decision', validInput)).resolves.toEqual(
      allowedDecision,
    );
    expect(server.requests).toBe(3);
  });

  it('500s past the retry budget: EvaluatorUnavailableError after 1 + retries attempts', async () => {
    const { server, evaluator } = await scripted([json(500, {})], { retries: 3 });
    await expect(evaluator.evaluate('rolecall/decision', validInput)).rejects.toBeInstanceOf(
      EvaluatorUnavailableError,
    );
    expect(server.requests).toBe(4);
    await expectClientDenies(evaluator, 'EVALUATOR_UNAVAILABLE');
  });

  it.each([
    ['not JSON', json(200, '<html>oops</html>')],
    ['no result (undefined: e.g. no bundle loaded)', json(200, {})],
    ['a result of the wrong shape', json(200, { result: { allow: 'yes' } })],
    ['a string where allow is a boolean', json(200, { result: 'true' })],
    ['a 404', json(404, { code: 'resource_not_found' })],
    ['a 400', json(400, { code: 'invalid_parameter' })],
  ])(
    'garbage answer, %s: EvaluatorResponseError without retry, and a deny',
    async (_name, answer) => {
      const { server, evaluator } = await scripted([answer]);
      await expect(evaluator.evaluate('rolecall/allow', validInput)).rejects.toBeInstanceOf(
        EvaluatorResponseError,
      );
      expect(server.requests).toBe(1);
      await expectClientDenies(evaluator, 'EVALUATOR_BAD_RESPONSE');
    },
  );

  it('a batch answer with the wrong number of results is an error, not a partial allow', async () => {
    const { evaluator } = await scripted([
      json(200, { result: { decisions: [allowedDecision], query_filters: [] } }),
    ]);
    await expect(
      evaluator.evaluateBatch({ decisions: [validInput, validInput], query_filters: [] }),
    ).rejects.toBeInstanceOf(EvaluatorResponseError);
  });

  it('a closed evaluator: EvaluatorClosedError and a deny', async () => {
    const { evaluator } = await scripted([json(200, { result: true })]);
    await evaluator.close();
    await expect(evaluator.evaluate('rolecall/allow', validInput)).rejects.toBeInstanceOf(
      EvaluatorClosedError,
    );
    await expectClientDenies(evaluator, 'EVALUATOR_CLOSED');
  });
});

const MiB = 1024 * 1024;

/** An answer of `totalBytes` of valid JSON (`{"result": ["xxx…", …]}`): see answerEndlessJson. */
function endlessJson(totalBytes: number) {
  const progress: EndlessProgress = { sent: 0, closed: Promise.resolve() };
  const answer = (response: ServerResponse) => {
    answerEndlessJson(response, { totalBytes, key: 'result', progress });
  };
  return { progress, answer };
}

describe('OpaEvaluator answer size cap', FAULT_TIMEOUT, () => {
  it('a 1 GB answer is dropped while it streams: EvaluatorResponseError, and a deny', async () => {
    const endless = endlessJson(1024 * MiB);
    const { server, evaluator } = await scripted([endless.answer, json(200, { result: true })]);
    const error = await evaluator.evaluate('rolecall/allow', validInput).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    const sentWhenRejected = endless.progress.sent;
    expect(error).toBeInstanceOf(EvaluatorResponseError);
    expect(String(error)).toMatch(/larger than 8388608 bytes/);
    // Default cap 8 MiB, plus what loopback socket buffers hold: far below 64 MiB, nowhere
    // near the 1 GB the server would send to a client that reads everything first.
    expect(sentWhenRejected).toBeLessThan(64 * MiB);
    // The client hung up instead of draining the rest (else this never resolves).
    await endless.progress.closed;
    expect(endless.progress.sent).toBeLessThan(64 * MiB);
    expect(server.requests).toBe(1);
    // The pool is not poisoned: the next question is answered.
    await expect(evaluator.evaluate('rolecall/allow', validInput)).resolves.toBe(true);
  });

  it('an answer announcing 1 GB is refused from its headers', async () => {
    const { evaluator } = await scripted([
      (response) => {
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(1024 * MiB),
        });
        response.write('{"result":');
      },
    ]);
    await expect(evaluator.evaluate('rolecall/allow', validInput)).rejects.toBeInstanceOf(
      EvaluatorResponseError,
    );
    await expectClientDenies(evaluator, 'EVALUATOR_BAD_RESPONSE');
  });

  it('maxResponseBytes caps one answer; a batch may answer up to 4× its request', async () => {
    const decisions = Array.from({ length: 100 }, () => validInput);
    const batchAnswer = {
      result: { decisions: decisions.map(() => allowedDecision), query_filters: [] },
    };
    const longDecision = { ...allowedDecision, message: 'm'.repeat(2048) };
    const { evaluator } = await scripted(
      [json(200, { result: longDecision }), json(200, batchAnswer)],
      { maxResponseBytes: 1024 },
    );
    await expect(evaluator.evaluate('rolecall/decision', validInput)).rejects.toThrow(
      /larger than 1024 bytes/,
    );
    // ~8 KB of answer to ~25 KB of request: under 4× the request, so not refused.
    expect(JSON.stringify(batchAnswer).length).toBeGreaterThan(1024);
    const batch = await evaluator.evaluateBatch({ decisions, query_filters: [] });
    expect(batch.decisions).toHaveLength(100);
  });

  it('refuses a cap that is not a positive integer', () => {
    expect(() => new OpaEvaluator({ url: 'http://127.0.0.1:1', maxResponseBytes: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('a real OPA without the rolecall bundle', FAULT_TIMEOUT, () => {
  it('an undefined result is EvaluatorResponseError and a deny, never an allow', async () => {
    const opa = await startOpaServer();
    open.push({ close: () => opa.stop() });
    const evaluator = new OpaEvaluator({ url: opa.url, retryDelayMs: 1 });
    open.push(evaluator);
    await expect(evaluator.evaluate('rolecall/allow', validInput)).rejects.toBeInstanceOf(
      EvaluatorResponseError,
    );
    await expect(
      evaluator.evaluateBatch({ decisions: [validInput], query_filters: [] }),
    ).rejects.toBeInstanceOf(EvaluatorResponseError);
    // A pre-checked input needs the server's revision, which an empty OPA cannot give either.
    await expect(evaluator.evaluate('rolecall/decision', null)).rejects.toBeInstanceOf(
      EvaluatorResponseError,
    );
    await expectClientDenies(evaluator, 'EVALUATOR_BAD_RESPONSE');
  });
});

describe('a real OPA killed in the middle of a batch', FAULT_TIMEOUT, () => {
  let bundle: ContractBundle;
  let proxy: TcpServer | undefined;

  beforeAll(async () => {
    bundle = await buildContractBundle();
  });

  afterAll(async () => {
    proxy?.close();
    await bundle.cleanup();
  });

  it('the in-flight batch and every later call fail closed as EvaluatorUnavailableError', async () => {
    const opa = await startOpaServer(bundle.bundlePath);
    open.push({ close: () => opa.stop() });
    // A loopback proxy in front of OPA tells us when the batch request has reached it, so
    // OPA is killed while the batch is in flight, not before or after.
    let killed = false;
    proxy = createTcpServer((client) => {
      const upstream = createConnection(opa.port, '127.0.0.1');
      client.on('data', (chunk) => {
        upstream.write(chunk);
        if (!killed && chunk.includes('"decisions"')) {
          killed = true;
          opa.process.kill('SIGKILL');
        }
      });
      upstream.on('data', (chunk) => client.write(chunk));
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    const proxyPort = await new Promise<number>((resolve) => {
      proxy?.listen(0, '127.0.0.1', () => {
        const address = proxy?.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    const evaluator = new OpaEvaluator({ url: `http://127.0.0.1:${proxyPort}`, retryDelayMs: 1 });
    open.push(evaluator);
    // Alive first: the same evaluator answered through the proxy.
    expect(await evaluator.evaluate('rolecall/allow', validInput)).toBe(true);
    const decisions = Array.from({ length: 2000 }, () => validInput);
    await expect(evaluator.evaluateBatch({ decisions, query_filters: [] })).rejects.toBeInstanceOf(
      EvaluatorUnavailableError,
    );
    expect(killed).toBe(true);
    await expectClientDenies(evaluator, 'EVALUATOR_UNAVAILABLE');
  });
});
