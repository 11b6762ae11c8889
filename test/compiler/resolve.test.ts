import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import defaults from '../../policies/defaults.json' with { type: 'json' };
import catalog from '../../policies/catalog.json' with { type: 'json' };
import { applyModifiers, patchScope, resolveGrants } from '../../compiler/resolve/index.js';
import type { GrantsSpec, SpanLocator } from '../../compiler/types.js';

const appDefaults = defaults.app as Record<string, string[]>;
const typeDefaults = defaults.call_types as Record<string, Record<string, string[]>>;

/** A locator that places node `path` at a line derived from its position, like a YAML file would. */
const fakeLocator: SpanLocator = (path) => {
  const line = path.length * 10 + (typeof path.at(-1) === 'number' ? Number(path.at(-1)) : 0);
  return { file: 'grants.yaml', line, column: 7, endLine: line, endColumn: 20 };
};

describe('resolveGrants: scope patches', () => {
  it('keeps every builtin default when the spec patches nothing', () => {
    const policy = resolveGrants({ version: 1 });
    expect(policy.app_grants).toEqual(appDefaults);
    for (const [callType, grants] of Object.entries(typeDefaults)) {
      expect(policy.call_types[callType]).toEqual(grants);
    }
    expect(policy.settings.multi_tenant_enabled).toBe(false);
    expect(policy.call_overrides).toEqual({});
  });

  it('replaces a named role in .app and keeps unnamed roles', () => {
    const policy = resolveGrants({
      version: 1,
      app: { grants: { user: ['search-user-same-team', 'query-calls-same-team'] } },
    });
    expect(policy.app_grants['user']).toEqual(['query-calls-same-team', 'search-user-same-team']);
    expect(policy.app_grants['admin']).toEqual(appDefaults['admin']);
    expect(policy.app_grants['guest']).toEqual(appDefaults['guest']);
  });

  it('replaces (does not merge) a named role of a builtin call type', () => {
    const policy = resolveGrants({
      version: 1,
      call_types: { default: { grants: { call_member: ['read-call', 'join-call'] } } },
    });
    expect(policy.call_types['default']?.['call_member']).toEqual(['join-call', 'read-call']);
    expect(policy.call_types['default']?.['host']).toEqual(typeDefaults['default']?.['host']);
  });

  it('clears a role with []', () => {
    const policy = resolveGrants({
      version: 1,
      app: { grants: { guest: [] } },
      call_types: { default: { grants: { guest: [] } } },
    });
    expect(policy.app_grants['guest']).toBeUndefined();
    expect(policy.call_types['default']?.['guest']).toBeUndefined();
    expect(policy.call_types['default']?.['user']).toEqual(typeDefaults['default']?.['user']);
  });

  it('resets a scope to the builtin defaults with null', () => {
    const policy = resolveGrants({
      version: 1,
      app: { grants: null },
      call_types: { livestream: { grants: null } },
    });
    expect(policy.app_grants).toEqual(appDefaults);
    expect(policy.call_types['livestream']).toEqual(typeDefaults['livestream']);
  });

  it('keeps the defaults of builtin call types the spec does not mention', () => {
    const policy = resolveGrants({
      version: 1,
      call_types: { default: { grants: { user: [] } } },
    });
    expect(policy.call_types['audio_room']).toEqual(typeDefaults['audio_room']);
    expect(policy.call_types['development']).toEqual(typeDefaults['development']);
  });

  it('starts a custom call type empty and applies its patch', () => {
    const policy = resolveGrants({
      version: 1,
      roles: { stage_manager: { level: 'call' } },
      call_types: {
        town_hall: { grants: { user: ['read-call', 'join-call'] } },
        empty_type: {},
        reset_type: { grants: null },
      },
    });
    expect(policy.call_types['town_hall']).toEqual({ user: ['join-call', 'read-call'] });
    expect(policy.call_types['empty_type']).toEqual({});
    expect(policy.call_types['reset_type']).toEqual({});
  });

  it('sorts and de-duplicates grant lists', () => {
    const policy = resolveGrants({
      version: 1,
      app: { grants: { user: ['search-user', 'block-user', 'search-user'] } },
    });
    expect(policy.app_grants['user']).toEqual(['block-user', 'search-user']);
  });
});

