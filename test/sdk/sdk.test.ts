// Unit behaviour of the SDK core around the engine: the pre-check, bundle reading, setData
// swaps under interleaved callers, the browser refusal of server-side decisions, typed errors.
import { createTar } from 'nanotar';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle, toDataDocument } from '../../sdk/bundle.js';
import {
  BundleFormatError,
  EvaluatorClosedError,
  EvaluatorFailedError,
  InvalidBatchError,
  ServerSideRefusedError,
} from '../../sdk/errors.js';
import { INPUT_LIMITS, findInputProblem } from '../../sdk/precheck.js';
import { PolicyClient } from '../../sdk/policy-client.js';
import { loadWasmEvaluator } from '../../sdk/load-evaluator.node.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import { canonicalJson } from '../contract/canonical.js';
import { DECISION_CASES, QUERY_FILTER_CASES } from '../contract/cases.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';

/** `{$and: [{$and: [… 'leaf']}]}`: each level nests an object and an array (two depths). */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level += 1) value = { $and: [value] };
  return value;
}

describe('findInputProblem', () => {
  it.each([
    ['null', null],
    ['false', false],
    ['0', 0],
    ['the empty string', ''],
    ['an array', [{}]],
    ['a lone high surrogate', { a: 'x\uD800' }],
    ['a lone low surrogate in a key', { ['\uDC00x']: 1 }],
    ['a lone surrogate deep in an array', { a: [[['ok', '\uD83D']]] }],
    ['NaN', { a: Number.NaN }],
    ['a bigint', { a: 1n }],
    ['a function', { a: [() => 1] }],
    ['a Date', { a: new Date(0) }],
    ['a Map', { a: new Map() }],
    ['depth past the limit', { filter: nested(INPUT_LIMITS.maxDepth / 2) }],
  ])('rejects %s', (_name, input) => {
    expect(findInputProblem(input)).toEqual(expect.any(String));
  });

  it('rejects a cyclic value without overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(findInputProblem(cyclic)).toMatch(/too (deeply|many)/);
  });

  it('rejects too many values', () => {
    expect(findInputProblem({ list: new Array<number>(INPUT_LIMITS.maxValues).fill(1) })).toMatch(
      /too many/,
    );
  });

  it.each([
    ['an empty object', {}],
    ['a surrogate pair (emoji)', { name: 'party \uD83C\uDF89' }],
    ['an undefined property (skipped like JSON does)', { a: undefined, b: null }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['depth at the limit', { filter: nested(INPUT_LIMITS.maxDepth / 2 - 1) }],
    ['a decision input', DECISION_CASES[0]?.input],
  ])('accepts %s', (_name, input) => {
    expect(findInputProblem(input)).toBeUndefined();
  });

  it('walks own keys only, also when Object.prototype has an enumerable property', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    prototype['polluted'] = 'x\uD800';
    try {
      expect(findInputProblem({ a: 1, nested: { b: ['ok'] } })).toBeUndefined();
      expect(findInputProblem({ a: 1, nested: { b: ['x\uDC00'] } })).toMatch(/lone surrogate/);
      expect(findInputProblem({ ['\uDC00']: 1 })).toMatch(/key with a lone surrogate/);
    } finally {
      Reflect.deleteProperty(prototype, 'polluted');
    }
  });
});

describe('bundle reading', () => {
  it('rejects bytes that are not a gzip tar, and a bundle without its files', () => {
    expect(() => readBundle(new Uint8Array([1, 2, 3]))).toThrow(BundleFormatError);
    const onlyData = gzipSync(createTar([{ name: 'data.json', data: '{"rolecall_data":{}}' }]));
    expect(() => readBundle(onlyData)).toThrow(/policy\.wasm/);
  });

  it('accepts data.json text, bytes, the document and a bare resolved policy', () => {
    const document = { rolecall_data: { revision: 'r1' } };
    expect(toDataDocument(JSON.stringify(document))).toEqual(document);
    expect(toDataDocument(new TextEncoder().encode(JSON.stringify(document)))).toEqual(document);
    expect(toDataDocument({ revision: 'r1' })).toEqual(document);
    expect(() => toDataDocument('{not json')).toThrow(BundleFormatError);
    expect(() => toDataDocument({ unrelated: true })).toThrow(BundleFormatError);
  });
});

