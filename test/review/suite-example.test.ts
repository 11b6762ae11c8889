// The example's policy suite: it passes, it expects every reason code of DESIGN §4–§5 at least
// once, and `rolecall test --coverage` finds no grant, override or permission it leaves out.
// SINGLE_TENANT cannot occur with the example (multi-tenant on): a single-tenant suite covers it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import { loadTestSuite } from '../../review/test-suite/index.js';
import { runOpa } from '../../scripts/opa.js';
import { startOpaServer } from '../support/opa-server.js';
import { captureCliIo } from '../support/cli-io.js';
import { DECISION_REASONS, QUERY_REASONS } from '../support/reason-codes.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const suiteFile = 'examples/video-saas/rolecall.test.yaml';

// The example's query cases are not asked for INVALID_INPUT (its INVALID_INPUT cases are
// decisions) nor SINGLE_TENANT (it cannot occur with multi-tenant on).
const EXAMPLE_QUERY_REASONS = QUERY_REASONS.filter(
  (reason) => reason !== 'INVALID_INPUT' && reason !== 'SINGLE_TENANT',
);

describe('examples/video-saas/rolecall.test.yaml', () => {
  it('passes with nothing left unexercised (--coverage-fail)', async () => {
    const io = captureCliIo(root);
    const code = await main(['test', suiteFile, '--coverage-fail'], io);
    expect(io.err()).toBe('');
    expect(io.out()).not.toContain('not exercised');
    expect(io.out()).toMatch(/grants: (\d+)\/\1 exercised \(100%\)/);
    expect(io.out()).toMatch(/overrides: (\d+)\/\1 exercised \(100%\)/);
    expect(io.out()).toMatch(/permissions: (\d+)\/\1 exercised \(100%\)/);
    expect(io.out()).toMatch(/^\d+ passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('expects every decision and query-filter reason at least once', async () => {
    const loaded = loadTestSuite(suiteFile, await readFile(path.join(root, suiteFile), 'utf8'));
    if (!loaded.ok) throw new Error('the example suite does not load');
    const cases = loaded.value.cases;
    const decisionReasons = new Set(
      cases.filter((c) => c.decisionInput !== undefined).map((c) => c.expect.reason),
    );
    const queryReasons = new Set(
      cases.filter((c) => c.queryInput !== undefined).map((c) => c.expect.reason),
    );
    expect(DECISION_REASONS.filter((reason) => !decisionReasons.has(reason))).toEqual([]);
    expect(EXAMPLE_QUERY_REASONS.filter((reason) => !queryReasons.has(reason))).toEqual([]);
    expect(cases.some((c) => c.expect.capabilities !== undefined)).toBe(true);
  });
});

describe('the example suite with OPA itself', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-example-opa-'));
    const compiled = await main(
      ['compile', 'examples/video-saas/rolecall.yaml', '-o', path.join(work, 'out')],
      captureCliIo(root),
    );
    expect(compiled).toBe(0);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('emits _test.rego that opa test passes against the compiled bundle', async () => {
    const regoDir = path.join(work, 'rego');
    expect(await main(['test', suiteFile, '--emit-rego', regoDir], captureCliIo(root))).toBe(0);
    const run = await runOpa(['test', path.join(work, 'out', 'bundle'), regoDir]);
    expect(run.stdout + run.stderr).toMatch(/PASS: (\d+)\/\1/);
    expect(run.code).toBe(0);
  });

  it('gives the same results through a running OPA (--engine opa)', async () => {
    const server = await startOpaServer(path.join(work, 'out', 'bundle.tar.gz'));
    try {
      const io = captureCliIo(root);
      const code = await main(['test', suiteFile, '--engine', 'opa', '--url', server.url], io);
      expect(io.err()).toBe('');
      expect(io.out()).toMatch(/^\d+ passed, 0 failed$/m);
      expect(code).toBe(0);
    } finally {
      await server.stop();
    }
  });
});

describe('single tenant', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-single-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('returns filters unchanged (SINGLE_TENANT) and ignores teams in decisions', async () => {
    await writeFile(
      path.join(work, 'rolecall.yaml'),
      'version: 1\napp:\n  multi_tenant_enabled: false\n  grants:\n    user: [search-user-same-team, update-user-owner]\n',
    );
    await writeFile(
      path.join(work, 'rolecall.test.yaml'),
      `grants: ./rolecall.yaml
fixtures:
  subjects:
    dana: { id: dana, role: user, teams: [acme], call_role: call_member }
cases:
  - name: filters pass unchanged
    subject: dana
    query: { kind: users, filter_conditions: { teams: {} } }
    expect: { allow: true, reason: SINGLE_TENANT, injected: false, filter: { teams: {} } }
  - name: no team wall without multi-tenant
    subject: dana
    action: JoinCall
    resource: { kind: call, call_type: default, id: c, team: globex, created_by_id: gus }
    expect: { allow: true, reason: GRANTED }
  - name: same_team holds without multi-tenant
    subject: dana
    action: SearchUser
    resource: { kind: user, id: gus, role: user, teams: [globex] }
    expect: { allow: true, reason: GRANTED }
  - name: users pick their teams when there are no tenants
    subject: dana
    action: UpdateUser
    resource: { kind: user, id: dana, role: user, teams: [acme] }
    changes: [teams]
    expect: { allow: false, reason: FORBIDDEN_FIELD }
`,
    );
    const io = captureCliIo(work);
    expect(await main(['test', 'rolecall.test.yaml'], io)).toBe(0);
    expect(io.out()).toMatch(/^4 passed, 0 failed$/m);
  });
});
