// A call created by another request while queryCalls decides its first chunk: the page is one
// consistent read, with no call twice and none skipped.
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../sdk/types.js';
import { resolveActor } from '../../server/actor.js';
import { Decider } from '../../server/decider.js';
import { RequestPolicy } from '../../server/request-policy.js';
import { queryCalls } from '../../server/services/calls.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/server.js';
import { DEFAULT_SCAN_LIMIT } from '../../server/services/allowed-page.js';

describe.each(BACKENDS)('a call created while one queryCalls request pages on %s', (backend) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'viewer' }, { id: 'owner' }]);
    await test.admin.createCallType({ name: 'backstage', grants: { admin: ['read-call'] } });
    // Newest first: 45 unreadable calls, then 25 readable ones; the first 50-row chunk ends
    // inside the readable run, so a page of 10 needs two chunks.
    const stamp = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z`;
    for (let index = 0; index < 70; index += 1) {
      const id = `k${String(index).padStart(2, '0')}`;
      await test.admin
        .call(index < 45 ? 'backstage' : 'default', id)
        .getOrCreate({ data: { created_by_id: 'owner' } });
      await test.server.db.query('UPDATE calls SET created_at = $1::timestamptz WHERE id = $2', [
        stamp(59 - Math.min(index, 59)),
        id,
      ]);
    }
  });
  afterAll(async () => {
    await test.close();
  });

  it('answers one consistent page: no call twice, none skipped', async () => {
    // A decider that, while the first chunk is being decided, lets another request create
    // the newest call: every later row moves one place down in the default order.
    // On PGlite a consistent read holds the only connection, so the write waits for it: the
    // decider gives the write a moment and goes on (it always finishes before the asserts).
    let write: Promise<unknown> | undefined;
    class InterleavingDecider extends Decider {
      override async decideMany(
        inputs: Parameters<Decider['decideMany']>[0],
        requestId?: string,
      ): Promise<Decision[]> {
        if (write === undefined) {
          write = createNewestCall();
          await Promise.race([write, delay(300)]);
        }
        return super.decideMany(inputs, requestId);
      }
    }
    const createNewestCall = async () => {
      await test.admin
        .call('backstage', 'newest')
        .getOrCreate({ data: { created_by_id: 'owner' } });
      await test.server.db.query(
        "UPDATE calls SET created_at = TIMESTAMPTZ '2026-01-02T00:00:00Z' WHERE id = 'newest'",
      );
    };
    const decider = new InterleavingDecider(test.server.live, pino({ level: 'silent' }));
    const actor = await resolveActor(
      test.server.db,
      { kind: 'user', userId: 'viewer', guest: false },
      'race',
    );
    const context = {
      db: test.server.db,
      live: test.server.live,
      policy: new RequestPolicy(decider, actor),
      actor,
      log: pino({ level: 'silent' }),
      limits: { queryScanLimit: DEFAULT_SCAN_LIMIT },
      issueGuestToken: () => Promise.reject(new Error('no tokens in this test')),
    };
    const answer = await queryCalls(context, { limit: 10 });
    expect(write).toBeDefined();
    await write;
    const newest = await test.admin.video.queryCalls({ limit: 1 });
    expect(newest.calls.map((entry) => entry.call.id)).toEqual(['newest']);
    const ids = answer.calls.map((entry) => entry.call.id);
    // The calls readable when the request began, in order (k45…k54), each once.
    expect(ids).toEqual(Array.from({ length: 10 }, (_, index) => `k${String(45 + index)}`));
  });
});
