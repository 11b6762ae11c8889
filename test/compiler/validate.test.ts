// validateGrants: every schema and semantic rule of DESIGN §2 reports its stable code at the exact
// key or list item that breaks it; valid files pass and come back typed.
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../compiler/diagnostics/codes.js';
import { loadGrants } from '../../compiler/load/index.js';
import type { Diagnostic, GrantsDocument } from '../../compiler/types.js';
import { validateGrants } from '../../compiler/validate/index.js';
import { positionOf } from '../support/text-position.js';

function load(text: string): GrantsDocument {
  const loaded = loadGrants('rolecall.yaml', text);
  if (!loaded.ok) throw new Error(`fixture does not load: ${JSON.stringify(loaded.diagnostics)}`);
  return loaded.value;
}

function validate(text: string): Diagnostic[] {
  return validateGrants(load(text)).diagnostics;
}

interface Case {
  name: string;
  yaml: string;
  code: keyof typeof DIAGNOSTIC_CODES;
  /** The text the diagnostic must span exactly. */
  at: string;
  occurrence?: number;
  help?: string;
}

const lines = (...rows: string[]): string => rows.join('\n') + '\n';

const cases: Case[] = [
  {
    name: 'an unknown top-level key, with did-you-mean',
    yaml: lines('version: 1', 'calltypes: {}'),
    code: 'UNKNOWN_KEY',
    at: 'calltypes',
    help: 'did you mean "call_types"?',
  },
  {
    name: 'grant for grants',
    yaml: lines('version: 1', 'app:', '  grant:', '    user: [search-user]'),
    code: 'UNKNOWN_KEY',
    at: 'grant',
    help: 'did you mean "grants"?',
  },
  {
    name: 'an unknown key in a custom permission',
    yaml: lines(
      'version: 1',
      'permissions:',
      '  - id: x',
      '    action: EndCall',
      '    owners: true',
    ),
    code: 'UNKNOWN_KEY',
    at: 'owners',
    help: 'did you mean "owner"?',
  },
  {
    name: 'an unknown key in a call',
    yaml: lines('version: 1', 'calls:', '  "default:a":', '    config_override: {}'),
    code: 'UNKNOWN_KEY',
    at: 'config_override',
    help: 'did you mean "config_overrides"?',
  },
  {
    name: 'a wrong version',
    yaml: lines('version: 2'),
    code: 'SCHEMA',
    at: '2',
  },
  {
    name: 'a permission list that is a string',
    yaml: lines('version: 1', 'app:', '  grants:', '    user: search-user'),
    code: 'SCHEMA',
    at: 'search-user',
  },
  {
    name: 'a number in a permission list',
    yaml: lines('version: 1', 'app:', '  grants:', '    user: [search-user, 42]'),
    code: 'SCHEMA',
    at: '42',
  },
  {
    name: 'an invalid role level',
    yaml: lines('version: 1', 'roles:', '  agent: {level: app}'),
    code: 'SCHEMA',
    at: 'app',
  },
  {
    name: 'an invalid role name',
    yaml: lines('version: 1', 'roles:', '  Special_Agent: {}'),
    code: 'INVALID_NAME',
    at: 'Special_Agent',
  },
  {
    name: 'a role named like a property every JavaScript object has',
    yaml: lines('version: 1', 'roles:', '  constructor: {}'),
    code: 'INVALID_NAME',
    at: 'constructor',
  },
  {
    name: 'an invalid permission id',
    yaml: lines('version: 1', 'permissions:', '  - id: End Call', '    action: EndCall'),
    code: 'INVALID_NAME',
    at: 'End Call',
  },
  {
    name: 'an invalid custom call type name',
    yaml: lines('version: 1', 'call_types:', '  Town-Hall: {}'),
    code: 'INVALID_NAME',
    at: 'Town-Hall',
  },
  {
    name: 'a call key without a type',
    yaml: lines('version: 1', 'calls:', '  weekly: {}'),
    code: 'INVALID_CALL_KEY',
    at: 'weekly',
  },
  {
    name: 'a call key with a bad id',
    yaml: lines('version: 1', 'calls:', '  "default:a b": {}'),
    code: 'INVALID_CALL_KEY',
    at: '"default:a b"',
  },
  {
    name: 'a call key with a 65-character id',
    yaml: lines('version: 1', 'calls:', `  default:${'x'.repeat(65)}: {}`),
    code: 'INVALID_CALL_KEY',
    at: `default:${'x'.repeat(65)}`,
  },
  {
    name: 'the 26th custom role',
    yaml: lines(
      'version: 1',
      'roles:',
      ...Array.from({ length: 26 }, (_, index) => `  role${index + 1}: {}`),
    ),
    code: 'TOO_MANY_ROLES',
    at: 'role26',
  },
  {
    name: 'an unknown role in app grants',
    yaml: lines('version: 1', 'app:', '  grants:', '    admn: [search-user]'),
    code: 'UNKNOWN_ROLE',
    at: 'admn',
    help: 'did you mean "admin"?',
  },
  {
    name: 'an unknown role in call type grants',
    yaml: lines(
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      '      guestt: [read-call]',
    ),
    code: 'UNKNOWN_ROLE',
    at: 'guestt',
    help: 'did you mean "guest"?',
  },
  {
    name: 'an unknown custom role suggests the custom one',
    yaml: lines(
      'version: 1',
      'roles:',
      '  stage_manager: {}',
      'call_types:',
      '  default:',
      '    grants:',
      '      stage_manger: [read-call]',
    ),
    code: 'UNKNOWN_ROLE',
    at: 'stage_manger',
    help: 'did you mean "stage_manager"?',
  },
  {
    name: 'an unknown permission',
    yaml: lines(
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      '      user: [read-call, join-cal]',
    ),
    code: 'UNKNOWN_PERMISSION',
    at: 'join-cal',
    help: 'did you mean "join-call"?',
  },
  {
    name: 'an unknown permission in a block list',
    yaml: lines(
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      '      user:',
      '        - read-call',
      '        - sendvideo',
    ),
    code: 'UNKNOWN_PERMISSION',
    at: 'sendvideo',
    help: 'did you mean "send-video"?',
  },
  {
    name: 'an action name used as a permission',
    yaml: lines('version: 1', 'call_types:', '  default:', '    grants:', '      user: [EndCall]'),
    code: 'UNKNOWN_PERMISSION',
    at: 'EndCall',
    help: '"EndCall" is an action; grant its permission "end-call"',
  },
  {
    name: 'an unknown permission behind a revoke',
    yaml: lines(
      'version: 1',
      'calls:',
      '  "default:x":',
      '    config_overrides:',
      '      grants:',
      '        user: ["!send-vidoe"]',
    ),
    code: 'UNKNOWN_PERMISSION',
    at: '"!send-vidoe"',
    help: 'did you mean "send-video"?',
  },
  {
    name: 'a call key with an unknown type, at the type part',
    yaml: lines('version: 1', 'calls:', '  "livestreem:launch": {}'),
    code: 'UNKNOWN_CALL_TYPE',
    at: 'livestreem',
    help: 'did you mean "livestream"?',
  },
  {
    name: 'an unquoted call key with an unknown type',
    yaml: lines('version: 1', 'calls:', '  town_hall:weekly: {}'),
    code: 'UNKNOWN_CALL_TYPE',
    at: 'town_hall',
  },
  {
    name: 'a custom permission with an unknown action',
    yaml: lines('version: 1', 'permissions:', '  - id: end-call-team', '    action: EndCal'),
    code: 'UNKNOWN_ACTION',
    at: 'EndCal',
    help: 'did you mean "EndCall"?',
  },
  {
    name: 'a custom permission naming a permission id as action',
    yaml: lines('version: 1', 'permissions:', '  - id: end-call-team', '    action: end-call'),
    code: 'UNKNOWN_ACTION',
    at: 'end-call',
    occurrence: 1,
    help: '"end-call" is a permission id; its action is "EndCall"',
  },
  {
    name: 'a builtin call-level role in app grants',
    yaml: lines('version: 1', 'app:', '  grants:', '    call_moderator: [mute-user]'),
    code: 'ROLE_LEVEL_MISMATCH',
    at: 'call_moderator',
  },
  {
    name: 'host in app grants',
    yaml: lines('version: 1', 'app:', '  grants:', '    host: []'),
    code: 'ROLE_LEVEL_MISMATCH',
    at: 'host',
  },
  {
    name: 'a custom level: call role in app grants',
    yaml: lines(
      'version: 1',
      'roles:',
      '  stage_manager: {level: call}',
      'app:',
      '  grants:',
      '    stage_manager: [search-user]',
    ),
    code: 'ROLE_LEVEL_MISMATCH',
    at: 'stage_manager',
    occurrence: 1,
  },
  {
    name: 'an app-level permission in a call type',
    yaml: lines(
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      '      user: [read-call, search-user]',
    ),
    code: 'PERMISSION_LEVEL_MISMATCH',
    at: 'search-user',
  },
  {
    name: 'an app-level permission in a call override',
    yaml: lines(
      'version: 1',
      'calls:',
      '  "default:x":',
      '    config_overrides:',
      '      grants:',
      '        user: ["!mute-user"]',
    ),
    code: 'PERMISSION_LEVEL_MISMATCH',
    at: '"!mute-user"',
  },
  {
    name: 'a call-level permission in app grants',
    yaml: lines('version: 1', 'app:', '  grants:', '    user: [search-user, join-call]'),
    code: 'PERMISSION_LEVEL_MISMATCH',
    at: 'join-call',
  },
  {
    name: 'a custom call-level permission in app grants',
    yaml: lines(
      'version: 1',
      'permissions:',
      '  - id: end-call-team',
      '    action: EndCall',
      'app:',
      '  grants:',
      '    user: [end-call-team]',
    ),
    code: 'PERMISSION_LEVEL_MISMATCH',
    at: 'end-call-team',
    occurrence: 1,
  },
  {
    name: 'a revoke in app grants',
    yaml: lines('version: 1', 'app:', '  grants:', '    user: ["!search-user"]'),
    code: 'MODIFIER_NOT_ALLOWED',
    at: '"!search-user"',
  },
  {
    name: 'a revoke in call type grants',
    yaml: lines(
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      "      user: ['!send-video']",
    ),
    code: 'MODIFIER_NOT_ALLOWED',
    at: "'!send-video'",
  },
  {
    name: 'a permission granted and revoked in one override list',
    yaml: lines(
      'version: 1',
      'calls:',
      '  "default:x":',
      '    config_overrides:',
      '      grants:',
      '        user: [send-video, "!send-video"]',
    ),
    code: 'CONFLICTING_MODIFIER',
    at: '"!send-video"',
    help: 'the other modifier is at line 6, column 16; keep one of them',
  },
  {
    name: 'a grant listed twice',
    yaml: lines(
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      '      user: [read-call, join-call, read-call]',
    ),
    code: 'DUPLICATE_GRANT',
    at: 'read-call',
    occurrence: 1,
  },
  {
    name: 'a revoke listed twice',
    yaml: lines(
      'version: 1',
      'calls:',
      '  "default:x":',
      '    config_overrides:',
      '      grants:',
      '        user: ["!send-video", "!send-video"]',
    ),
    code: 'DUPLICATE_GRANT',
    at: '"!send-video"',
    occurrence: 1,
  },
  {
    name: 'an empty override list',
    yaml: lines(
      'version: 1',
      'calls:',
      '  "default:x":',
      '    config_overrides:',
      '      grants:',
      '        user: []',
    ),
    code: 'EMPTY_OVERRIDE',
    at: '[]',
  },
  {
    name: 'a custom role named like a builtin one',
    yaml: lines('version: 1', 'roles:', '  admin: {description: mine}'),
    code: 'BUILTIN_REDEFINED',
    at: 'admin',
  },
  {
    name: 'a custom permission reusing a catalog id',
    yaml: lines('version: 1', 'permissions:', '  - id: end-call', '    action: EndCall'),
    code: 'BUILTIN_REDEFINED',
    at: 'end-call',
  },
  {
    name: 'a custom permission declared twice',
    yaml: lines(
      'version: 1',
      'permissions:',
      '  - id: end-call-team',
      '    action: EndCall',
      '  - id: end-call-team',
      '    action: EndCall',
    ),
    code: 'DUPLICATE_PERMISSION',
    at: 'end-call-team',
    occurrence: 1,
    help: 'first declared at line 3; remove one of them',
  },
  {
    name: 'a write permission for anonymous',
    yaml: lines(
      'version: 1',
      'call_types:',
      '  livestream:',
      '    grants:',
      '      anonymous: [read-call, create-reaction]',
    ),
    code: 'ANONYMOUS_WRITE',
    at: 'create-reaction',
  },
  {
    name: 'an owner permission of a search',
    yaml: lines(
      'version: 1',
      'permissions:',
      '  - id: search-own-user',
      '    action: SearchUser',
      '    owner: true',
    ),
    code: 'OWNER_NEVER_HOLDS',
    at: 'true',
  },
];

