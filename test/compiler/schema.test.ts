// The published JSON Schema: compiles in ajv strict mode, stays in step with the builtin catalog
// (editor completions), accepts valid grants files and rejects each kind of invalid shape.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import schema from '../../schema/rolecall.schema.json' with { type: 'json' };
import packageJson from '../../package.json' with { type: 'json' };
import { builtinCatalog } from '../../compiler/validate/catalog.js';

const strictAjv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = strictAjv.compile(schema);

function errorsOf(value: unknown): ErrorObject[] {
  return validate(value) ? [] : (validate.errors ?? []);
}

describe('schema/rolecall.schema.json', () => {
  it('compiles in ajv strict mode and is a draft-07 schema editors understand', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  it('is exported by the package where the yaml-language-server comment points', () => {
    expect(packageJson.exports['./schema/rolecall.schema.json']).toBe(
      './schema/rolecall.schema.json',
    );
    expect(packageJson.files).toContain('schema');
  });

  it('offers every builtin permission, action, role and call type for completion', () => {
    const permissionIds = [...builtinCatalog.permissions.keys()].sort();
    expect([...schema.definitions.permissionId.examples].sort()).toEqual(permissionIds);
    expect([...schema.definitions.modifier.examples].sort()).toEqual(
      [...permissionIds, ...permissionIds.map((id) => `!${id}`)].sort(),
    );
    expect([...schema.definitions.customPermission.properties.action.examples].sort()).toEqual(
      [...builtinCatalog.actions.keys()].sort(),
    );
    for (const grants of ['appGrants', 'callTypeGrants', 'overrideGrants'] as const) {
      expect(Object.keys(schema.definitions[grants].properties).sort()).toEqual(
        [...builtinCatalog.roles.keys()].sort(),
      );
    }
    expect(Object.keys(schema.properties.call_types.properties).sort()).toEqual(
      [...builtinCatalog.callTypes].sort(),
    );
  });

  it('accepts the example grants file and custom names everywhere', () => {
    const example = parse(
      readFileSync(new URL('../../examples/video-saas/rolecall.yaml', import.meta.url), 'utf8'),
    ) as unknown;
    expect(errorsOf(example)).toEqual([]);
    expect(
      errorsOf({
        version: 1,
        app: { multi_tenant_enabled: false, grants: null },
        roles: { agent: {}, lead: { level: 'user', description: 'd' } },
        permissions: [{ id: 'p', action: 'Custom', owner: true, same_team: false }],
        call_types: { town_hall: { grants: { agent: ['my-own-permission'] } }, default: {} },
        calls: { 'town_hall:Weekly_1': { config_overrides: { grants: { x: ['!y', 'z'] } } } },
      }),
    ).toEqual([]);
  });

  const invalid: { name: string; value: unknown; keyword: string; path: string }[] = [
    { name: 'not a map', value: ['version'], keyword: 'type', path: '' },
    { name: 'no version', value: {}, keyword: 'required', path: '' },
    { name: 'version 2', value: { version: 2 }, keyword: 'const', path: '/version' },
    {
      name: 'an unknown key',
      value: { version: 1, rules: {} },
      keyword: 'additionalProperties',
      path: '',
    },
    {
      name: 'multi_tenant_enabled as a string',
      value: { version: 1, app: { multi_tenant_enabled: 'yes' } },
      keyword: 'type',
      path: '/app/multi_tenant_enabled',
    },
    {
      name: 'grants as a list',
      value: { version: 1, app: { grants: ['search-user'] } },
      keyword: 'type',
      path: '/app/grants',
    },
    {
      name: 'a role mapped to null',
      value: { version: 1, call_types: { default: { grants: { user: null } } } },
      keyword: 'type',
      path: '/call_types/default/grants/user',
    },
    {
      name: 'an empty permission id in a list',
      value: { version: 1, app: { grants: { user: [''] } } },
      keyword: 'minLength',
      path: '/app/grants/user/0',
    },
    {
      name: 'a custom role given as a string',
      value: { version: 1, roles: { agent: 'Field agents' } },
      keyword: 'type',
      path: '/roles/agent',
    },
    {
      name: 'a role level outside user/call',
      value: { version: 1, roles: { agent: { level: 'app' } } },
      keyword: 'enum',
      path: '/roles/agent/level',
    },
    {
      name: 'an upper-case role name',
      value: { version: 1, roles: { Agent: {} } },
      keyword: 'pattern',
      path: '/roles',
    },
    {
      name: '26 custom roles',
      value: {
        version: 1,
        roles: Object.fromEntries(Array.from({ length: 26 }, (_, index) => [`r${index}`, {}])),
      },
      keyword: 'maxProperties',
      path: '/roles',
    },
    {
      name: 'a permission without an action',
      value: { version: 1, permissions: [{ id: 'x' }] },
      keyword: 'required',
      path: '/permissions/0',
    },
    {
      name: 'owner as a string',
      value: { version: 1, permissions: [{ id: 'x', action: 'EndCall', owner: 'yes' }] },
      keyword: 'type',
      path: '/permissions/0/owner',
    },
    {
      name: 'a call type given as a list',
      value: { version: 1, call_types: { default: [] } },
      keyword: 'type',
      path: '/call_types/default',
    },
    {
      name: 'a call key without an id',
      value: { version: 1, calls: { 'default:': {} } },
      keyword: 'pattern',
      path: '/calls',
    },
    {
      name: 'overrides outside config_overrides',
      value: { version: 1, calls: { 'default:x': { grants: {} } } },
      keyword: 'additionalProperties',
      path: '/calls/default:x',
    },
    {
      name: 'a modifier that is not a string',
      value: {
        version: 1,
        calls: { 'default:x': { config_overrides: { grants: { user: [true] } } } },
      },
      keyword: 'type',
      path: '/calls/default:x/config_overrides/grants/user/0',
    },
  ];

  it.each(invalid)('rejects $name', ({ value, keyword, path }) => {
    const errors = errorsOf(value);
    expect(errors.map((error) => [error.keyword, error.instancePath])).toContainEqual([
      keyword,
      path,
    ]);
  });
});
