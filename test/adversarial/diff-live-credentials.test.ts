// `rolecall diff --live` with a wrong api key or secret names the server's refusal, and with the
// right ones reads the live grants (whose derived index is not a change).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-io.js';
import { API_KEY, API_SECRET, startTestServer, type TestServer } from '../support/server.js';

describe('rolecall diff --live', () => {
  let test: TestServer;
  let dir: string;

  beforeAll(async () => {
    test = await startTestServer('pglite');
    dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-redteam-diff-'));
    await writeFile(path.join(dir, 'rolecall.yaml'), 'version: 1\n');
  });
  afterAll(async () => {
    await test.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the refusal for a wrong key or secret, and reads the live grants with the right ones', async () => {
    const live = (key: string, secret: string) =>
      runCli(
        [
          'diff',
          'rolecall.yaml',
          '--live',
          test.url,
          '--api-key',
          key,
          '--api-secret',
          secret,
          '--format',
          'json',
        ],
        dir,
      );
    const wrongKey = await live('wrong', API_SECRET);
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toContain('401');
    expect(wrongKey.stderr).toContain('API_KEY_INVALID');
    const wrongSecret = await live(API_KEY, 'a-wrong-secret-that-is-long-enough-too');
    expect(wrongSecret.code).not.toBe(0);
    expect(wrongSecret.stderr).toContain('AUTH_INVALID');
    const right = await live(API_KEY, API_SECRET);
    expect(right.stderr).toBe('');
    expect(right.code).toBe(0);
    // The live document's derived index is not a grants change.
    expect(right.stdout).not.toContain('permissions_by_action');
  });
});