describe('validateGrants reports each rule at its exact position', () => {
  it.each(cases)('$code: $name', ({ yaml, code, at, occurrence, help }) => {
    const diagnostics = validate(yaml);
    const matching = diagnostics.filter((diagnostic) => diagnostic.code === code);
    expect(matching, JSON.stringify(diagnostics, null, 2)).toHaveLength(1);
    const [diagnostic] = matching;
    expect(diagnostic).toMatchObject({
      file: 'rolecall.yaml',
      severity: DIAGNOSTIC_CODES[code].severity,
      ...positionOf(yaml, at, occurrence),
    });
    if (help !== undefined) expect(diagnostic?.help).toBe(help);
    const result = validateGrants(load(yaml));
    expect(result.ok).toBe(DIAGNOSTIC_CODES[code].severity === 'warning');
  });

  it('reports a missing version at the start of the file', () => {
    expect(validate('app: {}\n')).toMatchObject([
      { code: 'SCHEMA', line: 1, column: 1, endLine: 1, endColumn: 2 },
    ]);
  });

  it('reports a missing required key at the list item that lacks it', () => {
    const yaml = lines('version: 1', 'permissions:', '  - id: end-call-team', '    name: x');
    const [diagnostic] = validate(yaml);
    expect(diagnostic).toMatchObject({ code: 'SCHEMA', line: 3, column: 5 });
    expect(diagnostic?.message).toContain('"action"');
  });

  it('explains that a custom role needs an empty map, not nothing', () => {
    const yaml = lines('version: 1', 'roles:', '  agent:');
    expect(validate(yaml)).toMatchObject([
      {
        code: 'SCHEMA',
        ...positionOf(yaml, 'agent'),
        help: 'a role needs only a name: write "agent: {}"',
      },
    ]);
  });

  it('reports a top-level value that is not a map', () => {
    expect(validate('just text\n')).toMatchObject([{ code: 'SCHEMA', line: 1, column: 1 }]);
    expect(validate('- version: 1\n')).toMatchObject([{ code: 'SCHEMA', line: 1, column: 1 }]);
  });

  it('reports every problem of a file, sorted by position', () => {
    const yaml = lines(
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      '      user: [join-cal, "!read-call"]',
      '      nobody: []',
    );
    const diagnostics = validate(yaml);
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual([
      'UNKNOWN_PERMISSION',
      'MODIFIER_NOT_ALLOWED',
      'UNKNOWN_ROLE',
    ]);
  });
});

