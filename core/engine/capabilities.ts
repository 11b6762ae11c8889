// `rolecall/capabilities` in JavaScript (Stream's own_capabilities): the plain permission ids of
// every call-level action whose full decision allows, with the action-independent rules checked
// once per call and only the actions some layer could grant looked at.
import { compareCodePoints } from '../compare.js';
import type { CompiledPolicy } from './compiled.js';
import {
  callGrants,
  callTable,
  decisionFacts,
  serverOnlyChanges,
  teamDecidedByQuery,
  teamRequired,
} from './decision.js';
import { decisionInputProblems } from './input.js';
import { field, isObject, modifierId } from './json.js';

/** The actions a grant could come from: those in the roles' tables and the input's modifiers. */
function candidateActions(
  policy: CompiledPolicy,
  facts: ReturnType<typeof decisionFacts>,
): Set<string> {
  const actions = new Set<string>();
  const addModifiers = (modifiers: readonly string[]) => {
    for (const modifier of modifiers) {
      const action = policy.permissions.get(modifierId(modifier))?.action;
      if (action !== undefined) actions.add(action);
    }
  };
  for (const role of facts.grantingRoles) {
    for (const action of callTable(facts, role)?.keys() ?? []) actions.add(action);
    if (Object.hasOwn(facts.inputOverrides, role)) {
      addModifiers(facts.inputOverrides[role] as string[]);
    }
  }
  if (facts.grantingRoles.length > 0) addModifiers(facts.memberModifiers);
  return actions;
}

export function capabilities(policy: CompiledPolicy, input: unknown): string[] {
  if (!isObject(input) || field(field(input, 'resource'), 'kind') !== 'call') return [];
  if (decisionInputProblems(input, true) !== undefined) return [];
  const facts = decisionFacts(policy, input);
  const allowed = new Set<string>();
  if (facts.serverSide) {
    for (const [, permission] of policy.callLevelActions) allowed.add(permission);
  } else if (facts.reachable || facts.listing) {
    const anonymous = facts.subjectRole === 'anonymous';
    for (const action of candidateActions(policy, facts)) {
      // Rule 7 depends on the action only for a listed call (ReadCall).
      if (!facts.reachable && !teamDecidedByQuery(facts, action)) continue;
      const definition = policy.actions.get(action);
      if (definition?.level !== 'call') continue;
      if (anonymous && definition.kind === 'write') continue;
      if (serverOnlyChanges(policy, facts, action).length > 0) continue;
      if (teamRequired(policy, facts, action)) continue;
      if (callGrants(policy, facts, action, undefined).length > 0)
        allowed.add(definition.permission);
    }
  }
  return [...allowed].sort(compareCodePoints);
}
