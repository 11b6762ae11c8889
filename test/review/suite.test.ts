// `rolecall test`: passing and failing suites, malformed suites with line numbers, coverage,
// `--emit-rego` checked with the real `opa test`, and `--engine opa` against a real OPA server.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import { openEvaluator, resolveGrantsText } from '../../cli/grants-policy.js';
import {
  failuresAsDiagnostics,
  loadTestSuite,
  runTestSuite,
} from '../../review/test-suite/index.js';
import { runOpa } from '../../scripts/opa.js';
import { writeBundleDir, type BundleDir } from '../support/bundle-dir.js';
import { startOpaServer, type OpaServer } from '../support/opa-server.js';
import { captureCliIo } from '../support/cli-io.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const templateGrants = path.join(root, 'templates', 'init', 'rolecall.yaml');
const templateSuite = path.join(root, 'templates', 'init', 'rolecall.test.yaml');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-suite-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes a suite whose grants are the init template's, returns its path. */
async function writeSuite(name: string, body: string): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, `grants: ${JSON.stringify(templateGrants)}\n${body}`);
  return file;
}

const FIXTURES = `fixtures:
  subjects:
    member: { id: alice, role: user, teams: [red], call_role: call_member }
  resources:
    red_call: { kind: call, call_type: default, id: red-1, team: red, created_by_id: bob }
`;

