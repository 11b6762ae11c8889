// `rolecall diff`: real edits of the example (a role added, a permission revoked in one call, a
// scope reset to null) as reviewed markdown goldens, the HTML page, the JSON form, `--fail-on`
// exit codes, git revisions of one file, and `--live` against the reference server.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import {
  DIFF_MARKER,
  diffPolicies,
  MAX_MARKDOWN_CHARS,
  renderDiffMarkdown,
  triggeredFailOn,
  type GrantChange,
  type PolicyDiff,
} from '../../review/diff/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import { startServer, type RunningServer } from '../../server/index.js';
import { captureCliIo } from '../support/cli-io.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const goldenRoot = path.join(root, 'test', 'golden');
const exampleFile = path.join(root, 'examples', 'video-saas', 'rolecall.yaml');

async function diffJson(cwd: string, args: string[]): Promise<PolicyDiff> {
  const io = captureCliIo(cwd);
  const code = await main(['diff', ...args, '--format', 'json'], io);
  expect(io.err(), io.err()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(io.out()) as PolicyDiff;
}

/** The exit code of `rolecall diff old.yaml new.yaml --fail-on KINDS` in `dir`. */
function failOnExitCode(dir: string, kinds: string): Promise<number> {
  return main(['diff', 'old.yaml', 'new.yaml', '--fail-on', kinds], captureCliIo(dir));
}

let work: string;
let example: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-diff-'));
  example = await readFile(exampleFile, 'utf8');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes the live example and an edited copy into a fresh folder, returns the folder. */
async function writeEdit(name: string, edit: (text: string) => string): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  const edited = edit(example);
  expect(edited).not.toBe(example);
  await writeFile(path.join(dir, 'old.yaml'), example);
  await writeFile(path.join(dir, 'new.yaml'), edited);
  return dir;
}

function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  const result = text.replace(search, replacement);
  if (result === text) throw new Error(`the example no longer contains ${String(search)}`);
  return result;
}

describe('markdown goldens (regenerate with UPDATE_GOLDEN=1)', () => {
  const cases: { name: string; args: string[]; exit: number }[] = [
    { name: 'diff-role-added', args: ['--fail-on', 'widened'], exit: 1 },
    { name: 'diff-call-revoke', args: ['--suite', 'suite.yaml', '--fail-on', 'widened'], exit: 0 },
    { name: 'diff-scope-reset', args: [], exit: 0 },
  ];
  for (const { name, args, exit } of cases) {
    it(name, async () => {
      const dir = path.join(goldenRoot, name);
      const io = captureCliIo(dir);
      expect(await main(['diff', 'before.yaml', 'after.yaml', ...args], io)).toBe(exit);
      const expectedFile = path.join(dir, 'expected', 'diff.md');
      if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(expectedFile, io.out());
      expect(io.out()).toBe(await readFile(expectedFile, 'utf8'));
    });
  }
});

/** The marked cells of a `--format html` page: `scope role permission change effect`, sorted. */
function markedCells(page: string): string[] {
  return page
    .split('<section')
    .filter((section) => /^\s+class="scope"/.test(section))
    .flatMap((section) => {
      const scope = /data-scope="([^"]*)"/.exec(section)?.[1] ?? '';
      return [...section.matchAll(/<td[^>]*\bdata-mark\b[^>]*>/g)].map(([cell]) => {
        const attribute = (name: string) =>
          new RegExp(`data-${name}="([^"]*)"`).exec(cell)?.[1] ?? '';
        return `${scope} ${attribute('role')} ${attribute('permission')} ${attribute('change')} ${attribute('effect')}`;
      });
    })
    .sort();
}

