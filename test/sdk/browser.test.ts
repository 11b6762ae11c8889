// The SDK's browser entry in Debian's chromium: the compiled example bundle loads in a page, and
// decisions, capabilities and query filters evaluated there equal the same inputs evaluated in
// Node (canonical JSON), including malformed inputs and one batch of everything.
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WasmEvaluator } from '../../sdk/index.js';
import { inputArbitraries, namesOf } from '../contract/arbitraries.js';
import { canonicalJson } from '../contract/canonical.js';
import { buildContractBundle, type ContractBundle } from '../contract/fixture.js';
import { launchChromium, openSdkPage, runSdkWorker, type SdkPage } from '../support/browser.js';
import {
  evaluateCases,
  loadBundle,
  serverSideVerdict,
  type EvaluationCases,
  type EvaluationResults,
} from '../support/browser-page.js';

const EXAMPLE = 'examples/video-saas/rolecall.yaml';

/** Hand-written cases on the example's two tenants (acme, globex), with known answers. */
const TENANT_DECISIONS = [
  {
    subject: { id: 'ada', role: 'user', teams: ['acme'], call_role: 'call_member' },
    action: 'SendVideo',
    resource: {
      kind: 'call',
      call_type: 'default',
      id: 'standup',
      team: 'acme',
      created_by_id: 'ada',
    },
  },
  {
    subject: { id: 'ada', role: 'user', teams: ['acme'] },
    action: 'ReadCall',
    resource: {
      kind: 'call',
      call_type: 'default',
      id: 'sync',
      team: 'globex',
      created_by_id: 'gus',
    },
  },
  {
    subject: { id: 'ada', role: 'user', teams: ['acme'], call_role: 'call_member' },
    action: 'Screenshare',
    resource: { kind: 'call', call_type: 'default', id: 'board-meeting', team: 'acme' },
  },
];
const TENANT_FILTERS = [
  {
    subject: { id: 'ada', role: 'user', teams: ['acme'] },
    action: 'QueryUsers',
    query: { filter_conditions: { name: { $autocomplete: 'g' } } },
  },
  {
    subject: { id: 'ada', role: 'user', teams: ['acme'] },
    action: 'QueryCalls',
    query: { filter_conditions: { team: 'globex' } },
  },
  {
    subject: { id: 'sam', role: 'support_agent', teams: ['huddle'] },
    action: 'QueryCalls',
    query: { filter_conditions: { team: {} } },
  },
];

