// Property test: `rolecall/capabilities` evaluates the action-independent part of the decision
// chain once per call, so it must never drift from the decision itself. On generated inputs
// (well-formed and malformed), in WASM and in the JS engine, it must equal the plain permissions
// of the call-level actions whose `rolecall/decision` allows.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedPolicy } from '../../compiler/types.js';
import type { Evaluator } from '../../sdk/evaluator.js';
import { JsEvaluator } from '../../sdk/js-evaluator.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import { inputArbitraries, namesOf } from '../contract/arbitraries.js';
import {
  buildContractBundle,
  CONTRACT_GRANTS_YAML,
  type ContractBundle,
} from '../contract/fixture.js';

const RUNS = Number(process.env['ROLECALL_CAPABILITIES_RUNS'] ?? 300);

/** The call-level actions capabilities answers for, each with its plain permission. */
function callLevelPermissions(policy: ResolvedPolicy): [string, string][] {
  return Object.entries(policy.actions)
    .filter(([, action]) => action.level === 'call')
    .map(([name, action]): [string, string] => [name, action.permission]);
}

function isCallInput(input: unknown): input is Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  const resource = (input as { resource?: unknown }).resource;
  return (
    typeof resource === 'object' &&
    resource !== null &&
    (resource as { kind?: unknown }).kind === 'call'
  );
}

/** What capabilities means: one full decision per call-level action, the allowed ones' ids. */
async function capabilitiesByDecisions(
  evaluator: Evaluator,
  permissions: [string, string][],
  input: unknown,
): Promise<string[]> {
  if (!isCallInput(input)) return [];
  const allowed: string[] = [];
  for (const [action, permission] of permissions) {
    const decision = await evaluator.evaluate('rolecall/decision', { ...input, action });
    if (decision.allow) allowed.push(permission);
  }
  return [...new Set(allowed)].sort();
}

function withoutKey(record: object, omitted: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => key !== omitted));
}

/** Decision inputs as capabilities inputs: some keep their (ignored) action, some have none. */
function capabilitiesInputs(bundle: ContractBundle) {
  return fc
    .tuple(inputArbitraries(namesOf(bundle.dataJson)).decision, fc.boolean())
    .map(([input, dropAction]) => {
      if (!dropAction || !isCallInput(input)) return input;
      return withoutKey(input, 'action');
    });
}

/** A YAML call override the generator's calls meet often, granting what defaults do not. */
const DEFAULT_C1_OVERRIDE = `  "default:c1":
    config_overrides:
      grants:
        call_member: [end-call, update-call, "!send-audio"]
        user: [pin-for-everyone]
`;

const policies = {
  'multi-tenant': CONTRACT_GRANTS_YAML,
  'single-tenant': `${CONTRACT_GRANTS_YAML.replace(
    'multi_tenant_enabled: true',
    'multi_tenant_enabled: false',
  )}${DEFAULT_C1_OVERRIDE}`,
};

describe.each(Object.entries(policies))('capabilities on the %s contract policy', (_, yaml) => {
  let bundle: ContractBundle;
  let policy: ResolvedPolicy;
  let wasm: WasmEvaluator;
  let js: JsEvaluator;

  beforeAll(async () => {
    bundle = await buildContractBundle(yaml);
    policy = (JSON.parse(bundle.dataJson) as { rolecall_data: ResolvedPolicy }).rolecall_data;
    wasm = await WasmEvaluator.fromBundle(bundle.bundleBytes);
    js = JsEvaluator.fromBundle(bundle.bundleBytes);
  });

  afterAll(async () => {
    await wasm.close();
    await js.close();
    await bundle.cleanup();
  });

  for (const [engine, evaluatorOf] of [
    ['WASM', () => wasm],
    ['the JS engine', () => js],
  ] as const) {
    it(`equals the allowed decisions of every call-level action in ${engine}`, async () => {
      const evaluator = evaluatorOf();
      const permissions = callLevelPermissions(policy);
      let nonEmpty = 0;
      await fc.assert(
        fc.asyncProperty(capabilitiesInputs(bundle), async (input) => {
          const capabilities = await evaluator.evaluate('rolecall/capabilities', input);
          expect(capabilities).toEqual(
            await capabilitiesByDecisions(evaluator, permissions, input),
          );
          if (capabilities.length > 0) nonEmpty += 1;
        }),
        { numRuns: RUNS },
      );
      // The inputs must reach grants, not only input errors and denials.
      expect(nonEmpty).toBeGreaterThan(RUNS / 10);
    });
  }
});
