import { ts, Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { ENTRYPOINTS } from '../../compiler/assets.js';
import { emitData, stableJson } from '../../compiler/emit-data/index.js';
import { emitManifest } from '../../compiler/emit-manifest/index.js';
import { emitTypes } from '../../compiler/emit-types/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import type { GrantsSpec, ResolvedPolicy } from '../../compiler/types.js';

const spec: GrantsSpec = {
  version: 1,
  app: { multi_tenant_enabled: true, grants: { special_agent: ['search-user'] } },
  roles: { special_agent: { description: 'Field agents' }, stage_manager: { level: 'call' } },
  permissions: [{ id: 'end-call-same-team', action: 'EndCall', same_team: true }],
  call_types: { town_hall: { grants: { stage_manager: ['read-call'] } } },
  calls: { 'town_hall:weekly': { config_overrides: { grants: { user: ['!read-call'] } } } },
};
const policy = resolveGrants(spec);

function text(contents: string | Uint8Array): string {
  return typeof contents === 'string' ? contents : new TextDecoder().decode(contents);
}

/** True when every object in `value` has its keys in code-unit order. */
function keysSorted(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSorted);
  if (typeof value !== 'object' || value === null) return true;
  const keys = Object.keys(value);
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    keys.every((key, index) => key === sorted[index]) && Object.values(value).every(keysSorted)
  );
}

describe('emitData', () => {
  const file = emitData(policy);
  const contents = text(file.contents);

  it('writes the policy under rolecall_data in data.json', () => {
    expect(file.path).toBe('data.json');
    const written = (JSON.parse(contents) as { rolecall_data: ResolvedPolicy }).rolecall_data;
    expect({ ...written, permissions_by_action: undefined, decision_tables: undefined }).toEqual(
      policy,
    );
  });

  it('indexes every permission under its action, sorted, and nothing else', () => {
    const written = (JSON.parse(contents) as { rolecall_data: ResolvedPolicy }).rolecall_data;
    const index = written.permissions_by_action ?? {};
    const fromIndex = Object.entries(index).flatMap(([action, ids]) => {
      expect(ids).toEqual([...ids].sort());
      return ids.map((id) => [id, action]);
    });
    const fromPermissions = Object.entries(policy.permissions).map(([id, { action }]) => [
      id,
      action,
    ]);
    expect(fromIndex.sort()).toEqual(fromPermissions.sort());
    expect(index['EndCall']).toEqual(['end-call', 'end-call-owner', 'end-call-same-team']);
  });

  it('sorts keys at every depth, indents with two spaces and ends with a newline', () => {
    expect(keysSorted(JSON.parse(contents))).toBe(true);
    expect(contents.endsWith('}\n')).toBe(true);
    expect(contents.split('\n')[1]).toBe('  "rolecall_data": {');
  });

  it('does not depend on key insertion order', () => {
    const reversed = Object.fromEntries(Object.entries(policy).reverse()) as typeof policy;
    expect(text(emitData(reversed).contents)).toBe(contents);
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(
      '{\n  "a": [\n    {\n      "c": 2,\n      "d": 1\n    }\n  ],\n  "b": 1\n}\n',
    );
  });
});

describe('emitManifest', () => {
  it('names the revision, the roots and every WASM entrypoint under metadata', () => {
    const file = emitManifest(policy, '9.9.9');
    expect(file.path).toBe('.manifest');
    expect(JSON.parse(text(file.contents))).toEqual({
      revision: policy.revision,
      roots: ['rolecall', 'rolecall_data'],
      metadata: {
        rolecall: {
          version: '9.9.9',
          wasm: ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
        },
      },
    });
  });
});

describe('emitTypes', () => {
  const file = emitTypes(policy);
  const source = text(file.contents);

  it('is deterministic', () => {
    expect(text(emitTypes(resolveGrants(spec)).contents)).toBe(source);
  });

  it('typechecks under strict settings, and its unions accept exactly the policy names', () => {
    const project = new Project({
      useInMemoryFileSystem: true,
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        noUnusedLocals: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        lib: ['lib.es2022.d.ts'],
      },
    });
    project.createSourceFile('/rolecall.gen.ts', source);
    project.createSourceFile(
      '/usage.ts',
      [
        "import { type Action, type CallRole, type CallType, type PermissionId, type Role, type UserRole, REVISION, ROLES } from './rolecall.gen';",
        "export const role: Role = 'special_agent';",
        "export const callRole: CallRole = 'stage_manager';",
        "export const bothLevels: UserRole & CallRole = 'special_agent';",
        "export const callType: CallType = 'town_hall';",
        "export const permission: PermissionId = 'end-call-same-team';",
        "export const action: Action = 'EndCall';",
        'export const revision: string = REVISION;',
        'export const count: number = ROLES.length;',
        '// @ts-expect-error stage_manager is a call-level role',
        "export const wrongLevel: UserRole = 'stage_manager';",
        '// @ts-expect-error host is a builtin call-level role',
        "export const hostAsUser: UserRole = 'host';",
        '// @ts-expect-error not a permission',
        "export const unknownPermission: PermissionId = 'join-cal';",
        '// @ts-expect-error not a call type',
        "export const unknownType: CallType = 'town-hall';",
      ].join('\n'),
    );
    const diagnostics = project
      .getPreEmitDiagnostics()
      .map((diagnostic) =>
        ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, '\n'),
      );
    expect(diagnostics).toEqual([]);
  });

  it('lists user and call roles by level (custom `any` roles in both)', () => {
    expect(source).toMatch(/export type UserRole = \(typeof USER_ROLES\)\[number\];/);
    const userRoles = /USER_ROLES = \[([^\]]*)\]/.exec(source)?.[1] ?? '';
    expect(userRoles).toContain("'special_agent'");
    expect(userRoles).not.toContain("'stage_manager'");
    expect(userRoles).not.toContain("'call_member'");
  });
});
