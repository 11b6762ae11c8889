// The JS engine checks and reads a decision input in one pass (core/engine/facts.ts) and words the
// problems separately (core/engine/input.ts), only for invalid input. The two must agree on which
// inputs are valid, or a decision would be made on an input the engine calls invalid (or the
// reverse): generated inputs, malformed ones included, and one wrong field at a time.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, type CompiledPolicy } from '../../core/engine/compiled.js';
import { readDecisionFacts } from '../../core/engine/facts.js';
import { decisionInputProblems } from '../../core/engine/input.js';
import { inputArbitraries, namesOf } from '../contract/arbitraries.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';

const RUNS = Number(process.env['ROLECALL_FACTS_RUNS'] ?? 3_000);

let bundle: ContractBundle | undefined;
let policy: CompiledPolicy | undefined;

beforeAll(async () => {
  bundle = await buildContractBundle();
  policy = compilePolicy(
    (JSON.parse(bundle.dataJson) as { rolecall_data: Record<string, unknown> }).rolecall_data,
  );
});

afterAll(async () => {
  await bundle?.cleanup();
});

function loaded(): { bundle: ContractBundle; policy: CompiledPolicy } {
  if (bundle === undefined || policy === undefined) throw new Error('the bundle did not build');
  return { bundle, policy };
}

/** [valid per the problem list, valid per the one-pass reader], for one question. */
function verdicts(input: unknown, anyAction: boolean): [boolean, boolean] {
  return [
    decisionInputProblems(input, anyAction) === undefined,
    readDecisionFacts(loaded().policy, input, anyAction) !== undefined,
  ];
}

const VALID = {
  subject: {
    id: 'alice',
    role: 'user',
    teams: ['red'],
    call_role: 'call_member',
    call_grants: ['!send-audio'],
  },
  action: 'SendAudio',
  resource: {
    kind: 'call',
    call_type: 'default',
    id: 'c1',
    team: 'red',
    created_by_id: 'bob',
    config_overrides: { grants: { call_member: ['send-video'] } },
  },
  changes: ['name'],
  context: { side: 'client', listing: false },
};

/** The valid input with one field (a path of keys) set to `value`, or removed when undefined. */
function withField(path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(VALID) as Record<string, unknown>;
  let container = copy;
  for (const key of path.slice(0, -1)) container = container[key] as Record<string, unknown>;
  const last = path.at(-1) ?? '';
  if (value === undefined) Reflect.deleteProperty(container, last);
  else container[last] = value;
  return copy;
}

const FIELDS = [
  ['subject'],
  ['subject', 'id'],
  ['subject', 'role'],
  ['subject', 'teams'],
  ['subject', 'call_role'],
  ['subject', 'call_grants'],
  ['action'],
  ['resource'],
  ['resource', 'kind'],
  ['resource', 'call_type'],
  ['resource', 'id'],
  ['resource', 'team'],
  ['resource', 'created_by_id'],
  ['resource', 'config_overrides'],
  ['resource', 'config_overrides', 'grants'],
  ['changes'],
  ['context'],
  ['context', 'side'],
  ['context', 'listing'],
];
const ODD_VALUES = [undefined, null, '', 'x', 0, true, [], ['a', 1], {}, { x: ['a', '!a'] }];

describe('the one-pass reader and the problem list agree', () => {
  it('on the valid input, for a decision and for capabilities', () => {
    expect(verdicts(VALID, false)).toEqual([true, true]);
    expect(verdicts(VALID, true)).toEqual([true, true]);
  });

  it.each(FIELDS.map((path) => [path.join('.'), path] as const))(
    'with %s set to each odd value, on every resource kind',
    (_name, path) => {
      let invalid = 0;
      for (const kind of ['call', 'user', 'app']) {
        for (const value of ODD_VALUES) {
          const input = withField(path, value);
          const resource = input['resource'];
          const replacesKind = path.join('.') === 'resource' || path.join('.') === 'resource.kind';
          if (!replacesKind && typeof resource === 'object' && resource !== null) {
            (resource as Record<string, unknown>)['kind'] = kind;
          }
          for (const anyAction of [false, true]) {
            const [byProblems, byReader] = verdicts(input, anyAction);
            expect(byReader, JSON.stringify({ input, anyAction })).toBe(byProblems);
            if (!byProblems) invalid += 1;
          }
        }
      }
      // Each field has values the checks refuse (so the comparison saw both answers).
      expect(invalid).toBeGreaterThan(0);
    },
  );

  it(`on ${RUNS} generated decision inputs, malformed ones included`, () => {
    const arbitraries = inputArbitraries(namesOf(loaded().bundle.dataJson));
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(arbitraries.decision, fc.boolean(), (input, anyAction) => {
        const [byProblems, byReader] = verdicts(input, anyAction);
        seen[byProblems ? 'valid' : 'invalid'] += 1;
        return byProblems === byReader;
      }),
      { numRuns: RUNS },
    );
    expect(seen.valid).toBeGreaterThan(RUNS / 2);
    expect(seen.invalid).toBeGreaterThan(RUNS / 50);
  });
});