describe('--format html: one offline page of the same diff (golden: diff-call-revoke)', () => {
  const cases: { name: string; args: string[]; exit: number; golden?: true }[] = [
    { name: 'diff-role-added', args: ['--fail-on', 'widened'], exit: 1 },
    { name: 'diff-call-revoke', args: ['--suite', 'suite.yaml'], exit: 0, golden: true },
    { name: 'diff-scope-reset', args: [], exit: 0 },
  ];
  for (const { name, args, exit, golden } of cases) {
    it(`${name}: every grant change of the JSON is a marked cell, and nothing else`, async () => {
      const dir = path.join(goldenRoot, name);
      const io = captureCliIo(dir);
      const argv = ['diff', 'before.yaml', 'after.yaml', ...args];
      expect(await main([...argv, '--format', 'html'], io)).toBe(exit);
      const page = io.out();
      const json = captureCliIo(dir);
      expect(await main([...argv, '--format', 'json'], json)).toBe(exit);
      const diff = JSON.parse(json.out()) as PolicyDiff;
      expect(diff.grants.length).toBeGreaterThan(0);
      expect(markedCells(page)).toEqual(
        diff.grants
          .map(
            (change) =>
              `${change.scope} ${change.role} ${change.permission} ${change.change} ${change.effect}`,
          )
          .sort(),
      );
      expect(page.startsWith('<!doctype html>')).toBe(true);
      expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
      for (const role of diff.roles) expect(page).toContain(`<th><code>${role.role}</code></th>`);
      for (const scope of diff.scopes)
        expect(page).toContain(`<th><code>${scope.scope}</code></th>`);
      for (const change of diff.cases) expect(page).toContain(`<th>${change.case}</th>`);
      if (golden === true) {
        const expectedFile = path.join(dir, 'expected', 'diff.html');
        if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(expectedFile, page);
        expect(page).toBe(await readFile(expectedFile, 'utf8'));
      }
    });
  }

  it('identical files: a page that says so', async () => {
    const io = captureCliIo(root);
    expect(await main(['diff', exampleFile, exampleFile, '--format', 'html'], io)).toBe(0);
    expect(io.out()).toContain('<p class="origin" id="no-changes">No permission changes.</p>');
    expect(markedCells(io.out())).toEqual([]);
  });
});

