// Property test: a call's effective grants (`config.grants`, which the reference server returns
// with every call) are exactly what the engine decides. For generated record overrides on calls
// of every call type (the YAML call override included), every role and every call-level
// permission: the permission is in config.grants[role] iff the JS engine's decision matches it
// for that role. The subject is the call's creator in its team, so owner and same_team hold.
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { compileGrants } from '../../compiler/compile/index.js';
import { effectiveCallGrants } from '../../core/layering.js';
import type { ResolvedPolicy } from '../../core/policy.js';
import { JsEvaluator } from '../../sdk/js-evaluator.js';
import { CONTRACT_GRANTS_FILE, CONTRACT_GRANTS_YAML } from '../contract/fixture.js';

const RUNS = Number(process.env['ROLECALL_EFFECTIVE_GRANTS_RUNS'] ?? 200);

let policy: ResolvedPolicy;
let evaluator: JsEvaluator;

beforeAll(async () => {
  const compiled = await compileGrants({ file: CONTRACT_GRANTS_FILE, text: CONTRACT_GRANTS_YAML });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  policy = compiled.value.policy;
  const data = compiled.value.files.find((file) => file.path === 'bundle/data.json');
  evaluator = JsEvaluator.fromData(data?.contents ?? '');
});

/** [action, permission] of every call-level permission; CreateCall ignores record overrides. */
function callLevelPermissions(): [string, string][] {
  return Object.entries(policy.permissions)
    .filter(([, { action }]) => policy.actions[action]?.level === 'call' && action !== 'CreateCall')
    .map(([id, { action }]): [string, string] => [action, id]);
}

/** The subject that holds `role` at its level; a call-level role rides on a plain user. */
function subjectFor(role: string) {
  const level = policy.roles[role]?.level;
  const base = { id: 'owner', teams: ['red'] };
  return level === 'call' ? { ...base, role: 'user', call_role: role } : { ...base, role };
}

it(`config.grants equals the engine's decisions on ${RUNS} generated calls`, () => {
  const roles = Object.keys(policy.roles).filter((role) => role !== 'anonymous');
  const permissions = callLevelPermissions();
  const modifier = fc
    .constantFrom(...permissions.map(([, id]) => id))
    .chain((id) => fc.constantFrom(id, `!${id}`));
  const overrides = fc.dictionary(
    fc.constantFrom(...roles),
    fc.uniqueArray(modifier, { maxLength: 4, selector: (item) => item.replace(/^!/, '') }),
    { maxKeys: 3 },
  );
  const call = fc.record({
    callType: fc.constantFrom(...Object.keys(policy.call_types)),
    id: fc.constantFrom('example', 'weekly'),
    overrides,
  });
  let granted = 0;
  fc.assert(
    fc.property(call, ({ callType, id, overrides: recordOverrides }) => {
      const grants = effectiveCallGrants(policy, callType, id, recordOverrides);
      for (const role of roles) {
        for (const [action, permission] of permissions) {
          const decision = evaluator.evaluateSync('rolecall/decision', {
            subject: subjectFor(role),
            action,
            resource: {
              kind: 'call',
              call_type: callType,
              id,
              team: 'red',
              created_by_id: 'owner',
              config_overrides: { grants: recordOverrides },
            },
          });
          const matched = decision.grants.some(
            (grant) => decision.allow && grant.role === role && grant.permission === permission,
          );
          const listed = grants[role]?.includes(permission) ?? false;
          if (listed) granted += 1;
          expect({ callType, id, role, permission, matched }).toEqual({
            callType,
            id,
            role,
            permission,
            matched: listed,
          });
        }
      }
    }),
    { numRuns: RUNS, seed: 20_261_203 },
  );
  // The property must have met real grants, not only empty lists.
  expect(granted).toBeGreaterThan(RUNS);
});
