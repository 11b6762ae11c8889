// `rolecall pull` and `rolecall apply` against a real reference server (in-process, PGlite):
// a pulled file passes `check` and round-trips, apply shows its plan, refuses without a person or
// --yes, applies in dependency order, and a run that fails half way is finished by the next one.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/run.js';
import { resolveGrantsText } from '../../cli/grants-policy.js';
import { planApply } from '../../cli/apply-plan.js';
import { liveGrantsOf, unresolveGrants, type LiveGrants } from '../../compiler/unresolve/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import { captureCliIo, runCli } from '../support/cli-io.js';
import { API_KEY, API_SECRET, startTestServer, type TestServer } from '../support/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLE = path.join(here, '../../examples/video-saas/rolecall.yaml');

let workDir: string;
const servers: TestServer[] = [];
const savedEnv = {
  key: process.env['ROLECALL_API_KEY'],
  secret: process.env['ROLECALL_API_SECRET'],
};

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-pull-apply-'));
  process.env['ROLECALL_API_KEY'] = API_KEY;
  process.env['ROLECALL_API_SECRET'] = API_SECRET;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(workDir, { recursive: true, force: true });
  if (savedEnv.key === undefined) delete process.env['ROLECALL_API_KEY'];
  else process.env['ROLECALL_API_KEY'] = savedEnv.key;
  if (savedEnv.secret === undefined) delete process.env['ROLECALL_API_SECRET'];
  else process.env['ROLECALL_API_SECRET'] = savedEnv.secret;
});

async function server(config?: string): Promise<TestServer> {
  const started = await startTestServer(
    'pglite',
    config === undefined ? {} : { config: { file: 'rolecall.yaml', text: config } },
  );
  servers.push(started);
  return started;
}

/** A fresh server that no test changes (starting one takes seconds), shared by the readers. */
let pristineServer: Promise<TestServer> | undefined;
const pristine = (): Promise<TestServer> => (pristineServer ??= server());

const cli = (argv: string[]) => runCli(argv, workDir);

/** The revision the server reports (getApp): equal revisions are equal permission models. */
async function revisionOf(test: TestServer): Promise<string> {
  return (await test.admin.getApp()).app.revision;
}