describe('resolveGrants: catalog, roles, overrides', () => {
  it('adds custom permissions and roles next to the builtin ones', () => {
    const policy = resolveGrants({
      version: 1,
      roles: { special_agent: { description: 'Field agents' }, stage_manager: { level: 'call' } },
      permissions: [{ id: 'end-call-same-team', action: 'EndCall', same_team: true }],
    });
    expect(Object.keys(policy.permissions)).toHaveLength(catalog.permissions.length + 1);
    expect(policy.permissions['end-call-same-team']).toMatchObject({
      action: 'EndCall',
      builtin: false,
      owner: false,
      same_team: true,
    });
    expect(policy.permissions['end-call']?.builtin).toBe(true);
    expect(policy.roles['special_agent']).toEqual({
      builtin: false,
      description: 'Field agents',
      level: 'any',
    });
    expect(policy.roles['stage_manager']?.level).toBe('call');
    expect(policy.roles['host']).toMatchObject({ builtin: true, level: 'call' });
    expect(Object.keys(policy.actions)).toEqual(Object.keys(catalog.actions).sort());
  });

  it('keeps call overrides as sorted modifier lists and drops empty ones', () => {
    const policy = resolveGrants({
      version: 1,
      calls: {
        'livestream:example': {
          config_overrides: { grants: { user: ['!send-video', 'create-reaction'], guest: [] } },
        },
        'default:quiet': { config_overrides: { grants: null } },
        'default:nothing': { config_overrides: { grants: { user: [] } } },
      },
    });
    expect(policy.call_overrides).toEqual({
      'livestream:example': { user: ['!send-video', 'create-reaction'] },
    });
  });

  it('reads multi_tenant_enabled', () => {
    const policy = resolveGrants({ version: 1, app: { multi_tenant_enabled: true } });
    expect(policy.settings.multi_tenant_enabled).toBe(true);
  });
});

describe('resolveGrants: sources', () => {
  const spec: GrantsSpec = {
    version: 1,
    app: { grants: { user: ['search-user', 'query-calls'] } },
    call_types: { default: { grants: { call_member: ['read-call'] } } },
    calls: { 'default:x': { config_overrides: { grants: { user: ['!read-call'] } } } },
  };

  it('records file:line:col of each grant the file wrote, and none for defaults', () => {
    const policy = resolveGrants(spec, { locate: fakeLocator });
    // app.grants.user[1] is at depth 4 → line 41 per the fake locator.
    expect(policy.sources.app).toEqual({
      user: { 'query-calls': 'grants.yaml:41:7', 'search-user': 'grants.yaml:40:7' },
    });
    expect(policy.sources.call_types).toEqual({
      default: { call_member: { 'read-call': 'grants.yaml:50:7' } },
    });
    expect(policy.sources.call_overrides).toEqual({
      'default:x': { user: { 'read-call': 'grants.yaml:60:7' } },
    });
    expect(policy.sources.app['admin']).toBeUndefined();
  });

  it('has no sources without a locator (grants from the API)', () => {
    const policy = resolveGrants(spec);
    expect(policy.sources).toEqual({ app: {}, call_types: {}, call_overrides: {} });
  });
});

describe('resolveGrants: determinism', () => {
  const spec: GrantsSpec = {
    version: 1,
    roles: { special_agent: {} },
    app: { grants: { special_agent: ['search-user'] } },
    call_types: { town_hall: { grants: { user: ['read-call'] } } },
  };

  it('gives the same revision and data for the same input, whatever the key order', () => {
    const reordered: GrantsSpec = {
      call_types: { town_hall: { grants: { user: ['read-call'] } } },
      app: { grants: { special_agent: ['search-user'] } },
      roles: { special_agent: {} },
      version: 1,
    };
    const first = resolveGrants(spec);
    expect(resolveGrants(spec)).toEqual(first);
    expect(resolveGrants(reordered).revision).toBe(first.revision);
    expect(JSON.stringify(resolveGrants(reordered))).toBe(JSON.stringify(first));
    expect(first.revision).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes the revision when any grant changes', () => {
    const base = resolveGrants(spec).revision;
    const variants: GrantsSpec[] = [
      { ...spec, app: { grants: { special_agent: ['search-user', 'query-calls'] } } },
      { ...spec, call_types: { town_hall: { grants: { user: ['join-call'] } } } },
      {
        ...spec,
        calls: { 'town_hall:a': { config_overrides: { grants: { user: ['!read-call'] } } } },
      },
      { ...spec, app: { ...spec.app, multi_tenant_enabled: true } },
      { ...spec, roles: { special_agent: { level: 'user' } } },
    ];
    const revisions = variants.map((variant) => resolveGrants(variant).revision);
    for (const revision of revisions) expect(revision).not.toBe(base);
    expect(new Set(revisions).size).toBe(variants.length);
  });

  it('keeps the revision when only source positions or the file name change (DESIGN §7)', () => {
    const shifted: SpanLocator = (path) => {
      const span = fakeLocator(path);
      return span && { ...span, file: 'elsewhere/rolecall.yaml', line: span.line + 1 };
    };
    const moved = resolveGrants(spec, { locate: shifted });
    const original = resolveGrants(spec, { locate: fakeLocator });
    expect(moved.sources).not.toEqual(original.sources);
    expect(moved.revision).toBe(original.revision);
    expect(resolveGrants(spec).revision).toBe(original.revision);
  });
});