describe('rolecall test', () => {
  it('passes the init template suite and prints the summary', async () => {
    const io = captureCliIo(root);
    expect(await main(['test', templateSuite], io)).toBe(0);
    expect(io.out()).toMatch(/^13 passed, 0 failed$/m);
    expect(io.out()).not.toContain('FAIL');
  });

  it('fails with the case line, expected vs actual and the engine reason', async () => {
    const file = await writeSuite(
      'failing.test.yaml',
      `${FIXTURES}cases:
  - name: member sends video
    subject: member
    action: SendVideo
    resource: red_call
    expect: { allow: true, reason: GRANTED }
  - name: wrong expectation
    subject: member
    action: SendVideo
    resource: red_call
    expect: { allow: false, reason: REVOKED }
`,
    );
    const io = captureCliIo(work);
    expect(await main(['test', 'failing.test.yaml'], io)).toBe(1);
    const out = io.out();
    // Line 13 of the file holds `- name: wrong expectation` (grants line + 5 fixture lines first).
    expect(out).toContain('FAIL failing.test.yaml:13:11 wrong expectation');
    expect(out).toContain('expected allow false, got true');
    expect(out).toContain('expected reason "REVOKED", got "GRANTED"');
    expect(out).toContain('engine: allow GRANTED: SendVideo granted by send-video');
    expect(out).toMatch(/^1 passed, 1 failed$/m);
    expect((await readFile(file, 'utf8')).split('\n')[12]).toBe('  - name: wrong expectation');
    const github = captureCliIo(work);
    expect(await main(['test', 'failing.test.yaml', '--format', 'github'], github)).toBe(1);
    expect(github.out()).toMatch(
      /^::error file=failing\.test\.yaml,line=13,col=11,.*title=TEST_FAILED::case "wrong expectation": expected allow false, got true; expected reason "REVOKED", got "GRANTED"%0Ahelp: engine: allow GRANTED/m,
    );
  });

  it('checks capabilities and query filters', async () => {
    await writeSuite(
      'shapes.test.yaml',
      `${FIXTURES}cases:
  - name: guest capabilities
    subject: { id: g, role: guest, teams: [red] }
    resource: red_call
    expect: { capabilities: [create-reaction, join-call, read-call] }
  - name: wrong capabilities
    subject: { id: g, role: guest, teams: [red] }
    resource: red_call
    expect: { capabilities: [join-call] }
  - name: calls query gets the team injected
    subject: member
    query: { kind: calls }
    expect: { allow: true, reason: INJECTED, injected: true, filter: { team: { $in: [red] } } }
  - name: wrong filter
    subject: member
    query: { kind: calls, filter_conditions: { team: red } }
    expect: { filter: { team: blue } }
`,
    );
    const io = captureCliIo(work);
    expect(await main(['test', 'shapes.test.yaml'], io)).toBe(1);
    expect(io.out()).toContain(
      'expected capabilities ["join-call"], got ["create-reaction","join-call","read-call"]',
    );
    expect(io.out()).toContain('expected filter {"team":"blue"}, got {"team":"red"}');
    expect(io.out()).toMatch(/^2 passed, 2 failed$/m);
  });

  it('times every case and the whole run, the cases within the run', async () => {
    const text = `${FIXTURES}cases:
  - name: member sends video
    subject: member
    action: SendVideo
    resource: red_call
    expect: { allow: true }
  - name: guest capabilities
    subject: { id: g, role: guest, teams: [red] }
    resource: red_call
    expect: { capabilities: [create-reaction, join-call, read-call] }
  - name: calls query
    subject: member
    query: { kind: calls }
    expect: { injected: true }
`;
    const suite = loadTestSuite('timed.test.yaml', text);
    const resolved = resolveGrantsText('rolecall.yaml', await readFile(templateGrants, 'utf8'));
    if (!suite.ok || !resolved.ok) throw new Error('the suite or the template does not load');
    const evaluator = await openEvaluator({ engine: 'wasm' }, resolved.value);
    try {
      const result = await runTestSuite(suite.value, evaluator);
      expect(result.passed).toBe(3);
      const caseTimes = result.results.map((caseResult) => caseResult.durationMs);
      expect(caseTimes).toHaveLength(3);
      for (const time of caseTimes) expect(time).toBeGreaterThanOrEqual(0);
      const sum = caseTimes.reduce((total, time) => total + time, 0);
      // Equal shares of the batch may add up a rounding error above the batch itself.
      expect(sum).toBeLessThanOrEqual(result.durationMs + 1e-9);
    } finally {
      await evaluator.close();
    }
  });

  it('turns a failing case into a TEST_FAILED diagnostic at the case name', async () => {
    const text = `cases:
  - name: admin cannot join
    subject: { id: a, role: admin, teams: [] }
    action: JoinCall
    resource: { kind: call, call_type: default, id: c }
    expect: { allow: false }
`;
    const suite = loadTestSuite('failing.test.yaml', text);
    const resolved = resolveGrantsText('rolecall.yaml', await readFile(templateGrants, 'utf8'));
    if (!suite.ok || !resolved.ok) throw new Error('the suite or the template does not load');
    const evaluator = await openEvaluator({ engine: 'js' }, resolved.value);
    try {
      const [failure] = failuresAsDiagnostics(await runTestSuite(suite.value, evaluator));
      expect(failure).toMatchObject({
        line: 2,
        column: 11,
        code: 'TEST_FAILED',
        severity: 'error',
      });
      expect(failure?.help).toMatch(/^engine: allow /);
    } finally {
      await evaluator.close();
    }
  });

  it('reports coverage and fails on it only with --coverage-fail', async () => {
    await writeSuite(
      'partial.test.yaml',
      `${FIXTURES.replace('member:', 'agent: { id: sam, role: support_agent, teams: [red] }\n    member:')}cases:
  - name: support agent talks
    subject: agent
    action: SendAudio
    resource: red_call
    expect: { allow: true }
`,
    );
    const io = captureCliIo(work);
    expect(await main(['test', 'partial.test.yaml', '--coverage'], io)).toBe(0);
    expect(io.out()).toContain('grants: 1/6 exercised');
    expect(io.out()).toMatch(
      /not exercised: call_type:default support_agent join-call \(.*rolecall\.yaml:\d+:\d+\)/,
    );
    expect(io.out()).toContain('not exercised: .app user search-user-same-team');
    const strict = captureCliIo(work);
    expect(await main(['test', 'partial.test.yaml', '--coverage-fail'], strict)).toBe(1);
    const full = captureCliIo(root);
    expect(await main(['test', templateSuite, '--coverage-fail'], full)).toBe(0);
    expect(full.out()).toContain('grants: 6/6 exercised (100%)');
    expect(full.out()).toContain('permissions: 6/6 exercised (100%)');
  });

  it('exits 2 on usage errors and on suites that do not load', async () => {
    expect(await main(['test'], captureCliIo(root))).toBe(2);
    expect(await main(['test', templateSuite, '--engine', 'opa'], captureCliIo(root))).toBe(2);
    await writeFile(path.join(work, 'broken.test.yaml'), 'cases:\n  - name: x\n    expct: {}\n');
    const io = captureCliIo(work);
    expect(await main(['test', 'broken.test.yaml'], io)).toBe(2);
    expect(io.err()).toContain('broken.test.yaml:3:5');
    expect(io.err()).toContain('UNKNOWN_KEY');
  });
});

