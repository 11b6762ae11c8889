// Type test of the typed clients in rolecall.gen.ts: `rolecall compile` output (both `--types ts`
// and the `--types js` pair) is type-checked strictly in a temporary folder, with 'rolecall' and
// '@rolecall/sdk' mapped to the SDK's sources; correct uses pass and each misspelt name fails on its own line.
// The `--types js` file also runs under Node as plain ESM.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import { packageRoot } from '../../compiler/assets.js';
import { compileGrants } from '../../compiler/compile/index.js';
import type { EmittedFile } from '../../compiler/types.js';
import { captureCliIo } from '../support/cli-io.js';
import { CONTRACT_GRANTS_YAML } from '../contract/fixture.js';
import { ensureFreshPolicyWasm } from '../support/wasm.js';

const runFile = promisify(execFile);

/**
 * A strict TypeScript program against the generated names. A line ending in `// error: NAME`
 * must fail with a message that names NAME; every other line must compile.
 */
const TYPED_IMPORT = `import {
  createClient,
  createServerClient,
  type CallRole,
  type PermissionId,
} from './out/rolecall.gen.js';
`;

const USAGE_BODY = `
const admin = createServerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', secret: 's' });
const hall = admin.call('town_hall', 'c1');
export const wrongType = admin.call('town_hal', 'c1'); // error: town_hal
export const members = [
  hall.updateCallMembers({ update_members: [{ user_id: 'bob', role: 'stage_manager' }] }),
  hall.updateCallMembers({ update_members: [{ user_id: 'bob', role: 'stage_managr' }] }), // error: stage_managr
  hall.getOrCreate({ data: { members: [{ user_id: 'eve', role: 'host' }] } }),
];
export const permissions = [
  hall.updateUserPermissions({ user_id: 'bob', grant_permissions: ['send-audio'] }),
  hall.updateUserPermissions({ user_id: 'bob', revoke_permissions: ['send-video'] }),
  hall.updateUserPermissions({ user_id: 'bob', grant_permissions: ['send-vidoe'] }), // error: send-vidoe
];
export const roles = [
  admin.upsertUsers([{ id: 'eve', role: 'special_agent' }]),
  admin.upsertUsers([{ id: 'eve', role: 'admn' }]), // error: admn
  admin.createRole({ name: 'stage_manager', level: 'call' }),
  admin.deleteRole('special_agnt'), // error: special_agnt
];
export const grants = [
  admin.updateCallType('town_hall', { grants: { stage_manager: ['send-audio'] } }),
  admin.updateCallType('town_hall', { grants: { stage_mangr: ['send-audio'] } }), // error: stage_mangr
  admin.updateCallOverrides('town_hall', 'c1', { user: ['!send-video'] }),
  admin.updateApp({ grants: { user: ['search-usr'] } }), // error: search-usr
];

const bob = createClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', token: 't' });
const bobsHall = bob.call('town_hall', 'c1');
export const hints = [
  bobsHall.can('SendVideo'),
  bobsHall.can('SendVidoe'), // error: SendVidoe
  bobsHall.can('UpdateCall', { changes: ['custom', 'team'] }),
  bobsHall.can('UpdateCall', { changes: ['titel'] }), // error: titel
  bob.call('default', 'c2'),
  bob.call('defualt', 'c2'), // error: defualt
  bob.queryUsers({ payload: { filter_conditions: { role: 'admin', $or: [{ teams: 'red' }] } } }),
  bob.queryUsers({ payload: { filter_conditions: { rol: 'admin' } } }), // error: rol
  bob.video.queryCalls({ filter_conditions: { team: 'red' } }),
];

export async function answers(): Promise<unknown[]> {
  const state = await bobsHall.get();
  const capabilities: PermissionId[] = state.own_capabilities;
  const memberRoles: CallRole[] = state.members.map((member) => member.role);
  return [
    capabilities,
    memberRoles,
    state.own_capabilities.includes('send-audio'),
    state.own_capabilities.includes('send-audoi'), // error: send-audoi
    state.members.filter((member) => member.role === 'hots'), // error: hots
  ];
}
`;

const USAGE = TYPED_IMPORT + USAGE_BODY;

const markedErrors = (text: string) =>
  text.split('\n').flatMap((line, index) => {
    const marker = /\/\/ error: (\S+)$/.exec(line);
    return marker?.[1] === undefined ? [] : [{ line: index + 1, name: marker[1] }];
  });

