// queryCalls pages over the calls the subject may read: `limit` and `offset` count readable calls,
// so calls the team filter lets through but ReadCall refuses never leave a page short.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoClient } from '../../sdk/clients/index.js';
import { allowedPage } from '../../server/services/allowed-page.js';
import { BACKENDS, rejection, startTestServer, type TestServer } from '../support/server.js';

const byId = [{ field: 'id', direction: 1 as const }];
const idsOf = (answer: { calls: { call: { id: string } }[] }): string[] =>
  answer.calls.map((entry) => entry.call.id);

describe.each(BACKENDS)('queryCalls paging on %s', (backend) => {
  let test: TestServer;
  let viewer: VideoClient;
  // c00…c29: even ids are `default` calls the viewer may read, odd ids `backstage` calls it may not.
  const ids = Array.from({ length: 30 }, (_, index) => `c${String(index).padStart(2, '0')}`);
  const readable = ids.filter((_, index) => index % 2 === 0);

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'viewer' }, { id: 'owner' }]);
    await test.admin.createCallType({ name: 'backstage', grants: { admin: ['read-call'] } });
    for (const [index, id] of ids.entries()) {
      await test.admin
        .call(index % 2 === 0 ? 'default' : 'backstage', id)
        .getOrCreate({ data: { created_by_id: 'owner' } });
    }
    viewer = await test.clientFor('viewer');
  });
  afterAll(async () => {
    await test.close();
  });

  it('every page is full while readable calls remain, and the pages cover them exactly once', async () => {
    const pages: string[][] = [];
    for (let offset = 0; offset < readable.length; offset += 4) {
      pages.push(idsOf(await viewer.video.queryCalls({ sort: byId, limit: 4, offset })));
    }
    expect(pages.slice(0, -1).every((page) => page.length === 4)).toBe(true);
    expect(pages.flat()).toEqual(readable);
    const past = await viewer.video.queryCalls({ sort: byId, limit: 4, offset: readable.length });
    expect(past.calls).toEqual([]);
  });

  it('offset counts readable calls, not SQL rows', async () => {
    const all = await viewer.video.queryCalls({ sort: byId, limit: 100 });
    expect(idsOf(all)).toEqual(readable);
    const tail = await viewer.video.queryCalls({ sort: byId, limit: 100, offset: 10 });
    expect(idsOf(tail)).toEqual(readable.slice(10));
  });

  it('a request that would read past the scan limit is refused as QUERY_TOO_BROAD, not cut short', async () => {
    const strict = await startTestServer(backend, { database: test.server.db, queryScanLimit: 10 });
    try {
      const client = await strict.clientFor('viewer');
      // 15 readable calls lie within the first 30 rows: limit 4 fills within 10 rows…
      const first = await client.video.queryCalls({ sort: byId, limit: 4 });
      expect(idsOf(first)).toEqual(readable.slice(0, 4));
      // …while offset 8 needs 17 rows: more than the limit allows, with rows left.
      expect(
        await rejection(() => client.video.queryCalls({ sort: byId, limit: 4, offset: 8 })),
      ).toMatchObject({ status: 400, code: 'QUERY_TOO_BROAD' });
    } finally {
      await strict.close();
    }
  });

  it('server side reads every call, so its pages are plain SQL pages', async () => {
    const first = await test.admin.video.queryCalls({ sort: byId, limit: 7, offset: 7 });
    expect(idsOf(first)).toEqual(ids.slice(7, 14));
  });
});

describe('allowedPage', () => {
  // A source of rows 0…n-1 where `allowed` says which rows pass; it records how much it read.
  function source(n: number, allowed: (row: number) => boolean) {
    const reads: { limit: number; offset: number }[] = [];
    return {
      reads,
      fetch: (limit: number, offset: number) => {
        reads.push({ limit, offset });
        const end = Math.min(n, offset + limit);
        return Promise.resolve(
          Array.from({ length: Math.max(0, end - offset) }, (_, i) => offset + i),
        );
      },
      allowed: (rows: number[]) => Promise.resolve(rows.map(allowed)),
    };
  }

  const page = (rows: number[], truncated = false) => ({ rows, truncated });

  it('skips refused rows across chunks and stops as soon as the page is full', async () => {
    const rows = source(1_000, (row) => row % 20 === 0);
    expect(await allowedPage(rows, 5, 3)).toEqual(page([60, 80, 100, 120, 140]));
    expect(rows.reads).toEqual([
      { limit: 50, offset: 0 },
      { limit: 100, offset: 50 },
    ]);
  });

  it('returns a short page at the end of the rows, and nothing past them', async () => {
    const all = () => source(20, () => true);
    expect(await allowedPage(all(), 10, 15)).toEqual(page([15, 16, 17, 18, 19]));
    expect(await allowedPage(all(), 10, 25)).toEqual(page([]));
    expect(
      await allowedPage(
        source(0, () => true),
        10,
        0,
      ),
    ).toEqual(page([]));
  });

  it('reads long refused runs in doubling chunks of at most 1,000 rows', async () => {
    const rows = source(5_000, (row) => row === 4_999);
    expect(await allowedPage(rows, 10, 0)).toEqual(page([4_999]));
    expect(rows.reads.map((read) => read.limit)).toEqual([
      50, 100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000,
    ]);
  });

  it('says the page is truncated when the scan limit stops it with rows left', async () => {
    const rows = source(1_000_000, (row) => row === 500);
    expect(await allowedPage(rows, 10, 0, 300)).toEqual(page([], true));
    expect(rows.reads.reduce((sum, read) => sum + read.limit, 0)).toBe(301); // 300 + 1 probe
    // Exactly at the limit with nothing after it: the page is simply the end of the list.
    expect(
      await allowedPage(
        source(300, () => false),
        10,
        0,
        300,
      ),
    ).toEqual(page([]));
    // A page filled within the limit is never truncated.
    expect(
      await allowedPage(
        source(1_000_000, () => true),
        10,
        0,
        300,
      ),
    ).toEqual(page([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });
});