describe('suite loader diagnostics', () => {
  const load = (text: string) => {
    const result = loadTestSuite('s.yaml', text);
    if (result.ok) throw new Error('expected the suite to be rejected');
    return result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
  };

  it('names unknown keys with their line and a suggestion', () => {
    const result = loadTestSuite(
      's.yaml',
      'cases:\n  - name: a\n    subjet: x\n    action: JoinCall\n    expect: { allow: true, reson: GRANTED }\n',
    );
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.line, d.column, d.code, d.help])).toEqual([
      [3, 5, 'UNKNOWN_KEY', 'did you mean "subject"?'],
      [5, 28, 'UNKNOWN_KEY', 'did you mean "reason"?'],
    ]);
  });

  it('rejects bad values, missing keys, unknown fixtures and duplicate names', () => {
    expect(
      load(
        [
          'fixtures:',
          '  subjects:',
          '    alice: { id: alice, role: user }',
          'cases:',
          '  - name: a',
          '    subject: alicee',
          '    action: JoinCall',
          '    resource: { kind: room }',
          '    expect: { reason: FINE }',
          '  - name: b',
          '    subject: alice',
          '    action: JoinCall',
          '    resource: { kind: app }',
          '  - name: b',
          '    subject: alice',
          '    action: JoinCall',
          '    resource: { kind: app }',
          '    expect: { allow: true }',
        ].join('\n'),
      ),
    ).toEqual([
      '8:23 SCHEMA "cases[0].resource.kind" must be one of "app", "call", "user"',
      expect.stringMatching(
        /^9:23 SCHEMA "cases\[0\]\.expect\.reason" must be one of "INVALID_INPUT"/,
      ),
      '10:5 SCHEMA "cases[1]" is missing the required key "expect"',
    ]);
    expect(
      load(
        [
          'fixtures:',
          '  subjects:',
          '    alice: { id: alice, role: user }',
          'cases:',
          '  - name: a',
          '    subject: alicee',
          '    action: JoinCall',
          '    resource: { kind: app }',
          '    expect: { allow: true }',
          '  - name: a',
          '    subject: alice',
          '    resource: { kind: app }',
          '    expect: { allow: true }',
          '  - name: c',
          '    subject: toString',
          '    action: JoinCall',
          '    resource: { kind: app }',
          '    expect: { allow: true }',
          '  - name: d',
          '    subject: alice',
          '    resource: { kind: app }',
          '    expect: { allow: true }',
        ].join('\n'),
      ),
    ).toEqual([
      '6:14 UNKNOWN_FIXTURE unknown subject fixture "alicee"',
      '10:11 DUPLICATE_CASE case name "a" is used twice',
      '10:5 INVALID_CASE case "a": needs an "action" to check allow, reason or message',
      '15:14 UNKNOWN_FIXTURE unknown subject fixture "toString"',
      '19:5 INVALID_CASE case "d": needs an "action" to check allow, reason or message',
    ]);
  });

  it('places each suite code at the key it is about', () => {
    const result = loadTestSuite(
      's.yaml',
      [
        'fixtures:',
        '  subjects:',
        '    alice: { id: alice, role: user }',
        'cases:',
        '  - name: a',
        '    subject: alicee',
        '    action: JoinCall',
        '    resource: { kind: app }',
        '    expect: { allow: true }',
        '  - name: a',
        '    subject: alice',
        '    query: { kind: users }',
        '    action: SearchUser',
        '    expect: { allow: true }',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ line: 6, column: 14, code: 'UNKNOWN_FIXTURE', severity: 'error' }),
      expect.objectContaining({ line: 10, column: 11, code: 'DUPLICATE_CASE', severity: 'error' }),
      expect.objectContaining({ line: 10, column: 5, code: 'INVALID_CASE', severity: 'error' }),
    ]);
  });

  it('reports YAML syntax errors and duplicate keys at their line', () => {
    expect(load('cases:\n  - name: a\n    expect: { allow: true }}\n')[0]).toMatch(
      /^3:28 YAML_SYNTAX Unexpected flow-map-end token/,
    );
    expect(load('cases: []\ncases: []\n')[0]).toMatch(/^2:1 DUPLICATE_KEY/);
    expect(load('')).toEqual([expect.stringContaining('EMPTY_FILE the test suite is empty')]);
    // The loader names the document itself (no grants-file advice in a suite's messages).
    const twoDocuments = loadTestSuite('s.yaml', 'cases: []\n---\ncases: []\n');
    expect(twoDocuments.ok).toBe(false);
    const [second] = twoDocuments.diagnostics;
    expect(second?.message).toBe(
      'a test suite holds exactly one YAML document, this is a second one',
    );
    expect(second?.help).not.toContain('grants file');
  });

  it('rejects combinations that cannot be evaluated', () => {
    expect(
      load(
        'cases:\n  - name: q\n    subject: { id: a, role: user }\n    query: { kind: users }\n    action: SearchUser\n    expect: { allow: true }\n',
      ),
    ).toEqual([
      '2:5 INVALID_CASE case "q": a query case takes its action from query.kind and has no "action" or "resource"',
    ]);
  });
});

