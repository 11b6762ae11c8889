// The permissions matrix model and its HTML, checked against the resolver (an independent path to
// the same grants) and against the YAML text the cells point at.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrants } from '../../compiler/load/index.js';
import { diffPolicies } from '../../review/diff/index.js';
import {
  buildMatrix,
  buildMatrixFromText,
  renderMatrixDiffHtml,
  renderMatrixHtml,
  type CellState,
  type MatrixModel,
} from '../../review/matrix/index.js';
import { applyModifiers, resolveGrants } from '../../compiler/resolve/index.js';
import type { GrantsSpec, ResolvedPolicy } from '../../compiler/types.js';
import { validateGrants } from '../../compiler/validate/index.js';
import { main } from '../../cli/run.js';
import { captureCliIo } from '../support/cli-io.js';
// DESIGN §2's example: a patch, a `[]` clear, a `null` reset, a custom type and a revoke; the
// evaluator contract runs against the same file.
import { CONTRACT_GRANTS_YAML as DESIGN_EXAMPLE } from '../contract/fixture.js';

const EXAMPLE = 'examples/video-saas/rolecall.yaml';

interface Compiled {
  text: string;
  spec: GrantsSpec;
  policy: ResolvedPolicy;
  model: MatrixModel;
}

function compile(file: string, text: string): Compiled {
  const loaded = loadGrants(file, text);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const validated = validateGrants(loaded.value);
  if (!validated.ok) throw new Error(JSON.stringify(validated.diagnostics));
  const policy = resolveGrants(validated.value, { locate: loaded.value.locate });
  const built = buildMatrixFromText(file, text);
  if (!built.ok) throw new Error(JSON.stringify(built.diagnostics));
  return { text, spec: validated.value, policy, model: built.value };
}

/** Every cell's access (granted or inherited: held; revoked; none), by scope, role, permission. */
function accessOf(model: MatrixModel): Record<string, string> {
  const access: Record<string, string> = {};
  const held = (state: CellState): string =>
    state === 'granted' || state === 'inherited' ? 'held' : state;
  for (const scope of model.scopes) {
    for (const [role, row] of Object.entries(scope.cells)) {
      for (const [permission, found] of Object.entries(row)) {
        access[`${scope.id} ${role} ${permission}`] = held(found.state);
      }
    }
  }
  return access;
}

function cell(model: MatrixModel, scopeId: string, role: string, permission: string) {
  const found = model.scopes.find((scope) => scope.id === scopeId)?.cells[role]?.[permission];
  if (found === undefined) throw new Error(`no cell ${scopeId} ${role} ${permission}`);
  return found;
}

