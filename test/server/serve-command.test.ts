// `rolecall serve` as a real process: it listens on the port it prints, serves the grants file it
// was given with the options it was given, and exits 0 on SIGTERM; bad arguments are usage errors
// (exit 2).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import type { CliIo } from '../../cli/io.js';
import { createServerClient } from '../../sdk/clients/index.js';

function captureIo(): CliIo & { err: string[] } {
  const err: string[] = [];
  return {
    err,
    stdout: () => undefined,
    stderr: (text) => err.push(text),
    readStdin: () => Promise.resolve(''),
    cwd: process.cwd(),
  };
}

describe('rolecall serve', () => {
  let child: ChildProcess | undefined;
  let workDir: string | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('refuses to start without credentials', async () => {
    const io = captureIo();
    const saved = {
      key: process.env['ROLECALL_API_KEY'],
      secret: process.env['ROLECALL_API_SECRET'],
    };
    delete process.env['ROLECALL_API_KEY'];
    delete process.env['ROLECALL_API_SECRET'];
    try {
      expect(await main(['serve', '--port', '0'], io)).toBe(2);
      expect(io.err.join('')).toContain('--api-key is required');
      expect(await main(['serve', '--api-key', 'k', '--api-secret', 'short'], io)).toBe(2);
    } finally {
      if (saved.key !== undefined) process.env['ROLECALL_API_KEY'] = saved.key;
      if (saved.secret !== undefined) process.env['ROLECALL_API_SECRET'] = saved.secret;
    }
  });

  it('refuses an unknown --call-ids rule and a short secret with the rule startServer has', async () => {
    const io = captureIo();
    const secret = ['--api-key', 'k', '--api-secret', 'a-secret-of-at-least-16-chars'];
    expect(await main(['serve', ...secret, '--call-ids', 'prefixed'], io)).toBe(2);
    expect(io.err.join('')).toContain('unknown --call-ids "prefixed"; use any or team-prefixed');
    expect(await main(['serve', '--api-key', 'k', '--api-secret', 'fifteen-chars!!'], io)).toBe(2);
    expect(io.err.join('')).toContain('the API secret must have at least 16 characters');
  });

  it('serves a grants file and stops on SIGTERM', async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-serve-'));
    const config = path.join(workDir, 'rolecall.yaml');
    await writeFile(config, 'version: 1\napp:\n  multi_tenant_enabled: true\n');
    const secret = 'a-secret-of-at-least-16-chars';
    const env = { ...process.env };
    delete env['DATABASE_URL'];
    const started = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/main.ts',
        'serve',
        '--config',
        config,
        '--port',
        '0',
        '--api-key',
        'key',
        '--api-secret',
        secret,
        '--data-dir',
        path.join(workDir, 'db'),
        '--call-ids',
        'team-prefixed',
      ],
      { cwd: process.cwd(), env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = started;
    const url = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      started.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      started.on('exit', (code) => {
        reject(new Error(`serve exited ${String(code)}: ${stderr}`));
      });
    });
    const admin = createServerClient({ baseUrl: url, apiKey: 'key', secret });
    expect((await admin.getApp()).app.multi_tenant_enabled).toBe(true);
    await admin.upsertUsers([{ id: 'alice', teams: ['red'] }]);
    const created = await fetch(`${url}/api/v2/video/call/default/weekly?api_key=key`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await admin.createToken('alice')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ data: { team: 'red' } }),
    });
    const problem = (await created.json()) as { reason: string; code: number };
    expect([created.status, problem.reason, problem.code]).toEqual([
      400,
      'CALL_ID_NOT_TEAM_PREFIXED',
      4,
    ]);
    const exitCode = new Promise<number | null>((resolve) => started.on('exit', resolve));
    started.kill('SIGTERM');
    expect(await exitCode).toBe(0);
    child = undefined;
  });
});