/** The project's strict options, the SDK's package names resolved to its sources, nothing emitted. */
function strictOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(packageRoot, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error('tsconfig.json could not be read');
  // The temporary folder lies outside the project's rootDir; nothing is emitted anyway.
  const options = { ...parsed.options };
  delete options.rootDir;
  delete options.outDir;
  return {
    ...options,
    strict: true,
    noEmit: true,
    paths: {
      rolecall: [path.join(packageRoot, 'sdk', 'index.ts')],
      '@rolecall/sdk': [path.join(packageRoot, 'sdk', 'index.ts')],
    },
  };
}

/** Type errors of `file` (line and message), the way `tsc --strict` reports them. */
function typeErrors(file: string, extra: ts.CompilerOptions = {}) {
  const program = ts.createProgram([file], { ...strictOptions(), ...extra });
  return ts
    .getPreEmitDiagnostics(program)
    .filter(
      (diagnostic) =>
        diagnostic.file !== undefined && path.resolve(diagnostic.file.fileName) === file,
    )
    .map((diagnostic) => ({
      line:
        diagnostic.file === undefined || diagnostic.start === undefined
          ? -1
          : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    }));
}

/** Asserts that exactly the marked lines fail, each naming its misspelling. */
function expectOnlyMarkedErrors(file: string, text: string): void {
  const errors = typeErrors(file);
  const marked = markedErrors(text);
  expect(marked.length).toBeGreaterThanOrEqual(12);
  expect([...new Set(errors.map((error) => error.line))]).toEqual(marked.map((mark) => mark.line));
  for (const mark of marked) {
    const messages = errors.filter((error) => error.line === mark.line).map((e) => e.message);
    expect(messages.join('\n'), `line ${String(mark.line)}`).toContain(mark.name);
  }
}

let workDir: string;

