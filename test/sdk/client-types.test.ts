// createClient<T> narrows call types and actions to a policy's unions (as rolecall.gen.ts emits
// them): a misspelt name is a compile error, checked by `tsc` over the tests.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../sdk/clients/index.js';

interface DemoPolicy {
  Role: 'user' | 'admin';
  CallRole: 'call_member' | 'host';
  CallType: 'default' | 'audio_room';
  PermissionId: 'read-call' | 'join-call';
  Action: 'ReadCall' | 'JoinCall';
}

describe('typed video client', () => {
  it('accepts the policy names and rejects misspelt ones at compile time', () => {
    const client = createClient<DemoPolicy>({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'k',
      token: 't',
    });
    const call = client.call('audio_room', 'town-hall');
    expect([call.type, call.id]).toEqual(['audio_room', 'town-hall']);
    // @ts-expect-error "defualt" is not a call type of this policy
    const typo = client.call('defualt', 'x');
    expect(typo.type).toBe('defualt');
    const askLater = (): Promise<boolean> =>
      // @ts-expect-error "RedCall" is not an action of this policy
      call.can('RedCall');
    expect(typeof askLater).toBe('function');
  });
});
