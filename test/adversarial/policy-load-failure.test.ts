// A client whose first policy load is refused: UI hints fail closed and report the refusal,
// queries reject, nothing caches the failure, and a later call loads the policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../sdk/clients/index.js';
import { createUserToken } from '../../sdk/clients/token.js';
import type { EvaluatorError } from '../../sdk/errors.js';
import {
  API_KEY,
  API_SECRET,
  rejection,
  startTestServer,
  type TestServer,
} from '../support/server.js';

describe('a client whose first policy load fails', () => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer('pglite');
  });
  afterAll(async () => {
    await test.close();
  });

  it('loads the policy on a later call once the cause is gone', async () => {
    // The token names a user the back end has not created yet: the bundle is refused.
    const seen: EvaluatorError[] = [];
    const client = createClient({
      baseUrl: test.url,
      apiKey: API_KEY,
      token: await createUserToken('late', API_SECRET),
      onError: (error) => seen.push(error),
    });
    const call = { kind: 'call', call_type: 'default', id: 'c1', created_by_id: 'late' } as const;
    // UI hints fail closed while the policy cannot load, and report the server's refusal.
    expect(await client.can('ReadCall', call)).toBe(false);
    expect(await client.capabilities(call)).toEqual([]);
    expect(seen.map((error) => error.cause)).toMatchObject([
      { status: 401, code: 'UNKNOWN_USER' },
      { status: 401, code: 'UNKNOWN_USER' },
    ]);
    // A query is not a hint: it rejects with the server's error.
    expect(await rejection(() => client.queryUsers())).toMatchObject({
      status: 401,
      code: 'UNKNOWN_USER',
    });
    // Two calls sharing one failing load both fail closed, and neither caches it.
    const together = await Promise.all([client.can('ReadCall', call), client.capabilities(call)]);
    expect(together).toEqual([false, []]);
    await test.admin.upsertUsers([{ id: 'late' }]);
    expect(await client.can('ReadCall', call)).toBe(true);
    expect(await client.capabilities(call)).toContain('read-call');
  });
});