describe('--emit-rego with the real opa test', () => {
  let bundle: BundleDir;
  beforeAll(async () => {
    const grantsText = await readFile(templateGrants, 'utf8');
    const resolved = resolveGrantsText('rolecall.yaml', grantsText);
    if (!resolved.ok) throw new Error('template grants do not resolve');
    bundle = await writeBundleDir(resolved.value);
  });
  afterAll(async () => {
    await bundle.remove();
  });

  it('writes _test.rego files that opa test passes for a passing suite', async () => {
    const outDir = path.join(work, 'rego-pass');
    const io = captureCliIo(root);
    expect(await main(['test', templateSuite, '--emit-rego', outDir], io)).toBe(0);
    expect(await readdir(outDir)).toEqual(['rolecall_test_test.rego']);
    const run = await runOpa(['test', bundle.dir, outDir, '--format', 'json']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const reports = JSON.parse(run.stdout) as { name: string; fail?: boolean }[];
    const mine = reports.filter((report) => report.name.startsWith('test_'));
    expect(mine).toHaveLength(13);
    expect(mine.every((report) => report.fail !== true)).toBe(true);
    const check = await runOpa(['check', '--strict', bundle.dir, outDir]);
    expect(check.code, check.stderr).toBe(0);
  });

  it('makes opa test fail on the case that fails', async () => {
    const suite = await writeSuite(
      'opa-fail.test.yaml',
      `${FIXTURES}cases:
  - name: member sends video
    subject: member
    action: SendVideo
    resource: red_call
    expect: { allow: true, reason: GRANTED }
  - name: wrong on purpose
    subject: member
    action: SendVideo
    resource: red_call
    expect: { reason: REVOKED }
  - name: wrong filter on purpose
    subject: member
    query: { kind: users }
    expect: { filter: { teams: { $in: [blue] } } }
`,
    );
    const outDir = path.join(work, 'rego-fail');
    expect(await main(['test', suite, '--emit-rego', outDir], captureCliIo(root))).toBe(1);
    const run = await runOpa(['test', bundle.dir, outDir, '--format', 'json']);
    expect(run.code).not.toBe(0);
    const reports = JSON.parse(run.stdout) as { name: string; fail?: boolean }[];
    const failed = reports.filter((report) => report.fail === true).map((report) => report.name);
    expect(failed.sort()).toEqual([
      'test_002_wrong_on_purpose',
      'test_003_wrong_filter_on_purpose',
    ]);
  });
});

describe('raw inputs in WASM and in emitted Rego', () => {
  let bundle: BundleDir;
  beforeAll(async () => {
    const resolved = resolveGrantsText('rolecall.yaml', await readFile(templateGrants, 'utf8'));
    if (!resolved.ok) throw new Error('template grants do not resolve');
    bundle = await writeBundleDir(resolved.value);
  });
  afterAll(async () => {
    await bundle.remove();
  });

  it('refuses non-objects everywhere; a lone surrogate is left out of the Rego', async () => {
    const suite = await writeSuite(
      'raw.test.yaml',
      `cases:
  - name: null input
    input: null
    expect: { allow: false, reason: INVALID_INPUT }
  - name: string input
    input: hello
    expect: { allow: false, reason: INVALID_INPUT }
  - name: lone surrogate
    input: { subject: { id: "\\uD800", role: user }, action: JoinCall, resource: { kind: app } }
    expect: { allow: false, reason: INVALID_INPUT }
`,
    );
    const outDir = path.join(work, 'rego-raw');
    const io = captureCliIo(root);
    expect(await main(['test', suite, '--emit-rego', outDir], io)).toBe(0);
    expect(io.out()).toMatch(/^3 passed, 0 failed$/m);
    const run = await runOpa(['test', bundle.dir, outDir, '--format', 'json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const reports = JSON.parse(run.stdout) as { name: string; fail?: boolean }[];
    const mine = reports.filter((report) => report.name.includes('test_00'));
    expect(mine.map((report) => [report.name, report.fail === true]).sort()).toEqual([
      ['test_001_null_input', false],
      ['test_002_string_input', false],
    ]);
    const emitted = await readFile(path.join(outDir, 'raw_test_test.rego'), 'utf8');
    expect(emitted).toContain('# not emitted: a lone surrogate is refused by the SDK pre-check');
  });
});

describe('--engine opa', () => {
  let bundle: BundleDir;
  let server: OpaServer;
  beforeAll(async () => {
    const resolved = resolveGrantsText(
      path.relative(root, templateGrants),
      await readFile(templateGrants, 'utf8'),
    );
    if (!resolved.ok) throw new Error('template grants do not resolve');
    bundle = await writeBundleDir(resolved.value);
    server = await startOpaServer(bundle.dir);
  });
  afterAll(async () => {
    await server.stop();
    await bundle.remove();
  });

  it('runs the suite against a running OPA serving the same grants', async () => {
    const io = captureCliIo(root);
    const code = await main(['test', templateSuite, '--engine', 'opa', '--url', server.url], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/^13 passed, 0 failed$/m);
  });

  it('refuses when the OPA serves other grants', async () => {
    const other = path.join(work, 'other.yaml');
    await writeFile(other, 'version: 1\napp:\n  multi_tenant_enabled: false\n');
    const io = captureCliIo(root);
    const code = await main(
      ['test', templateSuite, '--grants', other, '--engine', 'opa', '--url', server.url],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain('serves revision');
  });
});
