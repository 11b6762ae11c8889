// Type-test fixture, never run: the project's tsc and test/types/typed-client.test.ts compile
// it against the generated rolecall.gen.ts. Each `@ts-expect-error` marks a misspelt name the
// generated types must reject; removing a marker must make compilation fail.
import type { Evaluator } from 'rolecall';
import { createPolicyClient } from './build/rolecall.gen.js';

declare const evaluator: Evaluator;

export const client = createPolicyClient(evaluator, { id: 'alice', role: 'user', teams: ['red'] });
const call = { kind: 'call', call_type: 'town_hall', id: 'c1', team: 'red' } as const;

export const checks = [
  client.can('SendVideo', call, { callRole: 'stage_manager', callGrants: ['!send-video'] }),
  client.decide('EndCall', { kind: 'user', id: 'bob', role: 'special_agent' }),
  client.capabilities({ ...call, config_overrides: { grants: { user: ['end-call-same-team'] } } }),
  // @ts-expect-error 'admn' is not a role of this policy
  createPolicyClient(evaluator, { id: 'mallory', role: 'admn' }),
  // @ts-expect-error 'host' is a call-level role, never a subject's user role
  createPolicyClient(evaluator, { id: 'mallory', role: 'host' }),
  // @ts-expect-error 'SendVidoe' is not an action
  client.can('SendVidoe', call),
  // @ts-expect-error 'town_hal' is not a call type
  client.can('JoinCall', { kind: 'call', call_type: 'town_hal', id: 'c1' }),
  // @ts-expect-error 'stage_managr' is not a call role
  client.can('JoinCall', call, { callRole: 'stage_managr' }),
  // @ts-expect-error 'send-vidoe' is not a permission id
  client.can('SendVideo', call, { callGrants: ['!send-vidoe'] }),
  // @ts-expect-error 'stage_mgr' is not a role that overrides can name
  client.can('SendVideo', { ...call, config_overrides: { grants: { stage_mgr: ['send-video'] } } }),
];