describe('diff of real edits of the example', () => {
  it('a role added: the role and each of its grants, widening', async () => {
    const dir = await writeEdit('role-added', (text) =>
      replaceOnce(
        replaceOnce(text, /^roles:\n/m, 'roles:\n  moderator_bot: { level: call }\n'),
        /^( +)guest: \[\].*$/m,
        '$&\n$1moderator_bot: [read-call, mute-users]',
      ),
    );
    const diff = await diffJson(dir, ['old.yaml', 'new.yaml']);
    expect(diff.roles).toEqual([
      { role: 'moderator_bot', change: 'added', after: 'call', effect: 'neutral' },
    ]);
    expect(diff.grants.map((g) => [g.scope, g.role, g.permission, g.change, g.effect])).toEqual([
      ['call_type:default', 'moderator_bot', 'mute-users', 'added', 'widened'],
      ['call_type:default', 'moderator_bot', 'read-call', 'added', 'widened'],
    ]);
    expect(diff.grants[0]?.source).toMatch(/^new\.yaml:\d+:\d+$/);
    expect(await failOnExitCode(dir, 'widened')).toBe(1);
    expect(await failOnExitCode(dir, 'removed')).toBe(0);
  });

  it('a permission revoked in one call: exactly one revoked, narrowing change', async () => {
    const dir = await writeEdit('call-revoke', (text) =>
      replaceOnce(
        text,
        "call_member: ['!screenshare', '!send-event']",
        "call_member: ['!screenshare', '!send-event', '!send-video']",
      ),
    );
    const diff = await diffJson(dir, ['old.yaml', 'new.yaml']);
    expect(diff.grants).toEqual([
      {
        scope: 'call:default:board-meeting',
        role: 'call_member',
        permission: 'send-video',
        change: 'revoked',
        effect: 'narrowed',
        source: expect.stringMatching(/^new\.yaml:\d+:\d+$/) as unknown,
      },
    ]);
    expect(diff.roles).toEqual([]);
    expect(diff.settings).toEqual([]);
    expect(await failOnExitCode(dir, 'removed')).toBe(1);
    expect(await failOnExitCode(dir, 'widened')).toBe(0);
    // The reverse direction lifts the revoke: widening.
    const reverse = await diffJson(dir, ['new.yaml', 'old.yaml']);
    expect(reverse.grants.map((g) => [g.change, g.effect])).toEqual([['unrevoked', 'widened']]);
  });

  it('a scope reset to null: the builtin defaults come back, both ways', async () => {
    const dir = await writeEdit('scope-reset', (text) =>
      replaceOnce(
        text,
        /^ {2}default:\n {4}grants:\n(?: {6}.*\n)+/m,
        '  default:\n    grants: null\n',
      ),
    );
    const diff = await diffJson(dir, ['old.yaml', 'new.yaml']);
    const rows = diff.grants.map((g) => `${g.scope} ${g.role} ${g.permission} ${g.change}`);
    expect(diff.grants.every((g) => g.scope === 'call_type:default')).toBe(true);
    // Defaults (policies/defaults.json) the example had replaced come back …
    expect(rows).toContain('call_type:default guest join-call added');
    expect(rows).toContain('call_type:default interpreter send-audio removed');
    // … and what only the example granted goes.
    expect(rows).toContain('call_type:default user update-call-settings-owner removed');
    expect(rows).toContain('call_type:default workspace_admin end-call-same-team removed');
    // Removals come from the old file, so they carry its line.
    const removal = diff.grants.find((g) => g.change === 'removed');
    expect(removal?.source).toMatch(/^old\.yaml:\d+:\d+$/);
    expect(await failOnExitCode(dir, 'removed,widened')).toBe(1);
    expect(await failOnExitCode(dir, 'widened')).toBe(1);
    expect(await failOnExitCode(dir, 'removed')).toBe(1);
  });

  it('turning multi-tenant off is a widening settings change', async () => {
    const dir = await writeEdit('tenancy-off', (text) =>
      replaceOnce(text, 'multi_tenant_enabled: true', 'multi_tenant_enabled: false'),
    );
    const diff = await diffJson(dir, ['old.yaml', 'new.yaml']);
    expect(diff.settings).toEqual([
      { setting: 'multi_tenant_enabled', before: true, after: false, effect: 'widened' },
    ]);
    expect(diff.grants).toEqual([]);
    expect(await failOnExitCode(dir, 'widened')).toBe(1);
  });

  it('a custom permission losing its same_team condition widens', async () => {
    const dir = await writeEdit('condition-off', (text) =>
      replaceOnce(
        text,
        /(id: end-call-same-team\n\s+action: EndCall\n\s+)same_team: true/,
        '$1same_team: false',
      ),
    );
    const diff = await diffJson(dir, ['old.yaml', 'new.yaml']);
    expect(diff.permissions).toEqual([
      {
        permission: 'end-call-same-team',
        change: 'changed',
        details: ['same_team: true → false'],
        effect: 'widened',
      },
    ]);
  });

  it('identical files: no changes, --fail-on any passes, exit 0', async () => {
    const io = captureCliIo(root);
    expect(await main(['diff', exampleFile, exampleFile, '--fail-on', 'any'], io)).toBe(0);
    expect(io.out()).toContain('No permission changes.');
  });

  it('usage errors and invalid grants', async () => {
    expect(await main(['diff', exampleFile], captureCliIo(root))).toBe(2);
    expect(
      await main(['diff', exampleFile, exampleFile, '--fail-on', 'bigger'], captureCliIo(root)),
    ).toBe(2);
    expect(
      await main(['diff', exampleFile, exampleFile, '--format', 'xml'], captureCliIo(root)),
    ).toBe(2);
    expect(await main(['diff', exampleFile, 'missing.yaml'], captureCliIo(root))).toBe(2);
    const dir = await writeEdit('invalid', (text) => replaceOnce(text, 'send-audio', 'send-audoi'));
    const io = captureCliIo(dir);
    expect(await main(['diff', 'old.yaml', 'new.yaml'], io)).toBe(1);
    expect(io.err()).toMatch(/new\.yaml:\d+:\d+: error UNKNOWN_PERMISSION/);
  });
});