describe('patchScope and applyModifiers (shared with the server)', () => {
  const current = { user: ['read-call', 'join-call'], guest: ['read-call'] };

  it('patchScope keeps the scope for undefined, resets for null, replaces named roles', () => {
    expect(patchScope(current, undefined)).toEqual({
      guest: ['read-call'],
      user: ['join-call', 'read-call'],
    });
    expect(patchScope(current, null, { admin: ['end-call'] })).toEqual({ admin: ['end-call'] });
    expect(patchScope(current, { guest: [], host: ['end-call'] })).toEqual({
      host: ['end-call'],
      user: ['join-call', 'read-call'],
    });
  });

  it('applyModifiers adds bare ids and removes ! ids per role', () => {
    expect(
      applyModifiers(current, { user: ['!join-call', 'send-audio'], host: ['!end-call'] }),
    ).toEqual({ guest: ['read-call'], user: ['read-call', 'send-audio'] });
    expect(applyModifiers(current, null)).toEqual(patchScope(current, undefined));
  });
});

describe('resolveGrants: isolation', () => {
  it('returns fresh objects, so changing one policy never changes the catalog or the next one', () => {
    const first = resolveGrants({ version: 1 });
    const sendAudio = first.actions['SendAudio'];
    if (sendAudio === undefined) throw new Error('SendAudio missing');
    sendAudio.kind = 'read';
    first.app_grants['user']?.push('create-user');
    const second = resolveGrants({ version: 1 });
    expect(second.actions['SendAudio']?.kind).toBe('write');
    expect(second.app_grants['user']).toEqual(appDefaults['user']);
    expect(second.revision).not.toBe('');
  });
});

describe('resolveGrants: properties', () => {
  const userRoles = ['user', 'guest', 'anonymous', 'admin'];
  const appPermissions = catalog.permissions
    .filter(
      (permission) =>
        catalog.actions[permission.action as keyof typeof catalog.actions].level === 'app',
    )
    .map((permission) => permission.id);
  const patchArbitrary = fc.dictionary(
    fc.constantFrom(...userRoles),
    fc.array(fc.constantFrom(...appPermissions), { maxLength: 8 }),
  );

  it('a patch sets exactly the roles it names and leaves the others at their defaults', () => {
    fc.assert(
      fc.property(patchArbitrary, (patch) => {
        const policy = resolveGrants({ version: 1, app: { grants: patch } });
        for (const role of userRoles) {
          const expected = Object.hasOwn(patch, role)
            ? [...new Set(patch[role])].sort()
            : (appDefaults[role] ?? []);
          expect(policy.app_grants[role] ?? []).toEqual(expected);
        }
      }),
    );
  });

  it('two specs share a revision exactly when they resolve to the same grants', () => {
    fc.assert(
      fc.property(patchArbitrary, patchArbitrary, (left, right) => {
        const first = resolveGrants({ version: 1, app: { grants: left } });
        const second = resolveGrants({ version: 1, app: { grants: right } });
        const sameGrants = JSON.stringify(first.app_grants) === JSON.stringify(second.app_grants);
        expect(first.revision === second.revision).toBe(sameGrants);
      }),
    );
  });
});
