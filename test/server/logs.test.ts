// Decision logs: OPA-shaped lines (decision id, revision, input, result), written for every
// decision, only refusals, or none; an input or result past DECISION_LOG_INLINE_BYTES written as
// its size and SHA-256, so one request's log stays proportional to its decisions, not its data.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/run.js';
import {
  createLoggers,
  DECISION_LOG_INLINE_BYTES,
  logDecision,
  type DecisionLogMode,
} from '../../server/logs.js';
import { startServer } from '../../server/index.js';
import {
  API_KEY,
  API_SECRET,
  BACKENDS,
  startTestServer,
  type TestServer,
} from '../support/server.js';

type Line = Record<string, unknown>;

function collect(): { lines: Line[]; write: (line: string) => void } {
  const lines: Line[] = [];
  return { lines, write: (line) => lines.push(JSON.parse(line) as Line) };
}

const isDecision = (line: Line): boolean => line['msg'] === 'decision';
const isRequest = (line: Line): boolean => line['msg'] === 'request';

describe('logDecision', () => {
  function logged(mode: DecisionLogMode, result: unknown, input: unknown = { a: 1 }): Line[] {
    const sink = collect();
    const { decisions } = createLoggers(sink, { decisionLog: mode });
    logDecision(decisions, { path: 'rolecall/decision', input, result, revision: 'r1' });
    return sink.lines;
  }

  it('writes every decision with `all`, refusals only with `deny`, none with `off`', () => {
    const allow = { allow: true, reason: 'GRANTED' };
    const deny = { allow: false, reason: 'NOT_GRANTED' };
    expect(logged('all', allow)).toHaveLength(1);
    expect(logged('all', ['read-call'])).toHaveLength(1);
    expect(logged('deny', allow)).toEqual([]);
    expect(logged('deny', ['read-call'])).toEqual([]);
    expect(logged('deny', deny)).toMatchObject([{ result: deny }]);
    expect(logged('off', deny)).toEqual([]);
  });

  it('keeps the OPA decision-log shape for small inputs', () => {
    const [line] = logged('all', { allow: true }, { subject: { id: 'alice' } });
    expect(line).toMatchObject({
      decision_id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      revision: 'r1',
      path: 'rolecall/decision',
      input: { subject: { id: 'alice' } },
      result: { allow: true },
    });
  });

  it('summarizes an input and a result past the threshold as {size, sha256}', () => {
    const input = { subject: { id: 'alice' }, note: 'é'.repeat(DECISION_LOG_INLINE_BYTES) };
    const text = JSON.stringify(input);
    const result = { allow: false, reason: 'NOT_GRANTED', filter: { id: 'x'.repeat(4096) } };
    const [line] = logged('all', result, input);
    expect(line?.['input']).toBeUndefined();
    expect(line?.['input_summary']).toEqual({
      size: Buffer.byteLength(text, 'utf8'),
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    expect(line?.['result']).toBeUndefined();
    expect(line?.['result_summary']).toMatchObject({ allow: false, reason: 'NOT_GRANTED' });
    expect(JSON.stringify(line)).not.toContain('ééé');
    // Exactly at the threshold is still copied.
    const atThreshold = {
      n: 'x'.repeat(DECISION_LOG_INLINE_BYTES - JSON.stringify({ n: '' }).length),
    };
    expect(logged('all', { allow: true }, atThreshold)[0]?.['input']).toEqual(atThreshold);
  });
});

describe.each(BACKENDS)('decision logs of a running server (%s)', (backend) => {
  const servers: TestServer[] = [];
  async function serverWith(
    mode: DecisionLogMode,
    logLevel?: 'warn',
  ): Promise<{
    lines: Line[];
    alice: string;
    /** Holds a role with no grants: every query is refused. */
    nemo: string;
    test: TestServer;
  }> {
    const sink = collect();
    const test = await startTestServer(backend, {
      logs: sink,
      decisionLog: mode,
      ...(logLevel === undefined ? {} : { logLevel }),
    });
    servers.push(test);
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.createRole('nobody');
    await test.admin.upsertUsers([
      { id: 'alice', teams: ['red'] },
      { id: 'nemo', role: 'nobody', teams: ['red'] },
    ]);
    await test.admin
      .call('default', 'red-call')
      .getOrCreate({ data: { team: 'red', created_by_id: 'alice' } });
    return {
      lines: sink.lines,
      alice: await test.admin.createToken('alice'),
      nemo: await test.admin.createToken('nemo'),
      test,
    };
  }

  async function query(test: TestServer, token: string, filter: unknown): Promise<number> {
    const payload = encodeURIComponent(JSON.stringify({ filter_conditions: filter }));
    const response = await fetch(`${test.url}/api/v2/users?payload=${payload}&api_key=${API_KEY}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    return response.status;
  }

  afterAll(async () => {
    for (const test of servers) await test.close();
  });

  it('`deny` writes the refusals only', async () => {
    const { lines, alice, nemo, test } = await serverWith('deny');
    const start = lines.length;
    expect(await query(test, alice, {})).toBe(200);
    expect(await query(test, nemo, {})).toBe(403);
    const decisions = lines.slice(start).filter(isDecision);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      path: 'rolecall/query_filter',
      result: { allow: false, reason: 'NOT_GRANTED' },
    });
  });

  it('`off` writes no decision, and request lines go on', async () => {
    const { lines, alice, nemo, test } = await serverWith('off');
    expect(await query(test, alice, {})).toBe(200);
    expect(await query(test, nemo, {})).toBe(403);
    expect(lines.filter(isDecision)).toEqual([]);
    expect(lines.filter(isRequest).length).toBeGreaterThanOrEqual(2);
  });

  it('`all` summarizes a large filter and keeps each line bounded', async () => {
    const { lines, alice, test } = await serverWith('all', 'warn');
    const start = lines.length;
    const big = {
      id: { $in: Array.from({ length: 500 }, (_, index) => `someone-${String(index)}`) },
    };
    expect(await query(test, alice, big)).toBe(200);
    const decisions = lines.slice(start).filter(isDecision);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      path: 'rolecall/query_filter',
      input_summary: {
        size: expect.any(Number) as unknown,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      },
      result_summary: { allow: true },
    });
    expect(JSON.stringify(decisions[0])).not.toContain('someone-1');
    // --log-level warn: no request lines, decisions still written.
    expect(lines.filter(isRequest)).toEqual([]);
    for (const line of lines.filter(isDecision)) {
      expect(JSON.stringify(line).length).toBeLessThan(2 * DECISION_LOG_INLINE_BYTES + 1024);
    }
  });

  it('refuses an unknown mode or level at start', async () => {
    await expect(
      startServer({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        logs: 'silent',
        decisionLog: 'some' as DecisionLogMode,
      }),
    ).rejects.toThrow(/decisionLog is all, deny or off/);
    await expect(
      startServer({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        logs: 'silent',
        logLevel: 'loud' as 'info',
      }),
    ).rejects.toThrow(/logLevel is one of/);
  });
});

describe('rolecall serve log flags', () => {
  it('refuses an unknown --decision-log mode or --log-level as usage errors', async () => {
    const err: string[] = [];
    const io: CliIo = {
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      readStdin: () => Promise.resolve(''),
      cwd: process.cwd(),
    };
    const secret = ['--api-key', 'k', '--api-secret', 'a-secret-of-at-least-16-chars'];
    expect(await main(['serve', ...secret, '--decision-log', 'some'], io)).toBe(2);
    expect(err.join('')).toContain('unknown --decision-log "some"; use all, deny or off');
    expect(await main(['serve', ...secret, '--log-level', 'loud'], io)).toBe(2);
    expect(err.join('')).toContain('unknown --log-level "loud"');
  });
});
