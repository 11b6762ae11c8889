// Runs every scenario of test/scenarios/ through the real OPA (one `opa eval` of rolecall/batch
// per file, on a bundle directory), through policy.wasm (opa-wasm) and through the JS engine,
// checks each expected answer, and checks that the engines give byte-identical canonical JSON.
import { buildDataDocument } from '../../core/data-document.js';
import { JsEvaluator } from '../../sdk/js-evaluator.js';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadGrants } from '../../compiler/load/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import { validateGrants } from '../../compiler/validate/index.js';
import type { ResolvedPolicy } from '../../compiler/types.js';
import { canonicalJson } from '../contract/canonical.js';
import { writeBundleDir, type BundleDir } from '../support/bundle-dir.js';
import { DECISION_REASONS, QUERY_REASONS } from '../support/reason-codes.js';
import { loadEngineWasm } from '../support/wasm.js';
import { evaluateEngineWasm } from '../support/wasm-evaluate.js';
import { loadScenarios, type Scenario } from '../scenarios/scenario.js';
import { evaluateBatchWithOpa } from '../support/opa-eval.js';

interface BatchResult {
  decisions: Record<string, unknown>[];
  query_filters: Record<string, unknown>[];
}

/** The fields the case names must match; the rest of the answer is checked by OPA = WASM. */
function expectFields(actual: unknown, expected: Record<string, unknown>): void {
  expect(actual).toMatchObject(expected);
  const record = actual as Record<string, unknown>;
  for (const [key, value] of Object.entries(expected)) {
    expect(canonicalJson(record[key]), key).toBe(canonicalJson(value));
  }
}

/** One decision per call-level action for a case on a call, to cross-check capabilities. */
interface CapabilityProbe {
  input: unknown;
  decisions: unknown[];
  permissions: string[];
}

function capabilityProbes(scenario: Scenario, policy: ResolvedPolicy): CapabilityProbe[] {
  const callActions = Object.entries(policy.actions).filter(
    ([, action]) => action.level === 'call',
  );
  return scenario.decisions
    .map((testCase) => testCase.input)
    .filter(
      (input): input is Record<string, unknown> & { resource: { kind: 'call' } } =>
        typeof input === 'object' &&
        input !== null &&
        (input as { resource?: { kind?: unknown } }).resource?.kind === 'call',
    )
    .map((input) => ({
      input,
      decisions: callActions.map(([action]) => ({ ...input, action })),
      permissions: callActions.map(([, action]) => action.permission),
    }));
}

const scenarios = loadScenarios();

describe('scenario coverage', () => {
  it('expects every reason code of decisions and query filters somewhere', () => {
    const decisionReasons = new Set(
      scenarios.flatMap((scenario) => scenario.decisions.map((item) => item.expect.reason)),
    );
    const queryReasons = new Set(
      scenarios.flatMap((scenario) => scenario.query_filters.map((item) => item.expect.reason)),
    );
    expect([...decisionReasons].sort()).toEqual([...DECISION_REASONS].sort());
    expect([...queryReasons].sort()).toEqual([...QUERY_REASONS].sort());
  });
});

