// `rolecall/capabilities` in JavaScript (Stream's own_capabilities): the plain permission ids of
// every call-level action whose full decision allows, with the action-independent rules checked
// once per call and only the actions some layer could grant looked at.
import { callGrants, forEachLayeredAction, roleLayers } from './call-grants.js';
import type { CompiledPolicy } from './compiled.js';
import { serverOnlyChanges, teamDecidedByQuery, teamRequired } from './decision.js';
import { readDecisionFacts } from './facts.js';

export function capabilities(policy: CompiledPolicy, input: unknown): string[] {
  const facts = readDecisionFacts(policy, input, true);
  if (facts?.kind !== 'call') return [];
  const permissions = policy.callLevelPermissions;
  if (facts.serverSide) return [...permissions];
  if (!facts.reachable && !facts.listing) return [];
  const anonymous = facts.subjectRole === 'anonymous';
  const layers = roleLayers(policy, facts);
  // Flags by number instead of Sets of names: no hashing, and the answer comes out in order.
  const allowed = new Uint8Array(permissions.length);
  const asked = new Uint8Array(policy.callActions.size);
  let allowedCount = 0;
  const ask = (action: string) => {
    const numbered = policy.callActions.get(action);
    if (numbered === undefined || asked[numbered.index] === 1) return;
    asked[numbered.index] = 1;
    if (allowed[numbered.permissionIndex] === 1) return;
    // Rule 7 depends on the action only for a listed call (ReadCall).
    if (!facts.reachable && !teamDecidedByQuery(facts, action)) return;
    if (anonymous && numbered.kind === 'write') return;
    if (serverOnlyChanges(policy, facts, action).length > 0) return;
    if (teamRequired(policy, facts, action)) return;
    if (callGrants(policy, facts, layers, action, undefined).length > 0) {
      allowed[numbered.permissionIndex] = 1;
      allowedCount += 1;
    }
  };
  forEachLayeredAction(layers, ask);
  if (allowedCount === 0) return [];
  const answer: string[] = [];
  for (let index = 0; index < permissions.length; index += 1) {
    if (allowed[index] === 1) answer.push(permissions[index] as string);
  }
  return answer;
}