describe('diffPolicies on scopes, role levels and custom permissions', () => {
  const before = resolveGrants({
    version: 1,
    roles: { bot: { level: 'call' }, agent: {} },
    permissions: [{ id: 'end-own', action: 'EndCall', owner: true }],
    call_types: { town_hall: { grants: { user: ['read-call', 'end-own'] } } },
    calls: { 'town_hall:x': { config_overrides: { grants: { user: ['!read-call'] } } } },
  });
  const after = resolveGrants({
    version: 1,
    roles: { bot: {}, agent: { level: 'user' } },
    permissions: [{ id: 'end-own', action: 'StopRecording', owner: true }],
  });
  const diff = diffPolicies(before, after, { before: 'a.yaml', after: 'b.yaml' });

  it('classifies every kind of change', () => {
    expect(diff.roles).toEqual([
      { role: 'agent', change: 'changed', before: 'any', after: 'user', effect: 'narrowed' },
      { role: 'bot', change: 'changed', before: 'call', after: 'any', effect: 'widened' },
    ]);
    expect(diff.permissions).toEqual([
      {
        permission: 'end-own',
        change: 'changed',
        details: ['action: EndCall → StopRecording'],
        effect: 'mixed',
      },
    ]);
    expect(diff.scopes).toEqual([
      { scope: 'call:town_hall:x', change: 'removed' },
      { scope: 'call_type:town_hall', change: 'removed' },
    ]);
    expect(diff.grants.map((g) => [g.scope, g.role, g.permission, g.change, g.effect])).toEqual([
      ['call:town_hall:x', 'user', 'read-call', 'unrevoked', 'widened'],
      ['call_type:town_hall', 'user', 'end-own', 'removed', 'narrowed'],
      ['call_type:town_hall', 'user', 'read-call', 'removed', 'narrowed'],
    ]);
    expect(triggeredFailOn(diff, ['removed', 'widened', 'any'])).toEqual([
      'removed',
      'widened',
      'any',
    ]);
    expect(triggeredFailOn(diffPolicies(after, after), ['removed', 'widened', 'any'])).toEqual([]);
  });

  it('renders each section in markdown', () => {
    const markdown = renderDiffMarkdown(diff);
    expect(markdown).toContain('## rolecall diff: `a.yaml` → `b.yaml`');
    expect(markdown).toContain('8 changes: 2 widening, 3 narrowing, 1 mixed, 2 neutral.');
    expect(markdown).toContain('| `bot` | changed | call → any | **widened** |');
    expect(markdown).toContain(
      '| `end-own` | changed | action: EndCall → StopRecording | **mixed** |',
    );
    expect(markdown).toContain('| `call_type:town_hall` | removed |');
    expect(markdown).toContain(
      '<details open><summary><code>call:town_hall:x</code>: 1 change (1 widening, 0 narrowing)</summary>',
    );
    expect(markdown).toContain('| `user` | `read-call` | unrevoked | **widened** | — |');
    expect(markdown.startsWith(`${DIFF_MARKER}\n`)).toBe(true);
    expect(markdown).not.toContain('Left out');
  });

  it('points a default that a role list replaced at that list in the new file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-diff-lists-'));
    await writeFile(path.join(dir, 'old.yaml'), 'version: 1\n');
    await writeFile(
      path.join(dir, 'new.yaml'),
      'version: 1\ncall_types:\n  default:\n    grants:\n      call_member: [read-call, join-call]\n',
    );
    const result = await diffJson(dir, ['old.yaml', 'new.yaml']);
    const removed = result.grants.filter((change) => change.change === 'removed');
    expect(removed.map((change) => change.permission)).toContain('send-audio');
    for (const change of removed) {
      expect(change).toMatchObject({ scope: 'call_type:default', role: 'call_member' });
      // Line 5, column 20: the list `[read-call, join-call]` that replaced the defaults.
      expect(change.source).toBe('new.yaml:5:20');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('fits 1,600 grant changes in one PR comment, widening scopes first, and says what it left out', () => {
    const grants: GrantChange[] = [];
    for (let scope = 0; scope < 40; scope++) {
      for (let permission = 0; permission < 40; permission++) {
        const widening = scope % 4 === 3;
        grants.push({
          scope: `call:default:call-${String(scope).padStart(2, '0')}`,
          role: `role_${String(permission % 8)}`,
          permission: `permission-number-${String(permission)}`,
          change: widening ? 'added' : 'removed',
          effect: widening ? 'widened' : 'narrowed',
          source: `rolecall.yaml:${String(1000 + scope * 40 + permission)}:12`,
        });
      }
    }
    const big: PolicyDiff = { ...diff, grants, cases: [] };
    const markdown = renderDiffMarkdown(big);
    expect(markdown.length).toBeLessThanOrEqual(MAX_MARKDOWN_CHARS);
    // Every scope that widens access is shown before any that only narrows.
    const firstNarrowing = markdown.indexOf('<code>call:default:call-00</code>');
    const lastWidening = markdown.lastIndexOf('<code>call:default:call-39</code>');
    expect(lastWidening).toBeGreaterThan(0);
    expect(firstNarrowing === -1 || lastWidening < firstNarrowing).toBe(true);
    const shownRows = markdown.split('\n').filter((line) => line.includes('| `permission-number-'));
    const leftOut = /Left out to fit one comment: (\d+) grant changes/.exec(markdown);
    expect(Number(leftOut?.[1])).toBe(grants.length - shownRows.length);
    expect(shownRows.length).toBeGreaterThan(300);
    // Folds stay balanced even when a scope is cut.
    expect(markdown.match(/<details/g)?.length).toBe(markdown.match(/<\/details>/g)?.length);
    // A budget as small as one comment's head leaves nearly everything out, but still says so.
    const tiny = renderDiffMarkdown(big, { maxChars: 2_000 });
    expect(tiny.length).toBeLessThanOrEqual(2_000);
    expect(tiny).toContain('Left out to fit one comment');
  });
});