describe.each(scenarios.map((scenario) => [scenario.file, scenario] as const))(
  'scenario %s',
  (_file, scenario: Scenario) => {
    let policy: ResolvedPolicy;
    let bundle: BundleDir | undefined;
    let opaResult: BatchResult;
    let wasm: LoadedPolicy;
    let js: JsEvaluator;
    let probes: CapabilityProbe[];
    let batchInput: { decisions: unknown[]; query_filters: unknown[] };

    beforeAll(async () => {
      policy = resolveGrants(scenario.grants);
      probes = capabilityProbes(scenario, policy);
      batchInput = {
        decisions: [
          ...scenario.decisions.map((testCase) => testCase.input),
          ...probes.flatMap((probe) => probe.decisions),
        ],
        query_filters: scenario.query_filters.map((testCase) => testCase.input),
      };
      bundle = await writeBundleDir(policy);
      opaResult = (await evaluateBatchWithOpa(bundle.dir, batchInput)) as BatchResult;
      wasm = await loadEngineWasm(buildDataDocument(policy));
      js = JsEvaluator.fromData(buildDataDocument(policy));
    });

    afterAll(async () => {
      await bundle?.remove();
    });

    it('has a grants spec the compiler accepts', () => {
      const loaded = loadGrants(`${scenario.file}#grants`, stringify(scenario.grants));
      expect(loaded.diagnostics).toEqual([]);
      if (!loaded.ok) return;
      const validated = validateGrants(loaded.value);
      expect(validated.diagnostics.filter((item) => item.severity === 'error')).toEqual([]);
    });

    it('answers every case once, in order', () => {
      const probeCount = probes.reduce((sum, probe) => sum + probe.decisions.length, 0);
      expect(opaResult.decisions).toHaveLength(scenario.decisions.length + probeCount);
      expect(opaResult.query_filters).toHaveLength(scenario.query_filters.length);
    });

    it('gives the same batch answer in OPA, WASM and the JS engine', () => {
      const wasmBatch = evaluateEngineWasm(wasm, 'rolecall/batch', batchInput);
      expect(canonicalJson(wasmBatch)).toBe(canonicalJson(opaResult));
      expect(canonicalJson(js.evaluateBatchSync(batchInput))).toBe(canonicalJson(opaResult));
    });

    it('WASM and JS capabilities are the call actions OPA allows, as plain permission ids', () => {
      let offset = scenario.decisions.length;
      for (const probe of probes) {
        const allowed = probe.permissions.filter(
          (_permission, index) => opaResult.decisions[offset + index]?.['allow'] === true,
        );
        offset += probe.decisions.length;
        const expected = [...new Set(allowed)].sort();
        expect(evaluateEngineWasm(wasm, 'rolecall/capabilities', probe.input)).toEqual(expected);
        expect(js.evaluateSync('rolecall/capabilities', probe.input)).toEqual(expected);
      }
    });

    it.each(scenario.decisions.map((testCase, index) => [testCase.name, index] as const))(
      'decision: %s',
      (_name, index) => {
        const testCase = scenario.decisions[index];
        if (testCase === undefined) throw new Error('missing case');
        const fromOpa = opaResult.decisions[index];
        expectFields(fromOpa, testCase.expect);
        expect(fromOpa?.['revision']).toBe(policy.revision);
        const fromWasm = evaluateEngineWasm(wasm, 'rolecall/decision', testCase.input);
        expect(canonicalJson(fromWasm)).toBe(canonicalJson(fromOpa));
        const fromJs = js.evaluateSync('rolecall/decision', testCase.input);
        expect(canonicalJson(fromJs)).toBe(canonicalJson(fromOpa));
        expect(evaluateEngineWasm(wasm, 'rolecall/allow', testCase.input)).toBe(
          testCase.expect.allow,
        );
      },
    );

    it.each(scenario.query_filters.map((testCase, index) => [testCase.name, index] as const))(
      'query_filter: %s',
      (_name, index) => {
        const testCase = scenario.query_filters[index];
        if (testCase === undefined) throw new Error('missing case');
        const fromOpa = opaResult.query_filters[index];
        expectFields(fromOpa, testCase.expect);
        if (testCase.expect.allow) expect(fromOpa?.['filter']).not.toBeNull();
        else expect(fromOpa?.['filter']).toBeNull();
        const fromWasm = evaluateEngineWasm(wasm, 'rolecall/query_filter', testCase.input);
        expect(canonicalJson(fromWasm)).toBe(canonicalJson(fromOpa));
        const fromJs = js.evaluateSync('rolecall/query_filter', testCase.input);
        expect(canonicalJson(fromJs)).toBe(canonicalJson(fromOpa));
      },
    );
  },
);
