// createClient<T> narrows call types and actions to a policy's unions (as rolecall.gen.ts emits
// them): a misspelt name is a compile error, checked by `tsc` over the tests.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../sdk/clients/index.js';
import { OpaEvaluator } from '../../sdk/opa-evaluator.node.js';

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

describe('options under exactOptionalPropertyTypes', () => {
  // The project's own tsconfig is @tsconfig/strictest, so `tsc` over this file is the check: an
  // optional option typed without `| undefined` rejects a value read from the environment.
  it('take an optional value that may be undefined, as read from process.env', async () => {
    const fromEnvironment = process.env['ROLECALL_TYPES_TEST_UNSET'];
    const timeout = fromEnvironment === undefined ? undefined : Number(fromEnvironment);
    const opa = new OpaEvaluator({ url: 'http://127.0.0.1:9', token: fromEnvironment });
    const client = createClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'k',
      token: 't',
      timeoutMs: timeout,
      signal: undefined,
      policy: undefined,
      policyMaxAgeMs: timeout,
    });
    expect(typeof client.call).toBe('function');
    await opa.close();
  });
});
