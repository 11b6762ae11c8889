// The web demo (examples/web) in chromium against the reference server: each user of the two
// tenants sees only its own tenant's calls and users, the SDK injects the team filter before a
// query leaves the page, a cross-tenant query is refused locally, and the buttons shown for a
// call (local WASM capabilities) equal the server's own_capabilities.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../examples/web/demo.js';
import { DEMO_CALLS, DEMO_USERS } from '../../examples/web/seed.js';
import { launchChromium } from '../support/browser.js';

interface SeenCall {
  cid: string;
  team: string;
  capabilities: string[];
  serverCapabilities: string[];
}

interface SignedIn {
  calls: SeenCall[];
  users: { id: string; teams: string[] }[];
  callsFilter: unknown;
  usersFilter: unknown;
  probe: { refused: string; code: string; origin: string };
  /** filter_conditions of every query the page sent over the wire. */
  sent: { path: string; filter: Record<string, unknown> }[];
}

describe('web demo in chromium', () => {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outDir: string;
  const sent: { path: string; filter: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-demo-'));
    demo = await startDemo({ outDir });
    browser = await launchChromium();
    page = await browser.newPage();
    // Stream's wire: queryCalls POSTs its filter, queryUsers GETs it as ?payload=<JSON>.
    page.on('request', (request) => {
      const url = new URL(request.url());
      const isCallQuery = url.pathname.endsWith('/api/v2/video/calls');
      const isUserQuery = url.pathname.endsWith('/api/v2/users') && request.method() === 'GET';
      if (!isCallQuery && !isUserQuery) return;
      const body = JSON.parse(
        (isUserQuery ? url.searchParams.get('payload') : request.postData()) ?? '{}',
      ) as { filter_conditions?: Record<string, unknown> };
      sent.push({ path: url.pathname, filter: body.filter_conditions ?? {} });
    });
    await page.goto(demo.url);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await rm(outDir, { recursive: true, force: true });
  });

  async function signIn(userId: string): Promise<SignedIn> {
    sent.length = 0;
    await page.click(`button[data-user="${userId}"]`);
    await page.waitForSelector(`body[data-user="${userId}"] #status[data-state="ready"]`, {
      timeout: 30_000,
    });
    return page
      .evaluate(() => {
        const data = (selector: string) =>
          [...document.querySelectorAll<HTMLElement>(selector)].map((node) => node.dataset);
        const json = (text: string | undefined): unknown => JSON.parse(text ?? 'null');
        const probe = document.getElementById('probe')?.dataset ?? {};
        return {
          calls: data('#calls tr[data-call-cid]').map((row) => ({
            cid: row['callCid'] ?? '',
            team: row['team'] ?? '',
            capabilities: json(row['capabilities']) as string[],
            serverCapabilities: json(row['serverCapabilities']) as string[],
          })),
          users: data('#users tr[data-user-id]').map((row) => ({
            id: row['userId'] ?? '',
            teams: json(row['teams']) as string[],
          })),
          callsFilter: json(document.getElementById('calls-filter')?.dataset['filter']),
          usersFilter: json(document.getElementById('users-filter')?.dataset['filter']),
          probe: {
            refused: probe['refused'] ?? '',
            code: probe['code'] ?? '',
            origin: probe['origin'] ?? '',
          },
          sent: [],
        };
      })
      .then((seen) => ({ ...seen, sent: [...sent] }));
  }

  it.each(DEMO_USERS.map((user) => [user.id, user.team] as const))(
    '%s (tenant %s) sees only its own tenant',
    async (userId, team) => {
      const seen = await signIn(userId);
      const tenantCalls = DEMO_CALLS.filter((call) => call.team === team).map(
        (call) => `${call.type}:${call.id}`,
      );
      const tenantUsers = DEMO_USERS.filter((user) => user.team === team).map((user) => user.id);

      expect(seen.calls.map((call) => call.cid).sort()).toEqual([...tenantCalls].sort());
      expect(seen.calls.every((call) => call.team === team)).toBe(true);
      expect(seen.users.map((user) => user.id).sort()).toEqual([...tenantUsers].sort());
      expect(seen.users.every((user) => user.teams.includes(team))).toBe(true);

      // The SDK injected the team condition, and that is what went over the wire.
      expect(seen.callsFilter).toEqual({ team: { $in: [team] } });
      expect(seen.usersFilter).toEqual({ teams: { $in: [team] } });
      expect(seen.sent).toContainEqual({
        path: '/api/api/v2/video/calls',
        filter: { team: { $in: [team] } },
      });
      expect(seen.sent).toContainEqual({
        path: '/api/api/v2/users',
        filter: { teams: { $in: [team] } },
      });
      // The cross-tenant probe was refused in the page and never sent.
      expect(seen.probe).toEqual({ refused: 'true', code: 'CROSS_TEAM_QUERY', origin: 'client' });
      expect(
        seen.sent.filter((request) => request.path === '/api/api/v2/video/calls'),
      ).toHaveLength(1);

      for (const call of seen.calls) {
        expect([...call.capabilities].sort(), call.cid).toEqual(
          [...call.serverCapabilities].sort(),
        );
      }
    },
  );

  it('shows the per-call revoke of the grants file as a missing button', async () => {
    const seen = await signIn('gus');
    const byCid = new Map(seen.calls.map((call) => [call.cid, call.capabilities]));
    // default:board-meeting revokes screenshare for call members; globex-sync does not.
    expect(byCid.get('default:globex-sync')).toContain('screenshare');
    expect(byCid.get('default:board-meeting')).not.toContain('screenshare');
    expect(byCid.get('default:board-meeting')).toContain('send-audio');
  });
});