describe('matrix model of the example', () => {
  let example: Compiled;
  beforeAll(async () => {
    example = compile(EXAMPLE, await readFile(EXAMPLE, 'utf8'));
  });

  it('has one scope for .app, each call type and each call override', () => {
    const ids = example.model.scopes.map((scope) => scope.id);
    expect(ids[0]).toBe('.app');
    expect(ids.filter((id) => id.startsWith('call_type:')).sort()).toEqual(
      Object.keys(example.policy.call_types)
        .map((name) => `call_type:${name}`)
        .sort(),
    );
    expect(ids.filter((id) => id.startsWith('call:')).sort()).toEqual(
      Object.keys(example.policy.call_overrides)
        .map((key) => `call:${key}`)
        .sort(),
    );
  });

  it('holds a permission in a cell exactly when the resolved grants (plus overrides) do', () => {
    let checked = 0;
    for (const scope of example.model.scopes) {
      const typeName = scope.kind === 'call' ? (scope.name.split(':')[0] ?? '') : scope.name;
      const expected =
        scope.kind === 'app'
          ? example.policy.app_grants
          : scope.kind === 'call_type'
            ? (example.policy.call_types[typeName] ?? {})
            : applyModifiers(
                example.policy.call_types[typeName] ?? {},
                example.policy.call_overrides[scope.name],
              );
      for (const role of scope.roles) {
        for (const permission of scope.permissions) {
          const state = scope.cells[role]?.[permission]?.state;
          const holds = state === 'granted' || state === 'inherited';
          expect(holds, `${scope.id} ${role} ${permission}`).toBe(
            (expected[role] ?? []).includes(permission),
          );
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('marks a grant "granted" only where the file names the role in that scope', () => {
    for (const scope of example.model.scopes.filter((candidate) => candidate.kind !== 'call')) {
      const patch =
        scope.kind === 'app'
          ? example.spec.app?.grants
          : example.spec.call_types?.[scope.name]?.grants;
      const custom =
        scope.kind === 'call_type' &&
        !['default', 'audio_room', 'livestream', 'development'].includes(scope.name);
      for (const role of scope.roles) {
        const named = custom || (patch !== null && patch !== undefined && role in patch);
        for (const permission of scope.permissions) {
          const state = scope.cells[role]?.[permission]?.state;
          if (state === 'granted') expect(named, `${scope.id} ${role} ${permission}`).toBe(true);
          if (state === 'inherited') expect(named, `${scope.id} ${role} ${permission}`).toBe(false);
          expect(state).not.toBe('revoked');
        }
      }
    }
  });

  it('points every granted and revoked cell at the YAML line that writes it', () => {
    const lines = example.text.split('\n');
    let pointed = 0;
    for (const scope of example.model.scopes) {
      for (const role of scope.roles) {
        for (const permission of scope.permissions) {
          const found = scope.cells[role]?.[permission];
          if (found?.state !== 'granted' && found?.state !== 'revoked') continue;
          expect(found.source, `${scope.id} ${role} ${permission}`).toBeDefined();
          const { file, line, column } = found.source ?? { file: '', line: 0, column: 0 };
          expect(file).toBe(EXAMPLE);
          const at = (lines[line - 1] ?? '').slice(column - 1).replace(/^['"]/, '');
          const written = found.state === 'revoked' ? `!${permission}` : permission;
          expect(
            at.startsWith(written),
            `${scope.id} ${role} ${permission} at ${line}:${column}`,
          ).toBe(true);
          pointed += 1;
        }
      }
    }
    expect(pointed).toBeGreaterThan(50);
  });

  it('points the role columns of a scope at the role lists the file writes there', () => {
    const lines = example.text.split('\n');
    const located = example.model.scopes.flatMap((scope) =>
      Object.entries(scope.roleSources ?? {}).map(([role, source]) => ({ scope, role, source })),
    );
    for (const { scope, role, source } of located) {
      const at = (lines[source.line - 1] ?? '').slice(source.column - 1);
      expect(at.startsWith(`${role}:`), `${scope.id} ${role}`).toBe(true);
    }
    const names = (id: string) =>
      Object.keys(example.model.scopes.find((scope) => scope.id === id)?.roleSources ?? {}).sort();
    expect(names('call_type:default')).toEqual(
      Object.keys(example.spec.call_types?.['default']?.grants ?? {}).sort(),
    );
    expect(names('call:default:board-meeting')).toEqual(['call_member', 'workspace_admin']);
    expect(names('call_type:audio_room')).toEqual([]);
  });

  it('builds the same access from the resolved policy alone (a live policy has no spec)', () => {
    const withoutSpec = buildMatrix(example.policy, undefined, { file: 'live' });
    expect(accessOf(withoutSpec)).toEqual(accessOf(example.model));
    // Without the spec, a role's list counts as this policy's own only where it differs from
    // the defaults: the example rewrites call_member's list in `default` with the default list.
    const state = (model: MatrixModel, scope: string, role: string, permission: string) =>
      model.scopes.find((candidate) => candidate.id === scope)?.cells[role]?.[permission]?.state;
    expect(state(withoutSpec, 'call_type:default', 'host', 'send-video')).toBe('inherited');
    expect(state(withoutSpec, 'call_type:default', 'call_member', 'send-video')).toBe('inherited');
    expect(state(example.model, 'call_type:default', 'call_member', 'send-video')).toBe('granted');
    expect(state(withoutSpec, 'call_type:default', 'user', 'create-call')).toBe('granted');
    expect(state(withoutSpec, 'call:default:board-meeting', 'call_member', 'screenshare')).toBe(
      'revoked',
    );
  });

  it('marks team-bound and owner-bound permissions from the catalog and custom permissions', () => {
    const byId = new Map(
      example.model.permissions.map((permission) => [permission.id, permission]),
    );
    expect(byId.get('search-user-same-team')?.sameTeam).toBe(true);
    expect(byId.get('end-call-same-team')).toMatchObject({ sameTeam: true, builtin: false });
    expect(byId.get('update-call-owner')).toMatchObject({ owner: true, sameTeam: false });
    expect(byId.get('update-call-settings-owner')?.source?.line).toBeGreaterThan(0);
    for (const [id, permission] of Object.entries(example.policy.permissions)) {
      expect(byId.get(id)).toMatchObject({
        owner: permission.owner,
        sameTeam: permission.same_team,
      });
    }
  });
});

describe('matrix model of the DESIGN example', () => {
  const design = compile('rolecall.yaml', DESIGN_EXAMPLE);

  it('tells apart granted, inherited, revoked, cleared and not granted', () => {
    const { model } = design;
    expect(cell(model, '.app', 'user', 'search-user-same-team').state).toBe('granted');
    expect(cell(model, '.app', 'user', 'search-user')).toMatchObject({
      state: 'none',
      cleared: true,
    });
    expect(cell(model, '.app', 'admin', 'create-user').state).toBe('inherited');
    expect(cell(model, '.app', 'special_agent', 'search-user').state).toBe('granted');
    expect(cell(model, 'call_type:default', 'guest', 'join-call')).toMatchObject({
      state: 'none',
      cleared: true,
    });
    expect(cell(model, 'call_type:default', 'call_member', 'send-video').state).toBe('granted');
    expect(cell(model, 'call_type:default', 'call_member', 'screenshare')).toMatchObject({
      state: 'none',
      cleared: true,
    });
    expect(cell(model, 'call_type:default', 'host', 'send-video').state).toBe('inherited');
    expect(cell(model, 'call_type:livestream', 'host', 'start-broadcast-call').state).toBe(
      'inherited',
    );
    expect(cell(model, 'call_type:town_hall', 'stage_manager', 'mute-users').state).toBe('granted');
    expect(cell(model, 'call_type:town_hall', 'host', 'send-video').state).toBe('none');
    const revoke = cell(model, 'call:livestream:example', 'user', 'send-video');
    expect(revoke.state).toBe('revoked');
    const typeGrantsVideo = (design.policy.call_types['livestream']?.['user'] ?? []).includes(
      'send-video',
    );
    expect(revoke.note === undefined).toBe(typeGrantsVideo);
    expect(cell(model, 'call:livestream:example', 'user', 'create-reaction').state).toBe('granted');
    expect(cell(model, 'call:livestream:example', 'user', 'read-call').state).toBe('inherited');
  });

  it('keeps call-level builtin roles out of .app and puts every role in call scopes', () => {
    const app = design.model.scopes.find((scope) => scope.id === '.app');
    expect(app?.roles).toEqual(['user', 'guest', 'anonymous', 'admin', 'special_agent']);
    const townHall = design.model.scopes.find((scope) => scope.id === 'call_type:town_hall');
    expect(townHall?.roles).toContain('call_member');
    expect(townHall?.roles).toContain('stage_manager');
  });
});

describe('matrix HTML', () => {
  it('escapes every text that comes from the grants file', () => {
    const hostile = DESIGN_EXAMPLE.replace(
      '{ description: Field agents }',
      `{ description: "<img src=x onerror=alert(1)> & \\"quoted\\" 'single'" }`,
    ).replace('name: End call in own team', 'name: "</td><script>alert(2)</script>"');
    const { model } = compile('rolecall.yaml', hostile);
    const page = renderMatrixHtml(model, { sourceHref: (source) => `x:"${source.file}"<>` });
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert(2)');
    expect(page).toContain(
      '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; &#39;single&#39;',
    );
    expect(page).toContain('href="x:&quot;rolecall.yaml&quot;&lt;&gt;"');
    // One inline script: the filters.
    expect(page.match(/<script>/g)).toHaveLength(1);
  });

  it('needs no network: no external URL is referenced', () => {
    const page = renderMatrixHtml(design().model);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page).toContain("default-src 'none'");
  });
});

function design(): Compiled {
  return compile('rolecall.yaml', DESIGN_EXAMPLE);
}

/** The changed cells of a diff page: `scope role permission change effect`, sorted. */
function changedCells(page: string): string[] {
  const scopes = page.split('<section').filter((section) => /^\s+class="scope"/.test(section));
  return scopes
    .flatMap((section) => {
      const scope = /data-scope="([^"]*)"/.exec(section)?.[1] ?? '';
      return [...section.matchAll(/<td[^>]*\bdata-effect="([^"]*)"[^>]*>/g)].map((match) => {
        const attribute = (name: string) =>
          new RegExp(`data-${name}="([^"]*)"`).exec(match[0])?.[1] ?? '';
        const effect = match[1] ?? '';
        return `${scope} ${attribute('role')} ${attribute('permission')} ${attribute('change')} ${effect}`;
      });
    })
    .sort();
}

describe('matrix diff page (a PolicyDiff drawn over both matrices)', () => {
  it('marks exactly the grant changes of the diff: widening green, narrowing red', () => {
    const before = design();
    const changedText = DESIGN_EXAMPLE.replace(
      'user: ["!send-video", create-reaction]',
      'user: [create-reaction, "!read-call"]',
    )
      .replace('guest: []', 'guest: [read-call]')
      .replace('  livestream:\n    grants: null\n', '');
    const after = compile('rolecall.yaml', changedText);
    const diff = diffPolicies(before.policy, after.policy);
    const page = renderMatrixDiffHtml(diff, { before: before.model, after: after.model });
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(changedCells(page)).toEqual(
      diff.grants
        .map(
          (change) =>
            `${change.scope} ${change.role} ${change.permission} ${change.change} ${change.effect}`,
        )
        .sort(),
    );
    expect(changedCells(page)).toEqual([
      'call:livestream:example user read-call revoked narrowed',
      'call:livestream:example user send-video unrevoked widened',
      'call_type:default guest read-call added widened',
    ]);
    expect(page).toMatch(/<td\s+class="cell added"[^>]*data-change="added"/);
    expect(page).toMatch(/<td\s+class="cell removed"[^>]*data-change="revoked"/);
    // Only scopes with changes get a table; unchanged cells around them show their access.
    const scopes = [...page.matchAll(/<section\s+class="scope"\s+data-scope="([^"]*)"/g)].map(
      (match) => match[1],
    );
    expect(scopes).toEqual(['call_type:default', 'call:livestream:example']);
    expect(page).toMatch(
      /data-role="guest"\s+data-permission="join-call"\s+data-change="same"\s+data-before="(granted|inherited)"/,
    );
  });

  it('lists a new scope as added and a dropped one as removed', () => {
    const before = design();
    const after = compile('rolecall.yaml', DESIGN_EXAMPLE.replace(/calls:[\s\S]*$/, ''));
    const status = (from: Compiled, to: Compiled) =>
      /data-scope="call:livestream:example"\s+data-kind="call"\s+data-status="([a-z]+)"/.exec(
        renderMatrixDiffHtml(diffPolicies(from.policy, to.policy), {
          before: from.model,
          after: to.model,
        }),
      )?.[1];
    expect(status(before, after)).toBe('removed');
    expect(status(after, before)).toBe('added');
  });

  it('says so when nothing changed, and needs no network', () => {
    const same = design();
    const page = renderMatrixDiffHtml(diffPolicies(same.policy, same.policy), {
      before: same.model,
      after: same.model,
    });
    expect(page).toContain('id="no-changes"');
    expect(page).not.toContain('<section');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('rolecall matrix', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-matrix-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one HTML page with vscode links to the YAML', async () => {
    const output = path.join(dir, 'matrix.html');
    const cli = captureCliIo(process.cwd());
    expect(await main(['matrix', EXAMPLE, '-o', output], cli)).toBe(0);
    const page = await readFile(output, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`href="vscode://file${path.resolve(EXAMPLE)}:`);
  });

  it('writes relative links with a line anchor on request', async () => {
    const output = path.join(dir, 'relative.html');
    expect(
      await main(
        ['matrix', EXAMPLE, '-o', output, '--link', 'relative'],
        captureCliIo(process.cwd()),
      ),
    ).toBe(0);
    const page = await readFile(output, 'utf8');
    const relative = path.relative(dir, path.resolve(EXAMPLE));
    expect(page).toMatch(new RegExp(`href="${relative.replaceAll('.', '\\.')}#L\\d+"`));
  });

  it('prints diagnostics and exits 1 on an invalid grants file, writing nothing', async () => {
    const bad = path.join(dir, 'bad.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(bad, 'version: 1\napp:\n  grants:\n    user: [join-cal]\n');
    const output = path.join(dir, 'bad.html');
    const cli = captureCliIo(process.cwd());
    expect(await main(['matrix', bad, '-o', output], cli)).toBe(1);
    expect(cli.err()).toContain('UNKNOWN_PERMISSION');
    await expect(readFile(output)).rejects.toThrow();
  });

  it('exits 2 on usage errors', async () => {
    expect(await main(['matrix'], captureCliIo(process.cwd()))).toBe(2);
    expect(await main(['matrix', EXAMPLE, '--link', 'emacs'], captureCliIo(process.cwd()))).toBe(2);
    const missing = captureCliIo(dir);
    expect(await main(['matrix', 'missing.yaml'], missing)).toBe(2);
    expect(missing.err()).toBe('rolecall matrix: cannot read missing.yaml: no such file\n');
  });
});
