// Closing the reference server concurrently and repeatedly: every close() resolves, the pool is
// ended once, and the port is closed.
import { describe, expect, it } from 'vitest';
import { BACKENDS, startTestServer } from '../support/server.js';

describe.each(BACKENDS)('closing the server more than once on %s', (backend) => {
  it('concurrent and repeated close() calls all resolve, and the port is closed', async () => {
    const test = await startTestServer(backend);
    await test.admin.upsertUsers([{ id: 'someone' }]);
    const first = test.server.close();
    const second = test.server.close();
    // The same close, not a second run of it (a second pool.end() would reject).
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await test.server.close();
    await expect(fetch(`${test.url}/health`)).rejects.toThrow();
    await test.close();
  });
});