describe('SDK browser entry in chromium', () => {
  let bundle: ContractBundle;
  let browser: Browser | undefined;
  // Two builds of the page: as any bundler makes it, and with opa-wasm's unused yaml/sprintf
  // builtins stubbed out (the size the docs recommend), to show both decide the same.
  const pages = new Map<string, SdkPage>();
  let nodeEvaluator: WasmEvaluator;
  let cases: EvaluationCases;

  beforeAll(async () => {
    bundle = await buildContractBundle(await readFile(EXAMPLE, 'utf8'));
    const arbitraries = inputArbitraries(namesOf(bundle.dataJson));
    cases = {
      decisions: [
        ...TENANT_DECISIONS,
        ...fc.sample(arbitraries.decision, { seed: 20_261_125, numRuns: 300 }),
      ],
      queryFilters: [
        ...TENANT_FILTERS,
        ...fc.sample(arbitraries.queryFilter, { seed: 20_261_126, numRuns: 150 }),
      ],
    };
    nodeEvaluator = await loadBundle(bundle.bundleBytes);
    browser = await launchChromium();
    pages.set('plain', await openSdkPage(browser, bundle.bundleBytes));
    pages.set(
      'stubbed builtins',
      await openSdkPage(browser, bundle.bundleBytes, { stubUnusedBuiltins: true }),
    );
    pages.set(
      'JS engine',
      await openSdkPage(browser, bundle.bundleBytes, { dataJson: bundle.dataJson }),
    );
  });

  afterAll(async () => {
    for (const sdkPage of pages.values()) await sdkPage.close();
    await browser?.close();
    await nodeEvaluator.close();
    await bundle.cleanup();
  });

  function page(name: string): SdkPage {
    const sdkPage = pages.get(name);
    if (sdkPage === undefined) throw new Error(`page ${name} not open`);
    return sdkPage;
  }

  it.each(['plain', 'stubbed builtins', 'JS engine'])(
    'evaluates every case in the %s page exactly as in Node',
    async (name) => {
      const json = JSON.stringify(cases);
      const inBrowser = JSON.parse(
        await page(name).call('evaluateCases', json),
      ) as EvaluationResults;
      const inNode = JSON.parse(await evaluateCases(nodeEvaluator, json)) as EvaluationResults;
      expect(inBrowser.decisions).toHaveLength(cases.decisions.length);
      expect(inBrowser.queryFilters).toHaveLength(cases.queryFilters.length);
      for (const key of ['decisions', 'allows', 'capabilities', 'queryFilters'] as const) {
        inNode[key].forEach((expected, index) => {
          const input = key === 'queryFilters' ? cases.queryFilters[index] : cases.decisions[index];
          expect(
            canonicalJson(inBrowser[key][index]),
            `${key}[${index}] of ${JSON.stringify(input)}`,
          ).toBe(canonicalJson(expected));
        });
      }
      expect(canonicalJson(inBrowser.batch)).toBe(canonicalJson(inNode.batch));

      // The comparison covers allows and denies of several kinds, not one repeated answer.
      const reasons = new Set(
        inNode.decisions.map((decision) => (decision as { reason: string }).reason),
      );
      for (const reason of ['GRANTED', 'NOT_GRANTED', 'TEAM_MISMATCH', 'INVALID_INPUT']) {
        expect(reasons).toContain(reason);
      }
      const filterReasons = new Set(
        inNode.queryFilters.map((result) => (result as { reason: string }).reason),
      );
      expect(filterReasons).toContain('INJECTED');

      // The tenant cases answer what the example's grants say.
      expect(inBrowser.decisions.slice(0, 3)).toMatchObject([
        { allow: true, reason: 'GRANTED' },
        { allow: false, reason: 'TEAM_MISMATCH' },
        { allow: false, reason: 'REVOKED' },
      ]);
      expect(inBrowser.queryFilters.slice(0, 3)).toMatchObject([
        {
          allow: true,
          reason: 'INJECTED',
          filter: { name: { $autocomplete: 'g' }, teams: { $in: ['acme'] } },
        },
        { allow: false, reason: 'CROSS_TEAM_QUERY', filter: null },
        { allow: true, reason: 'ANY_TEAM' },
      ]);
    },
  );

  it('answers synchronously in the JS engine page, as its asynchronous API does', async () => {
    const json = JSON.stringify(cases);
    const asynchronous = JSON.parse(
      await page('JS engine').call('evaluateCases', json),
    ) as EvaluationResults;
    const synchronous = JSON.parse(await page('JS engine').call('evaluateCasesSync', json)) as {
      decisions: unknown[];
      capabilities: unknown[];
      batch: { decisions: unknown[] };
    };
    expect(canonicalJson(synchronous.decisions)).toBe(canonicalJson(asynchronous.decisions));
    expect(canonicalJson(synchronous.capabilities)).toBe(canonicalJson(asynchronous.capabilities));
    expect(canonicalJson(synchronous.batch.decisions)).toBe(canonicalJson(synchronous.decisions));
  });

  it('refuses server-side decisions in the browser and allows them in Node', async () => {
    expect(await page('plain').call('serverSideVerdict')).toBe('refused');
    expect(await page('JS engine').call('serverSideVerdict')).toBe('refused');
    expect(await serverSideVerdict(nodeEvaluator)).toBe('decided');
  });

  // A Web Worker has neither document nor window, yet it is no server: a check for a page's
  // globals would let it decide server side.
  it('refuses server-side decisions in a module Web Worker', async () => {
    if (browser === undefined) throw new Error('chromium not launched');
    const report = await runSdkWorker(browser, bundle.bundleBytes);
    expect(report).toEqual({ hasDocument: false, hasWindow: false, verdict: 'refused' });
  });
});