describe('validateGrants accepts what DESIGN §2 allows', () => {
  const valid = lines(
    'version: 1',
    'app:',
    '  multi_tenant_enabled: true',
    '  grants:',
    '    user: [search-user-same-team, update-user-owner, query-calls-same-team]',
    '    special_agent: [search-user, query-calls]',
    '    field_lead: [search-user]',
    'roles:',
    '  special_agent: { description: Field agents }',
    '  field_lead: { level: user }',
    '  stage_manager: { level: call }',
    'permissions:',
    '  - id: end-call-same-team',
    '    action: EndCall',
    '    same_team: true',
    '    name: End call in own team',
    'call_types:',
    '  default:',
    '    grants:',
    '      call_member: [read-call, join-call, send-audio, send-video]',
    '      guest: []',
    '      field_lead: [read-call, end-call-same-team]',
    '  livestream:',
    '    grants: null',
    '  town_hall:',
    '    grants:',
    '      user: [read-call, join-call]',
    '      stage_manager: [read-call, join-call, send-audio, send-video, mute-users]',
    'calls:',
    '  "livestream:example":',
    '    config_overrides:',
    '      grants:',
    '        user: ["!send-video", create-reaction]',
    '  "town_hall:Weekly_2024-01":',
    '    config_overrides:',
    '      grants: null',
  );

  it('accepts the example of DESIGN §2 with custom types, levels, [] and null', () => {
    const result = validateGrants(load(valid));
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.calls?.['livestream:example']?.config_overrides?.grants?.['user']).toEqual([
      '!send-video',
      'create-reaction',
    ]);
  });

  it('accepts user-level roles (builtin and custom) in call type grants and overrides', () => {
    const yaml = lines(
      'version: 1',
      'roles: { agent: { level: user } }',
      'call_types: { audio_room: { grants: { admin: [end-call], agent: [read-call] } } }',
      'calls: { "audio_room:x": { config_overrides: { grants: { agent: ["!read-call"] } } } }',
    );
    expect(validate(yaml)).toEqual([]);
  });

  it('accepts a builtin call type with only a description, and the minimal file', () => {
    expect(validate(lines('version: 1', 'call_types:', '  default: { description: d }'))).toEqual(
      [],
    );
    expect(validate('version: 1\n')).toEqual([]);
  });

  it('accepts 25 custom roles', () => {
    const yaml = lines(
      'version: 1',
      'roles:',
      ...Array.from({ length: 25 }, (_, index) => `  role${index + 1}: {}`),
    );
    expect(validate(yaml)).toEqual([]);
  });

  it('validates data without source positions (from an API) at the start of the file', () => {
    const document: GrantsDocument = {
      file: '(api)',
      source: '',
      spec: { version: 1, app: { grants: { usr: [] } } },
      locate: () => undefined,
      locateKey: () => undefined,
    };
    expect(validateGrants(document).diagnostics).toMatchObject([
      { code: 'UNKNOWN_ROLE', file: '(api)', line: 1, column: 1 },
    ]);
  });

  it('treats prototype names as unknown, not as builtins', () => {
    const app = validate(lines('version: 1', 'app:', '  grants:', '    constructor: [toString]'));
    expect(app.map((diagnostic) => diagnostic.code)).toEqual([
      'UNKNOWN_ROLE',
      'UNKNOWN_PERMISSION',
    ]);
    const calls = validate(lines('version: 1', 'calls:', '  "__proto__:x": {}'));
    expect(calls.map((diagnostic) => diagnostic.code)).toEqual(['INVALID_CALL_KEY']);
    const callTypes = validate(lines('version: 1', 'calls:', '  "constructor:x": {}'));
    expect(callTypes.map((diagnostic) => diagnostic.code)).toEqual(['UNKNOWN_CALL_TYPE']);
    const roles = validate(
      lines(
        'version: 1',
        'call_types:',
        '  default:',
        '    grants:',
        '      toString: [hasOwnProperty]',
      ),
    );
    expect(roles.map((diagnostic) => diagnostic.code)).toEqual([
      'UNKNOWN_ROLE',
      'UNKNOWN_PERMISSION',
    ]);
  });
});