describe('WasmEvaluator', () => {
  let bundle: ContractBundle;
  let evaluator: WasmEvaluator;
  const memberSendsVideo = DECISION_CASES[0]?.input;

  beforeAll(async () => {
    bundle = await buildContractBundle();
    evaluator = await WasmEvaluator.fromBundle(bundle.bundleBytes);
  });

  afterAll(async () => {
    await evaluator.close();
    await bundle.cleanup();
  });

  it('rejects bytes that are not WebAssembly with a typed error', async () => {
    await expect(
      WasmEvaluator.fromWasm(new Uint8Array([0, 1, 2]), bundle.dataJson),
    ).rejects.toBeInstanceOf(EvaluatorFailedError);
  });

  it('setData swaps the grants without reloading, and interleaved callers never mix', async () => {
    const original = JSON.parse(bundle.dataJson) as {
      rolecall_data: { revision: string; call_types: Record<string, Record<string, string[]>> };
    };
    const stripped = structuredClone(original) as typeof original & {
      rolecall_data: { decision_tables?: unknown };
    };
    stripped.rolecall_data.revision = 'no-member-grants';
    const defaultType = stripped.rolecall_data.call_types['default'];
    if (defaultType !== undefined) defaultType['call_member'] = [];
    // Grants edited by hand: drop the derived tables, so the data reader rebuilds them.
    delete stripped.rolecall_data.decision_tables;

    const swapper = await WasmEvaluator.fromBundle(bundle.bundleBytes);
    const observed: { revision: string; allow: boolean }[] = [];
    // Callers and the data swapper yield at different points (microtasks and timers), so their
    // steps interleave in many orders; mixed decisions and batches go through the instance.
    const pause = (step: number) =>
      step % 3 === 0 ? new Promise((resolve) => setTimeout(resolve, 0)) : Promise.resolve();
    const caller = async (id: number) => {
      for (let step = 0; step < 40; step += 1) {
        await pause(step + id);
        if (step % 5 === 0) {
          const batch = await swapper.evaluateBatch({
            decisions: [memberSendsVideo, null, memberSendsVideo],
            query_filters: [],
          });
          const [first, invalid, last] = batch.decisions;
          // One batch is one snapshot: every item reports the same revision.
          expect(new Set([first?.revision, invalid?.revision, last?.revision]).size).toBe(1);
          if (first !== undefined) observed.push(first);
        } else {
          observed.push(await swapper.evaluate('rolecall/decision', memberSendsVideo));
        }
      }
    };
    const swapData = async () => {
      for (let swap = 0; swap < 60; swap += 1) {
        await pause(swap);
        swapper.setData(swap % 2 === 0 ? stripped : original);
      }
    };
    await Promise.all([caller(0), caller(1), caller(2), swapData()]);
    // Each answer belongs wholly to one data snapshot: the revision and the grant agree.
    for (const answer of observed) {
      expect(answer.allow).toBe(answer.revision === original.rolecall_data.revision);
    }
    expect(observed).toHaveLength(3 * 40);
    expect(new Set(observed.map((answer) => answer.revision)).size).toBe(2);
    swapper.setData(stripped);
    expect(swapper.revision).toBe('no-member-grants');
    expect(await swapper.evaluate('rolecall/decision', null)).toMatchObject({
      revision: 'no-member-grants',
    });
    await swapper.close();
    await expect(swapper.evaluate('rolecall/allow', memberSendsVideo)).rejects.toBeInstanceOf(
      EvaluatorClosedError,
    );
  });

  it('answers a batch spanning several engine evaluations like one input at a time', async () => {
    // 1,230 items with invalid ones mixed in: the engine's part crosses evaluation chunks, and
    // one of them holds both decisions and query filters.
    const decisionInputs = DECISION_CASES.map((testCase) => testCase.input);
    const filterInputs = QUERY_FILTER_CASES.map((testCase) => testCase.input);
    const decisions = Array.from({ length: 730 }, (_, index) =>
      index % 97 === 0 ? null : decisionInputs[index % decisionInputs.length],
    );
    const queryFilters = Array.from({ length: 500 }, (_, index) =>
      index % 89 === 0 ? 0 : filterInputs[index % filterInputs.length],
    );
    const batch = await evaluator.evaluateBatch({ decisions, query_filters: queryFilters });
    const oneByOne = {
      decisions: await Promise.all(
        decisions.map((input) => evaluator.evaluate('rolecall/decision', input)),
      ),
      query_filters: await Promise.all(
        queryFilters.map((input) => evaluator.evaluate('rolecall/query_filter', input)),
      ),
    };
    expect(batch.decisions).toHaveLength(730);
    expect(batch.query_filters).toHaveLength(500);
    expect(canonicalJson(batch)).toBe(canonicalJson(oneByOne));
    expect(new Set(batch.decisions.map((decision) => decision.reason)).size).toBeGreaterThan(2);
  });

  it('loads from disk: bundle.tar.gz, the bundle folder and the compile output folder', async () => {
    const expected = canonicalJson(await evaluator.evaluate('rolecall/decision', memberSendsVideo));
    for (const location of [bundle.bundlePath, bundle.bundleDir, bundle.dir]) {
      const loaded = await loadWasmEvaluator(location);
      expect(canonicalJson(await loaded.evaluate('rolecall/decision', memberSendsVideo))).toBe(
        expected,
      );
      await loaded.close();
    }
  });

  it('refuses a batch that is not {decisions, query_filters}', async () => {
    await expect(
      evaluator.evaluateBatch({ decisions: 'nope' } as unknown as Parameters<
        WasmEvaluator['evaluateBatch']
      >[0]),
    ).rejects.toBeInstanceOf(InvalidBatchError);
  });
});

describe('PolicyClient in a browser', () => {
  it('refuses side: "server" with a typed error, and still answers client side', async () => {
    const bundle = await buildContractBundle();
    const evaluator = await WasmEvaluator.fromBundle(bundle.bundleBytes);
    const client = new PolicyClient(
      evaluator,
      { id: 'alice', role: 'user', teams: ['red'] },
      {
        allowServerSide: false,
      },
    );
    const call = { kind: 'call', call_type: 'default', id: 'c', team: 'red' } as const;
    await expect(client.can('EndCall', call, { side: 'server' })).rejects.toBeInstanceOf(
      ServerSideRefusedError,
    );
    await expect(client.queryFilter('users', {}, { side: 'server' })).rejects.toMatchObject({
      code: 'SERVER_SIDE_REFUSED',
    });
    expect(await client.can('EndCall', call)).toBe(false);
    const serverClient = new PolicyClient(evaluator, { id: 'alice', role: 'user' });
    expect(await serverClient.can('EndCall', call, { side: 'server' })).toBe(true);
    await evaluator.close();
    await bundle.cleanup();
  });
});