beforeAll(async () => {
  await ensureFreshPolicyWasm();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-gen-clients-'));
  await writeFile(path.join(workDir, 'rolecall.yaml'), CONTRACT_GRANTS_YAML);
  for (const [folder, types] of [
    ['ts', 'ts'],
    ['js', 'js'],
  ] as const) {
    const dir = path.join(workDir, folder);
    await mkdir(dir);
    // An ESM package, as `rolecall init` makes; 'rolecall' and '@rolecall/sdk' (which the
    // generated file imports) are this checkout (their dist/ at run time).
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    await mkdir(path.join(dir, 'node_modules', '@rolecall'), { recursive: true });
    await symlink(packageRoot, path.join(dir, 'node_modules', 'rolecall'), 'dir');
    await symlink(
      path.join(packageRoot, 'packages', 'sdk'),
      path.join(dir, 'node_modules', '@rolecall', 'sdk'),
      'dir',
    );
    const io = captureCliIo(workDir);
    const code = await main(
      ['compile', 'rolecall.yaml', '-o', `${folder}/out`, '--types', types],
      io,
    );
    expect(code, io.err()).toBe(0);
  }
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('rolecall.gen.ts: typed createClient and createServerClient', () => {
  it('exports both factories bound to PolicyNames, and says how to use them', async () => {
    const generated = await readFile(path.join(workDir, 'ts', 'out', 'rolecall.gen.ts'), 'utf8');
    expect(generated).toContain(
      'export function createClient(options: ClientOptions): VideoClient<PolicyNames>',
    );
    expect(generated).toContain(
      'export function createServerClient(options: ServerClientOptions): ServerClient<PolicyNames>',
    );
    expect(generated).toMatch(/^\/\/ {3}import \{ createClient, createServerClient \}/m);
  });

  it('type-checks correct uses and fails each misspelt name on its own line', async () => {
    const file = path.join(workDir, 'ts', 'usage.ts');
    await writeFile(file, USAGE);
    expectOnlyMarkedErrors(file, USAGE);
  });

  it("without the generated names (rolecall's own clients) the same misspellings compile", async () => {
    const file = path.join(workDir, 'ts', 'untyped.ts');
    const untyped =
      "import { createClient, createServerClient } from 'rolecall';\n" +
      // Untyped answers are strings; these lines only typecheck against the typed ones.
      USAGE_BODY.replace(/^ {2}const (capabilities|memberRoles).*$/gm, '').replace(
        /^ {4}(capabilities|memberRoles),$/gm,
        '',
      );
    await writeFile(file, untyped);
    expect(typeErrors(file)).toEqual([]);
  });
});

describe('rolecall compile --types js', () => {
  it('refuses a --types other than ts or js as a usage error, writing nothing', async () => {
    const io = captureCliIo(workDir);
    expect(await main(['compile', 'rolecall.yaml', '-o', 'mjs-out', '--types', 'mjs'], io)).toBe(2);
    expect(io.err()).toContain('unknown --types "mjs"; use ts or js');
    expect(existsSync(path.join(workDir, 'mjs-out'))).toBe(false);
  });

  it('writes rolecall.gen.js and rolecall.gen.d.ts instead of rolecall.gen.ts', () => {
    const out = path.join(workDir, 'js', 'out');
    expect(existsSync(path.join(out, 'rolecall.gen.js'))).toBe(true);
    expect(existsSync(path.join(out, 'rolecall.gen.d.ts'))).toBe(true);
    expect(existsSync(path.join(out, 'rolecall.gen.ts'))).toBe(false);
    expect(existsSync(path.join(out, 'bundle.tar.gz'))).toBe(true);
  });

  it('is deterministic, keeps the header in both files, and leaves the rest of DIR as ts does', async () => {
    const source = { file: 'rolecall.yaml', text: CONTRACT_GRANTS_YAML };
    const first = await compileGrants(source, { types: 'js' });
    const second = await compileGrants(source, { types: 'js' });
    const asTs = await compileGrants(source);
    if (!first.ok || !second.ok || !asTs.ok) throw new Error('the contract grants do not compile');
    const contents = (files: readonly EmittedFile[]) =>
      files.map((file) => [file.path, Buffer.from(file.contents).toString('base64')]);
    expect(contents(second.value.files)).toEqual(contents(first.value.files));
    const others = (files: readonly EmittedFile[]) =>
      contents(files.filter((file) => !file.path.startsWith('rolecall.gen.')));
    expect(others(first.value.files)).toEqual(others(asTs.value.files));
    for (const name of ['rolecall.gen.js', 'rolecall.gen.d.ts']) {
      const file = first.value.files.find((candidate) => candidate.path === name);
      expect(String(file?.contents)).toMatch(/^\/\/ Generated by `rolecall compile`/);
      expect(String(file?.contents)).toContain('--types js');
    }
  });

  it('the .js imports and runs under Node as ESM', async () => {
    // '@rolecall/sdk' resolves to this checkout's packages/sdk/dist/ (the test command builds it).
    expect(
      existsSync(path.join(packageRoot, 'packages', 'sdk', 'dist', 'sdk', 'index.js')),
      'run npm run build',
    ).toBe(true);
    const script = path.join(workDir, 'js', 'run.js');
    await writeFile(
      script,
      [
        "import { CALL_TYPES, ROLES, createClient, createServerClient } from './out/rolecall.gen.js';",
        "const admin = createServerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', secret: 's' });",
        "const bob = createClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', token: 't' });",
        'console.log(JSON.stringify({',
        '  callTypes: CALL_TYPES,',
        "  stageManager: ROLES.includes('stage_manager'),",
        "  call: admin.call('town_hall', 'c1').type,",
        "  userCall: bob.call('default', 'c2').id,",
        "  token: typeof (await admin.createToken('bob')),",
        '}));',
      ].join('\n'),
    );
    const { stdout } = await runFile(process.execPath, [script], { cwd: path.dirname(script) });
    expect(JSON.parse(stdout)).toEqual({
      callTypes: ['audio_room', 'default', 'development', 'livestream', 'town_hall'],
      stageManager: true,
      call: 'town_hall',
      userCall: 'c2',
      token: 'string',
    });
  });

  it('the .d.ts type-checks the same uses and misspellings', async () => {
    const file = path.join(workDir, 'js', 'usage.ts');
    await writeFile(file, USAGE);
    expectOnlyMarkedErrors(file, USAGE);
  });

  it('plain JavaScript with // @ts-check gets the same names from the .d.ts', async () => {
    const file = path.join(workDir, 'js', 'check.js');
    const lines = [
      '// @ts-check',
      "import { createServerClient } from './out/rolecall.gen.js';",
      "const admin = createServerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', secret: 's' });",
      "export const good = admin.call('town_hall', 'c1');",
      "export const typo = admin.call('town_hal', 'c1');",
    ];
    await writeFile(file, lines.join('\n'));
    const errors = typeErrors(file, { allowJs: true, checkJs: true });
    expect(errors.map((error) => error.line)).toEqual([5]);
    expect(errors[0]?.message).toContain('town_hal');
  });
});
