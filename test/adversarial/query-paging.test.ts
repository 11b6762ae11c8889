// queryCalls paging attacked: ties in every sort column, long runs of calls the viewer may not
// read, and another tenant's calls interleaved. Pages stay disjoint and full, and hold another
// team's calls only when the filter names that team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoClient } from '../../sdk/clients/index.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';

const idsOf = (answer: { calls: { call: { id: string } }[] }): string[] =>
  answer.calls.map((entry) => entry.call.id);

/** Every page of `limit` from offset 0 until a short page, concatenated. */
async function allPages(
  client: VideoClient,
  limit: number,
  sort?: { field: string; direction: 1 | -1 }[],
): Promise<string[][]> {
  const pages: string[][] = [];
  for (let offset = 0; ; offset += limit) {
    const page = idsOf(
      await client.video.queryCalls({ ...(sort === undefined ? {} : { sort }), limit, offset }),
    );
    pages.push(page);
    if (page.length < limit) return pages;
  }
}

describe.each(BACKENDS)('queryCalls paging under ties and unreadable runs on %s', (backend) => {
  let test: TestServer;
  let viewer: VideoClient;
  // 24 calls: ids ending in 0, 3, 6, 9 of each tens are `default` (readable), others `backstage`.
  const ids = Array.from({ length: 24 }, (_, index) => `t${String(index).padStart(2, '0')}`);
  const isReadable = (id: string): boolean => Number(id.slice(1)) % 3 === 0;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'viewer' }, { id: 'owner' }]);
    await test.admin.createCallType({ name: 'backstage', grants: { admin: ['read-call'] } });
    // Created in an order unrelated to the ids, so no column but the tie-break orders them.
    for (const id of [...ids].reverse()) {
      await test.admin
        .call(isReadable(id) ? 'default' : 'backstage', id)
        .getOrCreate({ data: { created_by_id: 'owner' } });
    }
    // Every call has the same created_at: the default order is decided by the tie-break alone.
    await test.server.db.query(
      "UPDATE calls SET created_at = TIMESTAMPTZ '2026-01-01T00:00:00Z', updated_at = TIMESTAMPTZ '2026-01-01T00:00:00Z'",
    );
    viewer = await test.clientFor('viewer');
  });
  afterAll(async () => {
    await test.close();
  });

  const sorts: [string, { field: string; direction: 1 | -1 }[] | undefined][] = [
    ['the default order (all created_at equal)', undefined],
    ['created_at descending (all equal)', [{ field: 'created_at', direction: -1 }]],
    ['updated_at ascending (all equal)', [{ field: 'updated_at', direction: 1 }]],
    ['created_by_id (one value)', [{ field: 'created_by_id', direction: 1 }]],
    ['ended_at (all null)', [{ field: 'ended_at', direction: -1 }]],
  ];
  it.each(sorts)('pages by %s are disjoint, full and cover the readable calls', async (_, sort) => {
    const everything = idsOf(
      await viewer.video.queryCalls({ ...(sort === undefined ? {} : { sort }), limit: 100 }),
    );
    expect([...everything].sort()).toEqual(ids.filter(isReadable));
    for (const limit of [1, 3]) {
      const pages = await allPages(viewer, limit, sort);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
      // Same order as one big page: no call twice, none missed, across chunk boundaries.
      expect(pages.flat()).toEqual(everything);
    }
  });

  it('an offset at or past the readable calls answers an empty page, not unreadable ones', async () => {
    const readableCount = ids.filter(isReadable).length;
    for (const offset of [readableCount, readableCount + 1, ids.length, 10_000]) {
      expect(idsOf(await viewer.video.queryCalls({ limit: 5, offset }))).toEqual([]);
    }
  });
});

describe.each(BACKENDS)('queryCalls limit 1 behind a long unreadable run on %s', (backend) => {
  let test: TestServer;
  let viewer: VideoClient;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'viewer' }, { id: 'owner' }]);
    await test.admin.createCallType({ name: 'backstage', grants: { admin: ['read-call'] } });
    // 130 unreadable calls sort before the two readable ones: more than two 50-row chunks.
    for (let index = 0; index < 130; index += 1) {
      await test.admin
        .call('backstage', `a${String(index).padStart(3, '0')}`)
        .getOrCreate({ data: { created_by_id: 'owner' } });
    }
    for (const id of ['z1', 'z2']) {
      await test.admin.call('default', id).getOrCreate({ data: { created_by_id: 'owner' } });
    }
    viewer = await test.clientFor('viewer');
  });
  afterAll(async () => {
    await test.close();
  });

  it('finds the readable calls one per page, past several chunks of refused rows', async () => {
    const byId = [{ field: 'id', direction: 1 as const }];
    expect(idsOf(await viewer.video.queryCalls({ sort: byId, limit: 1 }))).toEqual(['z1']);
    expect(idsOf(await viewer.video.queryCalls({ sort: byId, limit: 1, offset: 1 }))).toEqual([
      'z2',
    ]);
    expect(idsOf(await viewer.video.queryCalls({ sort: byId, limit: 1, offset: 2 }))).toEqual([]);
    const descending = [{ field: 'id', direction: -1 as const }];
    expect(idsOf(await viewer.video.queryCalls({ sort: descending, limit: 100 }))).toEqual([
      'z2',
      'z1',
    ]);
  });
});

describe.each(BACKENDS)("a tenant's pages on %s", (backend) => {
  let test: TestServer;
  let red: VideoClient;
  let blue: VideoClient;
  const redCalls = ['r0', 'r1', 'r2', 'r3', 'r4'];
  const blueCalls = Array.from({ length: 60 }, (_, index) => `b${String(index).padStart(2, '0')}`);

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.updateApp({ multi_tenant_enabled: true });
    await test.admin.upsertUsers([
      { id: 'rita', teams: ['red'] },
      { id: 'bert', teams: ['blue'] },
    ]);
    // Blue calls interleave with and outnumber red ones in every order.
    for (const id of blueCalls) {
      await test.admin
        .call('default', id)
        .getOrCreate({ data: { created_by_id: 'bert', team: 'blue' } });
    }
    for (const id of redCalls) {
      await test.admin
        .call('default', id)
        .getOrCreate({ data: { created_by_id: 'rita', team: 'red' } });
    }
    await test.server.db.query("UPDATE calls SET created_at = TIMESTAMPTZ '2026-01-01T00:00:00Z'");
    red = await test.clientFor('rita');
    blue = await test.clientFor('bert');
  });
  afterAll(async () => {
    await test.close();
  });

  it('never holds another team’s call unless it names that team, whatever the offset or sort', async () => {
    const pages = await allPages(red, 2);
    expect(pages.flat().sort()).toEqual(redCalls);
    for (const offset of [5, 6, 30, 64, 65]) {
      expect(idsOf(await red.video.queryCalls({ limit: 100, offset }))).toEqual([]);
    }
    // Naming blue with the builtin any-team query-calls lists blue's readable calls, paged like
    // any other listing (DESIGN §5, Listing); a strict tenant grant refuses it
    // (tenant-isolation-http.test.ts).
    const asking = await red.video.queryCalls({
      filter_conditions: { team: 'blue' },
      limit: 100,
    });
    expect([...idsOf(asking)].sort()).toEqual(blueCalls);
    const byTeam = await red.video.queryCalls({
      sort: [{ field: 'team', direction: 1 }],
      limit: 100,
    });
    expect([...idsOf(byTeam)].sort()).toEqual(redCalls);
    const bluePages = await allPages(blue, 7);
    expect(bluePages.flat().sort()).toEqual(blueCalls);
  });
});
