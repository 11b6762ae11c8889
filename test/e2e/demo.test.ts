// The runnable demo (`npx tsx examples/demo/run.ts`) as a user runs it: it exits 0 and shows each
// tenant its own rows only, with cross-tenant reads answered 404 and cross-team search refused.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples/demo', () => {
  it('runs two isolated tenants', async () => {
    const env = { ...process.env };
    delete env['DATABASE_URL'];
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/demo/run.ts'], {
      cwd: process.cwd(),
      env,
      timeout: 120_000,
    });
    const lines = stdout.split('\n');
    const line = (prefix: string, what: string): string | undefined =>
      lines.find((text) => text.startsWith(prefix) && text.includes(what));
    expect(line('alice (acme)', 'queryUsers({}) →')).toMatch(/→ alice, bob, sam$/);
    expect(line('carol (globex)', 'queryUsers({}) →')).toMatch(/→ carol, dave, sam$/);
    expect(line('alice (acme)', 'get globex-review')).toContain('404 NOT_FOUND');
    expect(line('carol (globex)', 'get acme-standup')).toContain('404 NOT_FOUND');
    expect(line('alice (acme)', 'queryUsers({teams: {}})')).toContain('CROSS_TEAM_QUERY');
    expect(line('carol (globex)', 'move her call to acme')).toContain('SERVER_ONLY');
    expect(line('server', 'queryUsers({}) →')).toMatch(/→ alice, bob, carol, dave, sam$/);
  });
});