describe('rolecall pull', () => {
  let huddle: TestServer;
  let example: string;
  beforeAll(async () => {
    example = await readFile(EXAMPLE, 'utf8');
    huddle = await server(example);
  });

  it('writes a file that check accepts, resolving to the revision the server reports', async () => {
    const pulled = await cli(['pull', '--url', huddle.url, '-o', 'pulled.yaml']);
    expect(pulled.stderr).toContain('pulled');
    expect(pulled.code).toBe(0);
    const check = await cli(['check', 'pulled.yaml']);
    expect(check.stdout).toContain('0 errors, 0 warnings');
    expect(check.code).toBe(0);

    const text = await readFile(path.join(workDir, 'pulled.yaml'), 'utf8');
    const resolved = resolveGrantsText('pulled.yaml', text);
    expect(resolved.ok && resolved.value.revision).toBe(await revisionOf(huddle));
    // A patch over the defaults: builtin call types the example leaves alone are not written.
    expect(text).not.toMatch(/^ {2}(audio_room|development|livestream):$/m);
    expect(text).toContain(`# Pulled from ${huddle.url} by \`rolecall pull\`.`);
    expect(text).toContain('webinar:q3-all-hands:');
  });

  it('gives the same bytes when pulled twice (no time in the header)', async () => {
    expect((await cli(['pull', '--url', huddle.url, '-o', 'first.yaml'])).code).toBe(0);
    expect((await cli(['pull', '--url', huddle.url, '-o', 'second.yaml'])).code).toBe(0);
    const first = await readFile(path.join(workDir, 'first.yaml'), 'utf8');
    expect(await readFile(path.join(workDir, 'second.yaml'), 'utf8')).toBe(first);
    // Written through a temporary file renamed over the target: none is left behind.
    expect((await readdir(workDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // Without -o the file goes to standard output, byte for byte.
    expect((await cli(['pull', '--url', huddle.url])).stdout).toBe(first);
  });

  it('round-trips: diff --live of the pulled file shows no change, apply plans nothing', async () => {
    expect((await cli(['pull', '--url', huddle.url, '-o', 'roundtrip.yaml'])).code).toBe(0);
    const diff = await cli(['diff', 'roundtrip.yaml', '--live', huddle.url, '--format', 'json']);
    expect(diff.code).toBe(0);
    const changes = JSON.parse(diff.stdout) as Record<string, unknown[]>;
    for (const kind of ['settings', 'roles', 'permissions', 'scopes', 'grants']) {
      expect(changes[kind], kind).toEqual([]);
    }
    const before = await revisionOf(huddle);
    const apply = await cli(['apply', 'roundtrip.yaml', '--url', huddle.url]);
    expect(apply.stdout).toContain('No changes');
    expect(apply.code).toBe(0);
    expect(await revisionOf(huddle)).toBe(before);
  });

  it('of a fresh server is the smallest file: the settings, nothing else', async () => {
    const fresh = await pristine();
    const pulled = await cli(['pull', '--url', fresh.url]);
    expect(pulled.code).toBe(0);
    expect(
      pulled.stdout.split('\n').filter((line) => !line.startsWith('#') && line !== ''),
    ).toEqual(['version: 1', 'app:', '  multi_tenant_enabled: false']);
  });

  it('is a usage error (exit 2) without --url or credentials, and exit 1 when the server refuses', async () => {
    expect((await cli(['pull', '-o', 'x.yaml'])).code).toBe(2);
    const key = process.env['ROLECALL_API_KEY'];
    delete process.env['ROLECALL_API_KEY'];
    try {
      const missing = await cli(['pull', '--url', huddle.url]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('ROLECALL_API_KEY');
    } finally {
      process.env['ROLECALL_API_KEY'] = key;
    }
    const refused = await cli([
      'pull',
      '--url',
      huddle.url,
      '--api-secret',
      'not-the-secret-of-this-app',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('401');
  });
});

describe('the pulled spec', () => {
  it('is the smallest patch that resolves to the same grants (the example, unresolved)', async () => {
    const resolved = resolveGrantsText('rolecall.yaml', await readFile(EXAMPLE, 'utf8'));
    if (!resolved.ok) throw new Error('the example does not resolve');
    const live = liveGrantsOf(resolved.value);
    const spec = unresolveGrants(live);
    expect(resolveGrants(spec).revision).toBe(resolved.value.revision);
    expect(liveGrantsOf(resolveGrants(spec))).toEqual(live);
    // The example writes `livestream: {grants: null}` and patches `default`; only real changes stay.
    expect(Object.keys(spec.call_types ?? {})).toEqual(['default', 'webinar']);
    expect(spec.call_types?.['default']?.grants?.['guest']).toEqual([]);
    expect(spec.call_types?.['default']?.grants).not.toHaveProperty('admin');
  });
});

describe('the apply plan', () => {
  const empty: LiveGrants = {
    multi_tenant_enabled: false,
    app_grants: {},
    roles: {},
    permissions: {},
    call_types: { default: { user: ['read-call'] } },
    call_overrides: {},
  };
  const describeSteps = (live: LiveGrants, target: LiveGrants) =>
    planApply(live, target).map((step) => step.description);

  it('creates what grants name before the grants, and removes grants before deleting', () => {
    const withAgent: LiveGrants = {
      ...empty,
      roles: { agent: { level: 'any', description: '' } },
      permissions: {
        'end-own': {
          action: 'EndCall',
          name: 'end-own',
          description: '',
          owner: true,
          same_team: false,
        },
      },
      call_types: {
        default: { user: ['read-call'], agent: ['end-own', 'read-call'] },
        town_hall: { agent: ['read-call'] },
      },
      call_overrides: { 'town_hall:all-hands': { agent: ['!read-call'] } },
    };
    expect(describeSteps(empty, withAgent)).toEqual([
      'createRole agent',
      'createPermission end-own (action EndCall)',
      'createCallType town_hall with grants of agent',
      'updateCallType default: grants of agent',
      'updateCallOverrides town_hall:all-hands: modifiers of agent',
    ]);
    expect(describeSteps(withAgent, empty)).toEqual([
      'updateCallType default: grants of agent',
      'updateCallOverrides town_hall:all-hands: remove',
      'deleteCallType town_hall',
      'deletePermission end-own',
      'deleteRole agent',
    ]);
    expect(describeSteps(withAgent, withAgent)).toEqual([]);
  });

  it('patches only the roles whose grants differ, with their whole new list', async () => {
    const live: LiveGrants = {
      ...empty,
      app_grants: { user: ['search-user'], guest: ['search-user-same-team'] },
    };
    const target: LiveGrants = { ...live, app_grants: { user: ['search-user', 'mute-user'] } };
    const [step, ...rest] = planApply(live, target);
    expect(rest).toEqual([]);
    expect(step?.description).toBe('updateApp grants of guest, user');
    const requests: unknown[] = [];
    const recorder = {
      updateApp: (patch: unknown) => {
        requests.push(patch);
        return Promise.resolve();
      },
    } as unknown as Parameters<NonNullable<typeof step>['run']>[0];
    await step?.run(recorder);
    expect(requests).toEqual([{ grants: { guest: [], user: ['mute-user', 'search-user'] } }]);
  });
});

describe('rolecall apply', () => {
  let example: string;
  beforeAll(async () => {
    example = await readFile(EXAMPLE, 'utf8');
    await writeFile(path.join(workDir, 'example.yaml'), example);
  });

  it('refuses without --yes when standard input is not a terminal, changing nothing', async () => {
    const fresh = await pristine();
    const before = await revisionOf(fresh);
    const io = Object.assign(captureCliIo(workDir), { interactive: false });
    const code = await main(['apply', 'example.yaml', '--url', fresh.url], io);
    expect(io.err()).toContain('run with --yes');
    expect(code).toBe(1);
    // The plan was shown: the diff and the numbered steps.
    expect(io.out()).toContain('### Steps');
    expect(io.out()).toMatch(/1\. createRole interpreter \(level call\)/);
    expect(await revisionOf(fresh)).toBe(before);
    expect((await fresh.admin.listRoles()).roles.filter((role) => role.custom)).toEqual([]);
  });

  it('asks on a terminal: "n" applies nothing, "y" applies', async () => {
    const fresh = await server();
    const before = await revisionOf(fresh);
    const file = 'small.yaml';
    await writeFile(
      path.join(workDir, file),
      'version: 1\nroles:\n  moderator_bot: { level: call }\ncall_types:\n  default:\n    grants:\n      moderator_bot: [read-call, mute-users]\n',
    );
    const questions: string[] = [];
    const answering = (
      answer: string,
    ): CliIo & { interactive: boolean; ask: (q: string) => Promise<string> } =>
      Object.assign(captureCliIo(workDir), {
        interactive: true,
        ask: (question: string) => {
          questions.push(question);
          return Promise.resolve(answer);
        },
      });
    expect(await main(['apply', file, '--url', fresh.url], answering('n'))).toBe(1);
    expect(questions).toEqual([`Apply 2 changes to ${fresh.url}? [y/N] `]);
    expect(await revisionOf(fresh)).toBe(before);
    expect(await main(['apply', file, '--url', fresh.url], answering('y'))).toBe(0);
    expect((await fresh.admin.getCallType('default')).grants['moderator_bot']).toEqual([
      'mute-users',
      'read-call',
    ]);
  });

  it('applies the example to a fresh server: diff --live then shows no difference', async () => {
    const fresh = await server();
    const applied = await cli(['apply', 'example.yaml', '--url', fresh.url, '--yes']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Applied');
    // Roles and permissions come before the grants that name them.
    const steps = applied.stdout.split('\n').filter((line) => line.startsWith('✓'));
    const position = (text: string) => steps.findIndex((line) => line.includes(text));
    expect(position('createRole workspace_admin')).toBeLessThan(position('updateApp'));
    expect(position('createPermission end-call-same-team')).toBeLessThan(
      position('updateCallType default'),
    );
    expect(position('createCallType webinar')).toBeLessThan(
      position('updateCallOverrides webinar:q3-all-hands'),
    );

    const diff = await cli(['diff', 'example.yaml', '--live', fresh.url, '--format', 'json']);
    expect(diff.code).toBe(0);
    const changes = JSON.parse(diff.stdout) as Record<string, unknown[]>;
    for (const kind of ['settings', 'roles', 'permissions', 'scopes', 'grants']) {
      expect(changes[kind], kind).toEqual([]);
    }
    // Same grants, same revision: what `serve --config example.yaml` would serve.
    const resolved = resolveGrantsText('example.yaml', example);
    expect(resolved.ok && resolved.value.revision).toBe(await revisionOf(fresh));

    const again = await cli(['apply', 'example.yaml', '--url', fresh.url]);
    expect(again.stdout).toContain('No changes');
    expect(again.code).toBe(0);
  });

  it('is finished by a second run after a step fails half way (a role still in use)', async () => {
    const live = await server(
      'version: 1\nroles:\n  legacy: { level: user }\n  keeper: {}\napp:\n  grants:\n    legacy: [search-user]\n',
    );
    await live.admin.upsertUsers([{ id: 'lena', role: 'legacy' }]);
    const file = 'without-legacy.yaml';
    await writeFile(
      path.join(workDir, file),
      'version: 1\nroles:\n  keeper: {}\n  newcomer: { description: Joins later }\napp:\n  grants:\n    newcomer: [search-user-same-team]\n',
    );

    const first = await cli(['apply', file, '--url', live.url, '--yes']);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/step \d+\/\d+ failed: deleteRole legacy: 409 ROLE_IN_USE/);
    expect(first.stderr).toContain('lena');
    // Everything before the failed step holds, and the server is in a valid state.
    const roles = (await live.admin.listRoles()).roles.filter((role) => role.custom);
    expect(roles.map((role) => role.name).sort()).toEqual(['keeper', 'legacy', 'newcomer']);
    expect((await live.admin.getApp()).app.grants['legacy']).toBeUndefined();

    await live.admin.deleteUsers({ user_ids: ['lena'] });
    const second = await cli(['apply', file, '--url', live.url, '--yes']);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('deleteRole legacy');
    expect(second.stdout).not.toContain('createRole newcomer');
    const third = await cli(['apply', file, '--url', live.url]);
    expect(third.stdout).toContain('No changes');
    expect(third.code).toBe(0);
  });

  it('recreates a custom role whose level changed, and removes a custom call type and permission', async () => {
    const live = await server(
      [
        'version: 1',
        'roles:',
        '  stage_manager: { level: call }',
        'permissions:',
        '  - { id: end-call-same-team, action: EndCall, same_team: true }',
        'call_types:',
        '  town_hall:',
        '    grants:',
        '      stage_manager: [read-call, end-call-same-team]',
        '  default:',
        '    grants:',
        '      stage_manager: [read-call]',
        '',
      ].join('\n'),
    );
    const file = 'reshaped.yaml';
    await writeFile(
      path.join(workDir, file),
      'version: 1\nroles:\n  stage_manager: {}\ncall_types:\n  default:\n    grants:\n      stage_manager: [read-call, join-call]\n',
    );
    const applied = await cli(['apply', file, '--url', live.url, '--yes']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const again = await cli(['apply', file, '--url', live.url]);
    expect(again.stdout).toContain('No changes');
    const roles = (await live.admin.listRoles()).roles.filter((role) => role.custom);
    expect(roles).toEqual([{ name: 'stage_manager', custom: true, level: 'any', description: '' }]);
    expect(Object.keys((await live.admin.listCallTypes()).call_types)).not.toContain('town_hall');
  });

  it('checks the file first: a grants error exits 1 and contacts no server; usage errors exit 2', async () => {
    await writeFile(
      path.join(workDir, 'bad.yaml'),
      'version: 1\napp:\n  grants:\n    user: [join-cal]\n',
    );
    const bad = await cli(['apply', 'bad.yaml', '--url', 'http://127.0.0.1:9', '--yes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('UNKNOWN_PERMISSION');
    expect((await cli(['apply', 'example.yaml'])).code).toBe(2);
    expect((await cli(['apply', '--url', 'http://127.0.0.1:9'])).code).toBe(2);
    expect((await cli(['apply', 'missing.yaml', '--url', 'http://127.0.0.1:9'])).code).toBe(2);
  });
});

afterEach(() => {
  process.env['ROLECALL_API_KEY'] = API_KEY;
  process.env['ROLECALL_API_SECRET'] = API_SECRET;
});