describe('diff between git revisions', () => {
  it('reads REV:FILE and FILE --base REV with git show', async () => {
    const repo = path.join(work, 'repo');
    await mkdir(path.join(repo, 'grants'), { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: repo,
        encoding: 'utf8',
      });
    git('init', '-q', '-b', 'main');
    await writeFile(path.join(repo, 'grants', 'rolecall.yaml'), example);
    git('add', '.');
    git('commit', '-q', '-m', 'grants');
    const edited = replaceOnce(
      example,
      'user: [create-reaction]',
      'user: [create-reaction, send-audio]',
    );
    await writeFile(path.join(repo, 'grants', 'rolecall.yaml'), edited);
    git('commit', '-q', '-am', 'let users talk at the launch event');

    const expected = [['call:livestream:launch-event', 'user', 'send-audio', 'added', 'widened']];
    const shape = (diff: PolicyDiff) =>
      diff.grants.map((g) => [g.scope, g.role, g.permission, g.change, g.effect]);
    const between = await diffJson(repo, [
      'HEAD~1:grants/rolecall.yaml',
      'HEAD:grants/rolecall.yaml',
    ]);
    expect(shape(between)).toEqual(expected);
    expect(between.grants[0]?.source).toMatch(/^HEAD:grants\/rolecall\.yaml:\d+:\d+$/);
    // --base reads the same path at the base revision, relative to the working directory.
    const sub = path.join(repo, 'grants');
    const based = await diffJson(sub, ['rolecall.yaml', '--base', 'HEAD~1']);
    expect(shape(based)).toEqual(expected);
    expect(based.before.label).toBe('HEAD~1:./rolecall.yaml');
    const missing = captureCliIo(repo);
    expect(await main(['diff', 'grants/rolecall.yaml', '--base', 'no-such-rev'], missing)).toBe(2);
    expect(missing.err()).toContain('cannot read no-such-rev:');
    // git's own words, not the first line of "Command failed: git show …".
    expect(missing.err()).toMatch(/git: .*no-such-rev/);
    expect(missing.err()).not.toContain('Command failed');
  });

  it('treats a grants file the base does not have as an empty one: every grant is added', async () => {
    const repo = path.join(work, 'new-file-repo');
    await mkdir(repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: repo,
        encoding: 'utf8',
      });
    git('init', '-q', '-b', 'main');
    await writeFile(path.join(repo, 'README.md'), 'grants\n');
    git('add', '.');
    git('commit', '-q', '-m', 'start');
    await writeFile(path.join(repo, 'rolecall.yaml'), example);
    const io = captureCliIo(repo);
    expect(await main(['diff', 'rolecall.yaml', '--base', 'HEAD', '--format', 'json'], io)).toBe(0);
    expect(io.err()).toContain(
      'rolecall.yaml is not in HEAD; comparing against an empty grants file',
    );
    const diff = JSON.parse(io.out()) as PolicyDiff;
    await writeFile(path.join(repo, 'empty.yaml'), 'version: 1\n');
    const fromEmpty = await diffJson(repo, ['empty.yaml', 'rolecall.yaml']);
    expect(diff.grants.length).toBeGreaterThan(0);
    expect(diff.grants.map((g) => [g.scope, g.role, g.permission, g.change])).toEqual(
      fromEmpty.grants.map((g) => [g.scope, g.role, g.permission, g.change]),
    );
  });
});

