// A real OPA sidecar polls the server's bundle (ETag / 304) and follows grants changed through
// the API: after updateCallType it decides with the new revision, exactly like the server.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnOpa } from '../../scripts/opa.js';
import type { Decision } from '../../sdk/types.js';
import { findFreePort } from '../support/opa-server.js';
import { createServerToken } from '../../sdk/clients/token.js';
import { API_KEY, API_SECRET, startTestServer, type TestServer } from '../support/server.js';

const input = {
  subject: { id: 'gina', role: 'guest', teams: [] },
  action: 'JoinCall',
  resource: { kind: 'call', call_type: 'default', id: 'lobby', team: null, created_by_id: 'alice' },
};

describe('OPA bundle polling', () => {
  let test: TestServer;
  let opa: ChildProcess | undefined;
  let opaUrl = '';
  let workDir = '';
  const lines: string[] = [];

  async function opaDecision(): Promise<Decision | undefined> {
    try {
      const response = await fetch(`${opaUrl}/v1/data/rolecall/decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      });
      if (!response.ok) return undefined;
      return ((await response.json()) as { result?: Decision }).result;
    } catch {
      return undefined;
    }
  }

  /** Polls OPA until it answers with `revision` (bounded; not a timing assertion). */
  async function waitForRevision(revision: string): Promise<Decision> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const decision = await opaDecision();
      if (decision?.revision === revision) return decision;
      if (Date.now() > deadline)
        throw new Error(`OPA never reached revision ${revision}: ${JSON.stringify(decision)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    test = await startTestServer('pglite', { logs: { write: (line) => lines.push(line) } });
    workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-opa-poll-'));
    const config = path.join(workDir, 'opa.yaml');
    await writeFile(
      config,
      [
        // The sidecar authenticates like any server-side caller: API key and a server token.
        'services:',
        '  rolecall:',
        `    url: ${test.url}`,
        '    headers:',
        `      x-api-key: ${API_KEY}`,
        '    credentials:',
        '      bearer:',
        `        token: ${await createServerToken(API_SECRET)}`,
        'bundles:',
        '  rolecall:',
        '    service: rolecall',
        '    resource: /bundle.tar.gz',
        '    polling:',
        '      min_delay_seconds: 1',
        '      max_delay_seconds: 1',
        '',
      ].join('\n'),
    );
    const port = await findFreePort();
    opaUrl = `http://127.0.0.1:${port}`;
    opa = spawnOpa([
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--config-file',
      config,
      '--log-level',
      'error',
      '--skip-version-check',
    ]);
  });
  afterAll(async () => {
    if (opa !== undefined && opa.exitCode === null) {
      const exited = new Promise((resolve) => opa?.once('exit', resolve));
      opa.kill('SIGTERM');
      await exited;
    }
    await test.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('decides like the server, before and after a grants change through the API', async () => {
    const before = await waitForRevision(test.server.live.revision);
    expect(before).toEqual(await test.server.live.evaluator.evaluate('rolecall/decision', input));
    expect(before.allow).toBe(true); // guests join default calls by default
    await test.admin.updateCallType('default', { grants: { guest: ['read-call'] } });
    const after = await waitForRevision(test.server.live.revision);
    expect(after).toEqual(await test.server.live.evaluator.evaluate('rolecall/decision', input));
    expect(after.allow).toBe(false);
    expect(after.revision).not.toBe(before.revision);
  });

  it('is answered 304 Not Modified while the grants do not change', async () => {
    const deadline = Date.now() + 30_000;
    const notModified = (): boolean =>
      lines.some(
        (line) => line.includes('"url":"/bundle.tar.gz"') && line.includes('"status":304'),
      );
    while (!notModified() && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notModified()).toBe(true);
  });
});
