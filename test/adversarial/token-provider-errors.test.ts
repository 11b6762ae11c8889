// A server client that cannot sign its token (an empty secret) gets the signing error back, not a
// network failure.
import { describe, expect, it } from 'vitest';
import { createServerClient, RolecallNetworkError } from '../../sdk/clients/index.js';

describe('errors of the token provider', () => {
  it('come back as themselves, not as a network failure', async () => {
    // An empty secret cannot sign a token: that is the caller's error, not the network's.
    const broken = createServerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', secret: '' });
    const error = await broken.getApp().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RolecallNetworkError);
    expect(String(error)).toMatch(/key/i);
  });
});