describe('diff against a running reference server (--live)', () => {
  const apiKey = 'key';
  const apiSecret = 'secret-for-tests-only-0123456789';
  const credentials = ['--api-key', apiKey, '--api-secret', apiSecret];
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      apiKey,
      apiSecret,
      logs: 'silent',
      config: { file: 'rolecall.yaml', text: example },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a --live that is not an http(s) URL before any request, keeping the key out', async () => {
    const io = captureCliIo(work);
    const code = await main(['diff', 'rolecall.yaml', '--live', 'notaurl', ...credentials], io);
    expect([code, io.err().trim()]).toEqual([
      2,
      'rolecall diff: --live "notaurl" is not an http(s) URL',
    ]);
  });

  it('shows what applying a file would change on the server', async () => {
    const dir = await writeEdit('live', (text) =>
      replaceOnce(text, "user: ['!create-reaction']", "user: ['!create-reaction', '!join-call']"),
    );
    const same = await diffJson(dir, ['old.yaml', '--live', server.url, ...credentials]);
    expect(same.grants).toEqual([]);
    expect(same.before.label).toBe(`live ${server.url}`);
    const diff = await diffJson(dir, ['new.yaml', '--live', server.url, ...credentials]);
    expect(diff.grants.map((g) => [g.scope, g.role, g.permission, g.change])).toEqual([
      ['call:webinar:q3-all-hands', 'user', 'join-call', 'revoked'],
    ]);
  });

  it('calls with the app credentials, and says why the server refused others', async () => {
    // The live side is read first, so the file need not exist.
    const wrongKey = captureCliIo(work);
    const code = await main(
      ['diff', 'new.yaml', '--live', server.url, '--api-key', 'other', '--api-secret', apiSecret],
      wrongKey,
    );
    expect(code).toBe(2);
    expect(wrongKey.err()).toContain('answered 401 API_KEY_INVALID');
    const wrongSecret = captureCliIo(work);
    const signedOtherwise = [...credentials.slice(0, 3), 'another-secret-0123456789abcdef'];
    expect(
      await main(['diff', 'new.yaml', '--live', server.url, ...signedOtherwise], wrongSecret),
    ).toBe(2);
    expect(wrongSecret.err()).toContain('answered 401 AUTH_INVALID');
  });

  it('needs both credentials with --live, and takes them with --live only', async () => {
    const missing = captureCliIo(work);
    const environment = [process.env['ROLECALL_API_KEY'], process.env['ROLECALL_API_SECRET']];
    delete process.env['ROLECALL_API_KEY'];
    delete process.env['ROLECALL_API_SECRET'];
    try {
      expect(
        await main(['diff', 'x.yaml', '--live', server.url, '--api-key', apiKey], missing),
      ).toBe(2);
    } finally {
      if (environment[0] !== undefined) process.env['ROLECALL_API_KEY'] = environment[0];
      if (environment[1] !== undefined) process.env['ROLECALL_API_SECRET'] = environment[1];
    }
    expect(missing.err()).toContain(
      "--live needs the app's credentials: set ROLECALL_API_KEY and ROLECALL_API_SECRET",
    );
    const stray = captureCliIo(work);
    expect(await main(['diff', 'a.yaml', 'b.yaml', ...credentials], stray)).toBe(2);
    expect(stray.err()).toContain('--api-key and --api-secret go with --live URL');
  });
});
