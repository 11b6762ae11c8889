// Red-team tests of the engine: a client that controls the query filter, the `changes` and the
// resource of a create tries to escape its tenant or gain a permission. Every attack runs through
// the real OPA (one `opa eval` of rolecall/batch per policy) and through policy.wasm, which must
// agree; each answer is checked against the safe outcome with an oracle written here, not taken
// from the engine.
import { buildDataDocument } from '../../core/data-document.js';
import { readFileSync } from 'node:fs';
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrants } from '../../compiler/load/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import { validateGrants } from '../../compiler/validate/index.js';
import type { GrantsSpec, ResolvedPolicy } from '../../compiler/types.js';
import { runOpaOrThrow } from '../../scripts/opa.js';
import { writeBundleDir, type BundleDir } from '../support/bundle-dir.js';
import { loadEngineWasm } from '../support/wasm.js';

const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = Record<string, Json>;

interface Answer {
  allow: boolean;
  reason: string;
  filter?: Json;
  injected?: boolean;
  grants?: Json[];
}

interface BatchInput {
  decisions: Json[];
  query_filters: Json[];
}

interface BatchAnswer {
  decisions: Answer[];
  query_filters: Answer[];
}

function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}

function loadExampleSpec(): GrantsSpec {
  const file = 'examples/video-saas/rolecall.yaml';
  const loaded = loadGrants(file, readFileSync(file, 'utf8'));
  if (!loaded.ok) throw new Error(`cannot load ${file}`);
  const validated = validateGrants(loaded.value);
  if (!validated.ok) throw new Error(`cannot validate ${file}`);
  return validated.value;
}

const exampleSpec = loadExampleSpec();
const multiTenantPolicy = resolveGrants(exampleSpec);
const singleTenantPolicy = resolveGrants({
  ...exampleSpec,
  app: { ...exampleSpec.app, multi_tenant_enabled: false },
});

/** Both engines on one policy: OPA answers the whole batch in one run, WASM in one evaluation. */
interface Engines {
  bundle: BundleDir;
  wasm: LoadedPolicy;
}

async function startEngines(policy: ResolvedPolicy): Promise<Engines> {
  return {
    bundle: await writeBundleDir(policy),
    wasm: await loadEngineWasm(buildDataDocument(policy)),
  };
}

async function evaluateBatch(engines: Engines, batch: BatchInput): Promise<BatchAnswer> {
  const stdout = await runOpaOrThrow(
    ['eval', '-b', engines.bundle.dir, '-I', '--format', 'json', 'data.rolecall.batch'],
    { input: JSON.stringify(batch) },
  );
  const output = JSON.parse(stdout) as { result?: { expressions: { value: unknown }[] }[] };
  const fromOpa = output.result?.[0]?.expressions[0]?.value as BatchAnswer | undefined;
  if (fromOpa === undefined) throw new Error(`opa eval gave no result:\n${stdout}`);
  const fromWasm = (engines.wasm.evaluate(batch, 'rolecall/batch') as { result: unknown }[])[0]
    ?.result;
  expect(canonical(fromWasm)).toBe(canonical(fromOpa));
  expect(fromOpa.decisions).toHaveLength(batch.decisions.length);
  expect(fromOpa.query_filters).toHaveLength(batch.query_filters.length);
  return fromOpa;
}

// ---------------------------------------------------------------------------------------------
// Subjects (trusted server fields) and the oracle of a safe query filter.

const sara = { id: 'sara', role: 'user', teams: ['red', 'blue'] };
const tom = { id: 'tom', role: 'user' };
const tina = { id: 'tina', role: 'user', teams: [] };
const eve = { id: 'eve', role: 'user', teams: [''] };
const gus = { id: 'gus', role: 'guest', teams: ['red'] };
const ava = { id: 'ava', role: 'support_agent', teams: ['red'] };
const wanda = { id: 'wanda', role: 'workspace_admin', teams: ['red'] };
const anon = { id: 'anon-1', role: 'anonymous' };

/** The subject's teams as the engine reads them: absent and null are no teams. */
function teamsOf(subject: JsonObject): string[] {
  const teams = subject['teams'];
  return Array.isArray(teams)
    ? teams.filter((team): team is string => typeof team === 'string')
    : [];
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One scalar team value that only matches rows of the subject's teams (or none, team-less). */
function scalarWithin(value: Json | undefined, teams: readonly string[]): boolean {
  if (typeof value === 'string') return teams.includes(value);
  return value === null && teams.length === 0;
}

/**
 * DESIGN §5 rule 6, restated independently: the top-level team condition can only match rows
 * inside the subject's teams. Operators on a field are ANDed, so one bounding operator suffices.
 */
function conditionWithin(value: Json | undefined, teams: readonly string[]): boolean {
  if (typeof value === 'string' || value === null) return scalarWithin(value, teams);
  if (Array.isArray(value)) return value.length === 0 && teams.length === 0;
  if (!isObject(value)) return false;
  const equal = value['$eq'];
  if (equal !== undefined && scalarWithin(equal, teams)) return true;
  const among = value['$in'];
  return (
    Array.isArray(among) && among.length > 0 && among.every((item) => scalarWithin(item, teams))
  );
}

function teamFieldOf(action: string): string {
  return action === 'QueryUsers' ? 'teams' : 'team';
}

/** Roles of the example with an any-team search (`search-user` / `query-calls` in `.app`). */
function holdsAnyTeam(subject: JsonObject): boolean {
  return subject['role'] === 'support_agent';
}

/**
 * The safe outcome of a client-side query in multi-tenant mode: a deny, or a filter whose
 * top-level team condition stays inside the subject's teams and which keeps every other key of
 * the client's filter, or (any-team roles only) ANY_TEAM.
 */
function expectSafeQuery(input: JsonObject, answer: Answer): void {
  const subject = input['subject'] as JsonObject;
  const action = input['action'] as string;
  const field = teamFieldOf(action);
  const query = input['query'] as JsonObject | undefined;
  const original = (query?.['filter_conditions'] ?? {}) as JsonObject;
  if (!answer.allow) {
    expect(answer.filter).toBeNull();
    return;
  }
  expect(answer.reason).not.toBe('SERVER_SIDE');
  expect(answer.reason).not.toBe('SINGLE_TENANT');
  if (answer.reason === 'ANY_TEAM') {
    expect(holdsAnyTeam(subject)).toBe(true);
    return;
  }
  expect(['INJECTED', 'WITHIN_TEAMS']).toContain(answer.reason);
  const filter = answer.filter;
  if (!isObject(filter)) throw new Error(`allowed filter is not an object: ${canonical(filter)}`);
  const teams = teamsOf(subject);
  expect(conditionWithin(filter[field], teams), canonical(filter[field])).toBe(true);
  for (const [key, value] of Object.entries(original)) {
    expect(canonical(filter[key]), key).toBe(canonical(value));
  }
  if (answer.reason === 'INJECTED') {
    expect(answer.injected).toBe(true);
    expect(filter[field]).toEqual(teams.length > 0 ? { $in: teams } : null);
  }
}

// ---------------------------------------------------------------------------------------------
// The attacks on query filters. `field` is the team field, `mine` one of the subject's teams
// (or null for a team-less subject), `theirs` another tenant's team.

interface FilterAttack {
  name: string;
  filter: (field: string, mine: Json, theirs: string) => Json;
  /** The expected reason when it is fixed by design (e.g. an unknown operator). */
  reason?: string;
}

function deep(levels: number, leaf: Json): Json {
  let node = leaf;
  for (let level = 0; level < levels; level += 1) {
    node = level % 2 === 0 ? { $and: [node] } : { $or: [node, { name: 'x' }] };
  }
  return node;
}

const LOOK_ALIKES = [
  'Team',
  'TEAM',
  'Teams',
  ' team',
  'team ',
  'teams ',
  ' teams',
  'team.0',
  'teams.0',
  'teams[0]',
  'tеam', // Cyrillic е
  'tеams', // Cyrillic е
  'ｔｅａｍ',
  'team\u200b',
  'teams\u200b',
  'team\u0000',
  'teams\u0000',
  'team\t',
];

const filterAttacks: FilterAttack[] = [
  { name: 'no filter at all', filter: () => ({}) },
  { name: 'a name only', filter: () => ({ name: 'Nick' }) },
  { name: 'team field in $or', filter: (f, _m, t) => ({ $or: [{ [f]: t }, { name: 'x' }] }) },
  { name: 'team field in $and', filter: (f, _m, t) => ({ $and: [{ [f]: t }] }) },
  { name: 'mine excluded in $nor', filter: (f, m) => ({ $nor: [{ [f]: m }] }) },
  {
    name: 'team field nested $or in $and in $nor',
    filter: (f, _m, t) => ({ $nor: [{ $and: [{ $or: [{ [f]: { $ne: t } }] }] }] }),
  },
  {
    name: 'both team fields in $or',
    filter: (_f, _m, t) => ({ $or: [{ team: t }, { teams: t }] }),
  },
  {
    name: 'the other kind of team field',
    filter: (f, _m, t) => ({ [f === 'team' ? 'teams' : 'team']: t }),
  },
  ...LOOK_ALIKES.map((key): FilterAttack => ({
    name: `look-alike key ${JSON.stringify(key)}`,
    filter: (_f, _m, t) => ({ [key]: t }),
  })),
  ...LOOK_ALIKES.map((key): FilterAttack => ({
    name: `look-alike key ${JSON.stringify(key)} with {} (all teams)`,
    filter: () => ({ [key]: {} }),
  })),
  // Operators the engine does not know, wherever they hide.
  ...[
    '$In',
    '$IN',
    '$not',
    '$elemMatch',
    '$regex',
    '$where',
    '$expr',
    '$all',
    '$size',
    '$type',
    '$',
    '$ in',
    '$in ',
    '$еq',
  ].map((operator): FilterAttack => ({
    name: `unknown operator ${JSON.stringify(operator)} on the team field`,
    filter: (f, m) => ({ [f]: { $in: [m], [operator]: '.*' } }),
    reason: 'INVALID_FILTER',
  })),
  { name: '$where at the top', filter: () => ({ $where: 'true' }), reason: 'INVALID_FILTER' },
  {
    name: '$expr at the top',
    filter: () => ({ $expr: { $eq: [1, 1] } }),
    reason: 'INVALID_FILTER',
  },
  {
    name: '$regex on a name',
    filter: () => ({ name: { $regex: '.*' } }),
    reason: 'INVALID_FILTER',
  },
  {
    name: '$not of my team',
    filter: (f, m) => ({ [f]: { $not: { $eq: m } } }),
    reason: 'INVALID_FILTER',
  },
  {
    name: '$elemMatch on teams',
    filter: (f, _m, t) => ({ [f]: { $elemMatch: { $eq: t } } }),
    reason: 'INVALID_FILTER',
  },
  {
    name: 'unknown operator deep inside $or',
    filter: (f, m) => ({ [f]: m, $or: [{ $and: [{ name: { $regex: 'x' } }] }] }),
    reason: 'INVALID_FILTER',
  },
  {
    name: 'unknown operator inside an $in list',
    filter: (f, m) => ({ [f]: { $in: [m, { $where: 'true' }] } }),
    reason: 'INVALID_FILTER',
  },
  {
    name: 'unknown operator at the bottom of 200 levels',
    filter: (f, m) => ({ [f]: m, ...(deep(200, { $where: 'true' }) as JsonObject) }),
    reason: 'INVALID_FILTER',
  },
  // Arrays and scalars where objects are expected.
  {
    name: '$and as an object',
    filter: (f, _m, t) => ({ $and: { [f]: t } }),
    reason: 'INVALID_FILTER',
  },
  { name: '$or of strings', filter: (_f, _m, t) => ({ $or: [t] }), reason: 'INVALID_FILTER' },
  { name: '$or as a string', filter: () => ({ $or: 'x' }), reason: 'INVALID_FILTER' },
  {
    name: '$nor of lists',
    filter: (f, _m, t) => ({ $nor: [[{ [f]: t }]] }),
    reason: 'INVALID_FILTER',
  },
  { name: '$and null', filter: () => ({ $and: null }), reason: 'INVALID_FILTER' },
  {
    name: '$or empty object inside a field',
    filter: (f, m) => ({ [f]: { $eq: m, $or: {} } }),
    reason: 'INVALID_FILTER',
  },
  // The top-level team field, every shape.
  { name: 'their team as a string', filter: (f, _m, t) => ({ [f]: t }) },
  { name: 'my team as a string', filter: (f, m) => ({ [f]: m }) },
  {
    name: 'my team upper-cased',
    filter: (f, m) => ({ [f]: typeof m === 'string' ? m.toUpperCase() : 'X' }),
  },
  {
    name: 'my team with a space',
    filter: (f, m) => ({ [f]: `${typeof m === 'string' ? m : ''} ` }),
  },
  { name: 'empty string team', filter: (f) => ({ [f]: '' }) },
  { name: 'team null', filter: (f) => ({ [f]: null }) },
  { name: 'team []', filter: (f) => ({ [f]: [] }) },
  { name: 'team [mine]', filter: (f, m) => ({ [f]: [m] }) },
  { name: 'team [theirs]', filter: (f, _m, t) => ({ [f]: [t] }) },
  { name: 'team [mine, theirs]', filter: (f, m, t) => ({ [f]: [m, t] }) },
  { name: 'team {} (all teams)', filter: (f) => ({ [f]: {} }) },
  {
    name: 'team {} with other keys',
    filter: (f) => ({ [f]: {}, name: 'x', $or: [{ name: 'y' }] }),
  },
  { name: 'team a number', filter: (f) => ({ [f]: 5 }) },
  { name: 'team true', filter: (f) => ({ [f]: true }) },
  { name: '$in mine and $nin theirs', filter: (f, m, t) => ({ [f]: { $in: [m], $nin: [t] } }) },
  { name: '$ne theirs', filter: (f, _m, t) => ({ [f]: { $ne: t } }) },
  { name: '$ne mine', filter: (f, m) => ({ [f]: { $ne: m } }) },
  { name: '$nin mine', filter: (f, m) => ({ [f]: { $nin: [m] } }) },
  { name: '$nin []', filter: (f) => ({ [f]: { $nin: [] } }) },
  { name: '$exists false', filter: (f) => ({ [f]: { $exists: false } }) },
  { name: '$exists true', filter: (f) => ({ [f]: { $exists: true } }) },
  { name: '$in []', filter: (f) => ({ [f]: { $in: [] } }) },
  { name: '$in [mine, theirs]', filter: (f, m, t) => ({ [f]: { $in: [m, t] } }) },
  { name: '$in [mine, null]', filter: (f, m) => ({ [f]: { $in: [m, null] } }) },
  { name: '$in [null]', filter: (f) => ({ [f]: { $in: [null] } }) },
  { name: '$in a string', filter: (f, m) => ({ [f]: { $in: m } }) },
  { name: '$in an object', filter: (f, m) => ({ [f]: { $in: { 0: m } } }) },
  { name: '$in nested lists', filter: (f, m) => ({ [f]: { $in: [[m]] } }) },
  { name: '$eq null', filter: (f) => ({ [f]: { $eq: null } }) },
  { name: '$eq theirs', filter: (f, _m, t) => ({ [f]: { $eq: t } }) },
  { name: '$eq [mine]', filter: (f, m) => ({ [f]: { $eq: [m] } }) },
  { name: '$eq {} ', filter: (f) => ({ [f]: { $eq: {} } }) },
  { name: '$gt ""', filter: (f) => ({ [f]: { $gt: '' } }) },
  { name: '$gte ""', filter: (f) => ({ [f]: { $gte: '' } }) },
  { name: '$lt max', filter: (f) => ({ [f]: { $lt: '\uffff' } }) },
  { name: '$gte mine and $lte mine', filter: (f, m) => ({ [f]: { $gte: m, $lte: m } }) },
  { name: '$autocomplete ""', filter: (f) => ({ [f]: { $autocomplete: '' } }) },
  { name: '$contains theirs', filter: (f, _m, t) => ({ [f]: { $contains: t } }) },
  { name: '$contains mine', filter: (f, m) => ({ [f]: { $contains: m } }) },
  { name: 'mine at the top, theirs in $or', filter: (f, m, t) => ({ [f]: m, $or: [{ [f]: t }] }) },
  { name: '$eq theirs and $in mine (ANDed)', filter: (f, m, t) => ({ [f]: { $eq: t, $in: [m] } }) },
  {
    name: '$eq mine with a plain key inside',
    filter: (f, m, t) => ({ [f]: { $eq: m, other: t } }),
  },
  {
    name: '__proto__ key holding their team',
    filter: (f, _m, t) =>
      JSON.parse(`{"__proto__":{${JSON.stringify(f)}:${JSON.stringify(t)}}}`) as Json,
  },
  {
    name: 'my team beside a __proto__ key holding theirs',
    filter: (f, m, t) =>
      JSON.parse(
        `{${JSON.stringify(f)}:${JSON.stringify(m)},"__proto__":{${JSON.stringify(f)}:${JSON.stringify(t)}}}`,
      ) as Json,
  },
  { name: 'constructor key', filter: (f, _m, t) => ({ constructor: { [f]: t } }) },
  {
    name: '$or of 2000 foreign teams',
    filter: (f, _m, t) => ({
      $or: Array.from({ length: 2000 }, (_v, i) => ({ [f]: `${t}-${i}` })),
    }),
  },
  { name: 'foreign team 200 levels deep', filter: (f, _m, t) => deep(200, { [f]: t }) },
];

/** Raw query values that are not a filter object at all. */
const malformedQueries: { name: string; query: Json }[] = [
  { name: 'filter_conditions an array', query: { filter_conditions: [{ team: 'green' }] } },
  { name: 'filter_conditions a string', query: { filter_conditions: '{"team":"green"}' } },
  { name: 'filter_conditions a number', query: { filter_conditions: 1 } },
  { name: 'filter_conditions true', query: { filter_conditions: true } },
  { name: 'query an array', query: [{ filter_conditions: {} }] },
  { name: 'query a string', query: 'team=green' },
];

/** Context values that try to pass for the server side. */
const contextSmuggles: { name: string; context: Json; valid: boolean }[] = [
  { name: 'side "Server"', context: { side: 'Server' }, valid: false },
  { name: 'side "SERVER"', context: { side: 'SERVER' }, valid: false },
  { name: 'side " server"', context: { side: ' server' }, valid: false },
  { name: 'side "server\\u0000"', context: { side: 'server\u0000' }, valid: false },
  { name: 'side ["server"]', context: { side: ['server'] }, valid: false },
  { name: 'side true', context: { side: true }, valid: false },
  { name: 'context "server"', context: 'server', valid: false },
  { name: 'context ["server"]', context: ['server'], valid: false },
  { name: 'key "Side"', context: { Side: 'server' }, valid: true },
  { name: 'key "side " ', context: { 'side ': 'server' }, valid: true },
  { name: 'nested side', context: { context: { side: 'server' } }, valid: true },
];

interface QueryCase {
  name: string;
  input: JsonObject;
  reason?: string;
}

function queryCases(): QueryCase[] {
  const cases: QueryCase[] = [];
  const subjects: [string, JsonObject, Json][] = [
    ['sara', sara, 'red'],
    ['tom (team-less)', tom, null],
    ['tina (teams [])', tina, null],
    ['eve (team "")', eve, ''],
    ['gus (guest)', gus, 'red'],
    ['ava (any team)', ava, 'red'],
  ];
  for (const [who, subject, mine] of subjects) {
    for (const action of ['QueryUsers', 'QueryCalls']) {
      const field = teamFieldOf(action);
      for (const attack of filterAttacks) {
        cases.push({
          name: `${who} ${action}: ${attack.name}`,
          input: {
            subject,
            action,
            query: { filter_conditions: attack.filter(field, mine, 'green') },
          },
          ...(attack.reason === undefined ? {} : { reason: attack.reason }),
        });
      }
      for (const malformed of malformedQueries) {
        cases.push({
          name: `${who} ${action}: ${malformed.name}`,
          input: { subject, action, query: malformed.query },
          reason: 'INVALID_INPUT',
        });
      }
      for (const smuggle of contextSmuggles) {
        cases.push({
          name: `${who} ${action}: context ${smuggle.name}`,
          input: {
            subject,
            action,
            query: { filter_conditions: { [field]: 'green' } },
            context: smuggle.context,
          },
          ...(smuggle.valid ? {} : { reason: 'INVALID_INPUT' }),
        });
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Decision attacks: each must be denied (client side, multi-tenant unless said otherwise).

interface DecisionAttack {
  name: string;
  input: Json;
  /** Expected reason when it is pinned by design; otherwise any deny is safe. */
  reason?: string;
}

function call(fields: JsonObject): JsonObject {
  return { kind: 'call', call_type: 'default', id: 'x-call', ...fields };
}

function decisionAttacks(): DecisionAttack[] {
  const attacks: DecisionAttack[] = [];
  const add = (name: string, input: Json, reason?: string): void => {
    attacks.push({ name, input, ...(reason === undefined ? {} : { reason }) });
  };
  // A create brings its own overrides (the client writes the new call's resource).
  for (const [role, subject] of [
    ['guest', gus],
    ['call_member', { ...gus, call_role: 'call_member' }],
    ['host', { ...gus, call_role: 'host' }],
  ] as const) {
    add(
      `guest creates a call granting itself create-call via ${role} overrides`,
      {
        subject,
        action: 'CreateCall',
        resource: call({
          team: 'red',
          created_by_id: 'gus',
          config_overrides: { grants: { [role]: ['create-call'] } },
        }),
        changes: ['team'],
      },
      'NOT_GRANTED',
    );
  }
  add(
    'guest creates a webinar granting itself create-call',
    {
      subject: gus,
      action: 'CreateCall',
      resource: {
        ...call({ team: 'red', created_by_id: 'gus' }),
        call_type: 'webinar',
        config_overrides: { grants: { guest: ['create-call'] } },
      },
    },
    'NOT_GRANTED',
  );
  add(
    'guest creates a call with member grants in its overrides and changes',
    {
      subject: gus,
      action: 'CreateCall',
      resource: call({
        team: 'red',
        created_by_id: 'gus',
        config_overrides: { grants: { guest: ['create-call'] } },
      }),
      changes: ['team', 'config_overrides'],
    },
    'SERVER_ONLY',
  );
  // The team of a new call.
  for (const team of ['green', 'Red', 'RED', ' red', 'red ', 'red\u0000', 'rеd', '']) {
    add(
      `creating a call in team ${JSON.stringify(team)}`,
      {
        subject: sara,
        action: 'CreateCall',
        resource: call({ team, created_by_id: 'sara' }),
        changes: ['team'],
      },
      'TEAM_MISMATCH',
    );
  }
  add(
    'creating a call with team ["red"]',
    {
      subject: sara,
      action: 'CreateCall',
      resource: call({ team: ['red'], created_by_id: 'sara' }),
    },
    'INVALID_INPUT',
  );
  add(
    'creating a call with team {}',
    {
      subject: sara,
      action: 'CreateCall',
      resource: call({ team: {}, created_by_id: 'sara' }),
    },
    'INVALID_INPUT',
  );
  add(
    'creating a team-less call with teams',
    {
      subject: sara,
      action: 'CreateCall',
      resource: call({ team: null, created_by_id: 'sara' }),
    },
    'TEAM_REQUIRED',
  );
  add(
    'a team-less user creates a call in team ""',
    {
      subject: tom,
      action: 'CreateCall',
      resource: call({ team: '', created_by_id: 'tom' }),
    },
    'TEAM_MISMATCH',
  );
  add(
    'a user of team "" creates a team-less call',
    {
      subject: eve,
      action: 'CreateCall',
      resource: call({ created_by_id: 'eve' }),
    },
    'TEAM_REQUIRED',
  );
  add(
    'creating a call as another creator',
    {
      subject: sara,
      action: 'CreateCall',
      resource: call({ team: 'red', created_by_id: 'bob' }),
      changes: ['created_by_id'],
    },
    'SERVER_ONLY',
  );
  add(
    'CreateCall on an app resource with a foreign team',
    {
      subject: sara,
      action: 'CreateCall',
      resource: { kind: 'app', team: 'green' },
    },
    'NOT_GRANTED',
  );
  add('CreateCall on a user resource', {
    subject: sara,
    action: 'CreateCall',
    resource: { kind: 'user', id: 'sara', teams: ['green'] },
  });
  add(
    'resource kind "Call"',
    {
      subject: sara,
      action: 'CreateCall',
      resource: { ...call({ team: 'red' }), kind: 'Call' },
    },
    'INVALID_INPUT',
  );
  // Reaching another tenant's call, whatever the roles and overrides say.
  const green = call({ team: 'green', created_by_id: 'sara' });
  add(
    'reading a call of another team',
    { subject: sara, action: 'ReadCall', resource: green },
    'TEAM_MISMATCH',
  );
  add(
    "a host of another team's call joins it",
    {
      subject: { ...sara, call_role: 'host' },
      action: 'JoinCall',
      resource: green,
    },
    'TEAM_MISMATCH',
  );
  add(
    "overrides granting on another team's call",
    {
      subject: { ...sara, call_grants: ['end-call'] },
      action: 'EndCall',
      resource: { ...green, config_overrides: { grants: { user: ['end-call'] } } },
    },
    'TEAM_MISMATCH',
  );
  add(
    "a workspace admin ends another team's call (end-call-same-team)",
    {
      subject: wanda,
      action: 'EndCall',
      resource: call({ team: 'green' }),
    },
    'TEAM_MISMATCH',
  );
  add(
    'a call of team "Red" for a member of red',
    { subject: sara, action: 'ReadCall', resource: call({ team: 'Red' }) },
    'TEAM_MISMATCH',
  );
  add(
    'a call of team "red " for a member of red',
    { subject: sara, action: 'ReadCall', resource: call({ team: 'red ' }) },
    'TEAM_MISMATCH',
  );
  add(
    'a team-less call for a subject of team ""',
    { subject: eve, action: 'ReadCall', resource: call({}) },
    'TEAM_MISMATCH',
  );
  add(
    'a call of team "" for a team-less subject',
    { subject: tom, action: 'ReadCall', resource: call({ team: '' }) },
    'TEAM_MISMATCH',
  );
  add(
    'a call of team "" for teams []',
    { subject: tina, action: 'ReadCall', resource: call({ team: '' }) },
    'TEAM_MISMATCH',
  );
  // Users of another tenant.
  const bea = { kind: 'user', id: 'bea', role: 'user', teams: ['green'] };
  add(
    'muting a user of another team',
    { subject: sara, action: 'MuteUser', resource: bea },
    'TEAM_MISMATCH',
  );
  add(
    'updating a user of another team',
    { subject: sara, action: 'UpdateUser', resource: bea, changes: ['name'] },
    'TEAM_MISMATCH',
  );
  add(
    'a team-less subject mutes a user with teams',
    { subject: tom, action: 'MuteUser', resource: bea },
    'TEAM_MISMATCH',
  );
  add(
    'teams [""] user vs a team-less one',
    {
      subject: eve,
      action: 'MuteUser',
      resource: { kind: 'user', id: 'zed', role: 'user' },
    },
    'TEAM_MISMATCH',
  );
  // Own user: tenant and role fields.
  const self = { kind: 'user', id: 'sara', role: 'user', teams: ['red', 'blue'] };
  add(
    'moving oneself to another team',
    { subject: sara, action: 'UpdateUser', resource: self, changes: ['teams'] },
    'SERVER_ONLY',
  );
  add(
    'promoting oneself',
    { subject: sara, action: 'UpdateUser', resource: self, changes: ['role'] },
    'FORBIDDEN_FIELD',
  );
  add(
    'promoting oneself while changing teams',
    {
      subject: sara,
      action: 'UpdateUser',
      resource: self,
      changes: ['role', 'teams'],
    },
    'SERVER_ONLY',
  );
  for (const changes of ['teams', ['teams', 1], [['teams']], { 0: 'teams' }, 'role'] as Json[]) {
    add(
      `changes ${JSON.stringify(changes)}`,
      { subject: sara, action: 'UpdateUser', resource: self, changes },
      'INVALID_INPUT',
    );
  }
  add(
    'creating a user client side (multi-tenant)',
    {
      subject: sara,
      action: 'CreateUser',
      resource: { kind: 'user', id: 'new', role: 'admin', teams: ['red'] },
    },
    'SERVER_ONLY',
  );
  add(
    "changing a call's team",
    {
      subject: wanda,
      action: 'UpdateCall',
      resource: call({ team: 'red' }),
      changes: ['team'],
    },
    'SERVER_ONLY',
  );
  add(
    "changing a call's overrides",
    {
      subject: wanda,
      action: 'UpdateCall',
      resource: call({ team: 'red' }),
      changes: ['config_overrides'],
    },
    'SERVER_ONLY',
  );
  add(
    'making oneself host',
    {
      subject: { ...wanda, call_role: 'host' },
      action: 'UpdateCallMember',
      resource: call({ team: 'red' }),
      changes: ['role'],
    },
    'SERVER_ONLY',
  );
  // Anonymous and modifier tricks.
  const webinar = { kind: 'call', call_type: 'webinar', id: 'w', team: null };
  add(
    'anonymous host sends audio',
    { subject: { ...anon, call_role: 'host' }, action: 'SendAudio', resource: webinar },
    'ANONYMOUS_READ_ONLY',
  );
  add(
    'anonymous host with member grants ends the call',
    {
      subject: { ...anon, call_role: 'host', call_grants: ['end-call'] },
      action: 'EndCall',
      resource: { ...webinar, config_overrides: { grants: { anonymous: ['end-call'] } } },
    },
    'ANONYMOUS_READ_ONLY',
  );
  for (const grants of [
    ['!!create-call'],
    [' create-call'],
    ['Create-Call'],
    ['create-call!'],
    ['!'],
  ] as Json[]) {
    add(`guest member grants ${JSON.stringify(grants)}`, {
      subject: { ...gus, call_role: 'call_member', call_grants: grants },
      action: 'EndCall',
      resource: call({ team: 'red' }),
    });
  }
  add(
    'a member grant and its revoke together',
    {
      subject: { ...gus, call_role: 'call_member', call_grants: ['end-call', '!end-call'] },
      action: 'EndCall',
      resource: call({ team: 'red' }),
    },
    'INVALID_INPUT',
  );
  add(
    'owner grant for "sara " on a call of sara',
    {
      subject: { ...sara, id: 'sara ' },
      action: 'EndCall',
      resource: call({ team: 'red', created_by_id: 'sara' }),
    },
    'NOT_GRANTED',
  );
  // Server side smuggled through context variants.
  for (const smuggle of contextSmuggles) {
    add(
      `context ${smuggle.name}`,
      {
        subject: sara,
        action: 'ReadCall',
        resource: green,
        context: smuggle.context,
      },
      smuggle.valid ? 'TEAM_MISMATCH' : 'INVALID_INPUT',
    );
  }
  return attacks;
}

/** Decisions that stay denied with multi-tenant off (no team rules there). */
function singleTenantDecisionAttacks(): DecisionAttack[] {
  const create = (fields: JsonObject, changes?: Json): JsonObject => ({
    subject: { id: 'gus', role: 'guest' },
    action: 'CreateCall',
    resource: call({ created_by_id: 'gus', ...fields }),
    ...(changes === undefined ? {} : { changes }),
  });
  return [
    {
      name: 'guest brings its own create-call override',
      input: create({ config_overrides: { grants: { guest: ['create-call'] } } }),
      reason: 'NOT_GRANTED',
    },
    {
      name: 'guest member brings a call_member create-call override',
      input: {
        ...create({ config_overrides: { grants: { call_member: ['create-call'] } } }),
        subject: { id: 'gus', role: 'guest', call_role: 'call_member' },
      },
      reason: 'NOT_GRANTED',
    },
    {
      name: 'guest lists its overrides as a change',
      input: create({ config_overrides: { grants: { guest: ['create-call'] } } }, [
        'config_overrides',
      ]),
      reason: 'SERVER_ONLY',
    },
    {
      name: 'promoting oneself with an owner grant',
      input: {
        subject: { id: 'sara', role: 'user' },
        action: 'UpdateUser',
        resource: { kind: 'user', id: 'sara', role: 'user' },
        changes: ['role'],
      },
      reason: 'FORBIDDEN_FIELD',
    },
    {
      name: 'anonymous host writes',
      input: {
        subject: { ...anon, call_role: 'host' },
        action: 'SendAudio',
        resource: { kind: 'call', call_type: 'webinar', id: 'w' },
      },
      reason: 'ANONYMOUS_READ_ONLY',
    },
    {
      name: 'context side "Server"',
      input: { ...create({}), context: { side: 'Server' } },
      reason: 'INVALID_INPUT',
    },
  ];
}

// ---------------------------------------------------------------------------------------------

describe('red team: multi-tenant example grants', () => {
  let engines: Engines | undefined;
  let answers: BatchAnswer;
  const queries = queryCases();
  const decisions = decisionAttacks();
  const sameTeamCreate = {
    subject: sara,
    action: 'CreateCall',
    resource: call({
      team: 'red',
      created_by_id: 'sara',
      config_overrides: { grants: { user: ['!create-call'] } },
    }),
    changes: ['team'],
  };

  beforeAll(async () => {
    engines = await startEngines(multiTenantPolicy);
    answers = await evaluateBatch(engines, {
      decisions: [...decisions.map((attack) => attack.input), sameTeamCreate],
      query_filters: queries.map((item) => item.input),
    });
  });

  afterAll(async () => {
    await engines?.bundle.remove();
  });

  it.each(queries.map((item, index) => [item.name, index] as const))(
    'query %s stays inside the tenant',
    (_name, index) => {
      const item = queries[index];
      const answer = answers.query_filters[index];
      if (item === undefined || answer === undefined) throw new Error('missing case');
      if (item.reason !== undefined) {
        expect(answer.reason).toBe(item.reason);
        expect(answer.allow).toBe(false);
      }
      expectSafeQuery(item.input, answer);
    },
  );

  it('still serves legitimate queries (the oracle is not vacuous)', () => {
    const reasons = new Set(answers.query_filters.map((answer) => answer.reason));
    for (const reason of [
      'INJECTED',
      'WITHIN_TEAMS',
      'ANY_TEAM',
      'CROSS_TEAM_QUERY',
      'INVALID_FILTER',
    ]) {
      expect(reasons).toContain(reason);
    }
  });

  it.each(decisions.map((attack, index) => [attack.name, index] as const))(
    'decision %s is denied',
    (_name, index) => {
      const attack = decisions[index];
      const answer = answers.decisions[index];
      if (attack === undefined || answer === undefined) throw new Error('missing case');
      expect(answer.allow).toBe(false);
      if (attack.reason !== undefined) expect(answer.reason).toBe(attack.reason);
      expect(answer.grants).toEqual([]);
    },
  );

  it('a create cannot revoke its own CreateCall either: the input layer is ignored for it', () => {
    const answer = answers.decisions[decisions.length];
    expect(answer?.reason).toBe('GRANTED');
    expect(answer?.grants).toEqual([
      expect.objectContaining({
        scope: 'call_type:default',
        role: 'user',
        permission: 'create-call',
      }),
    ]);
  });

  it("capabilities of a guest never list create-call from the call's own overrides", () => {
    const input = {
      subject: { ...gus, call_role: 'call_member' },
      resource: call({
        team: 'red',
        config_overrides: {
          grants: { guest: ['create-call'], call_member: ['create-call', 'end-call'] },
        },
      }),
    };
    const wasm = engines?.wasm;
    if (wasm === undefined) throw new Error('no engines');
    const capabilities = (
      wasm.evaluate(input, 'rolecall/capabilities') as { result: string[] }[]
    )[0]?.result;
    expect(capabilities).toContain('end-call');
    expect(capabilities).not.toContain('create-call');
  });
});

describe('red team: single-tenant variant of the example', () => {
  let engines: Engines | undefined;
  let answers: BatchAnswer;
  const decisions = singleTenantDecisionAttacks();
  const invalidFilters = filterAttacks.filter((attack) => attack.reason === 'INVALID_FILTER');
  const queries = invalidFilters.map((attack) => ({
    subject: { id: 'sara', role: 'user' },
    action: 'QueryCalls',
    query: { filter_conditions: attack.filter('team', 'red', 'green') },
  }));

  beforeAll(async () => {
    engines = await startEngines(singleTenantPolicy);
    answers = await evaluateBatch(engines, {
      decisions: decisions.map((attack) => attack.input),
      query_filters: [
        ...queries,
        {
          subject: { id: 'sara', role: 'user' },
          action: 'QueryCalls',
          query: { filter_conditions: { team: 'green' } },
        },
      ],
    });
  });

  afterAll(async () => {
    await engines?.bundle.remove();
  });

  it.each(decisions.map((attack, index) => [attack.name, index] as const))(
    'decision %s is denied',
    (_name, index) => {
      const attack = decisions[index];
      const answer = answers.decisions[index];
      if (attack === undefined || answer === undefined) throw new Error('missing case');
      expect(answer.allow).toBe(false);
      expect(answer.reason).toBe(attack.reason);
    },
  );

  it('rejects unknown operators with multi-tenant off too', () => {
    for (const [index] of queries.entries()) {
      expect(answers.query_filters[index]?.reason, invalidFilters[index]?.name).toBe(
        'INVALID_FILTER',
      );
    }
  });

  it('passes a team filter through unchanged with multi-tenant off (no tenants to escape)', () => {
    const last = answers.query_filters[queries.length];
    expect(last?.reason).toBe('SINGLE_TENANT');
    expect(last?.filter).toEqual({ team: 'green' });
  });
});

describe('red team: duplicated keys in the raw JSON text', () => {
  let engines: Engines | undefined;
  const subject = '{"id":"s","role":"user","teams":["red"]}';
  const texts = [
    '{"team":"red","team":"green"}',
    '{"team":"green","team":"red"}',
    '{"team":{"$in":["red"],"$in":["green"]}}',
    '{"team":{"$in":["green"],"$in":["red"]}}',
    '{"team":{"$eq":"red"},"team":{}}',
  ].map(
    (filter) =>
      `{"subject":${subject},"action":"QueryCalls","query":{"filter_conditions":${filter}}}`,
  );

  beforeAll(async () => {
    engines = await startEngines(multiTenantPolicy);
  });

  afterAll(async () => {
    await engines?.bundle.remove();
  });

  it.each(texts)(
    '%s: both engines read the same value and return a filter inside red',
    async (text) => {
      if (engines === undefined) throw new Error('no engines');
      const stdout = await runOpaOrThrow(
        ['eval', '-b', engines.bundle.dir, '-I', '--format', 'json', 'data.rolecall.query_filter'],
        { input: text },
      );
      const output = JSON.parse(stdout) as { result?: { expressions: { value: Answer }[] }[] };
      const fromOpa = output.result?.[0]?.expressions[0]?.value;
      if (fromOpa === undefined) throw new Error(`opa eval gave no result:\n${stdout}`);
      const bytes = new TextEncoder().encode(text);
      const fromWasm = (
        engines.wasm.evaluate(bytes.buffer, 'rolecall/query_filter') as { result: unknown }[]
      )[0]?.result;
      expect(canonical(fromWasm)).toBe(canonical(fromOpa));
      // The answer is about the filter the engine returns (last key wins, like JSON.parse), so an
      // enforcement point must send on `filter`, never the client's raw text.
      expectSafeQuery(JSON.parse(text) as JsonObject, fromOpa);
    },
  );
});

describe('red team: custom owner permissions of the search actions', () => {
  // The compiler accepts an owner condition on SearchUser / QueryCalls; the decision never
  // grants it on a search, so query_filter must not turn it into a search of every team.
  const spec = `version: 1
app:
  multi_tenant_enabled: true
  grants:
    user: [search-own, query-own-calls]
    guest: [search-own, search-user-same-team]
permissions:
  - id: search-own
    action: SearchUser
    owner: true
    name: Search oneself
  - id: query-own-calls
    action: QueryCalls
    owner: true
    name: Query own calls
`;
  let engines: Engines | undefined;
  let answers: BatchAnswer;
  const userSubject = { id: 'uma', role: 'user', teams: ['red'] };
  const guestSubject = { id: 'gil', role: 'guest', teams: ['red'] };
  const queries: JsonObject[] = [
    { subject: userSubject, action: 'QueryUsers', query: { filter_conditions: { teams: {} } } },
    {
      subject: userSubject,
      action: 'QueryUsers',
      query: { filter_conditions: { teams: 'green' } },
    },
    { subject: userSubject, action: 'QueryCalls', query: { filter_conditions: { team: 'green' } } },
    { subject: userSubject, action: 'QueryCalls', query: {} },
    { subject: guestSubject, action: 'QueryUsers', query: { filter_conditions: { teams: {} } } },
    { subject: guestSubject, action: 'QueryUsers', query: { filter_conditions: {} } },
  ];

  beforeAll(async () => {
    const loaded = loadGrants('owner-search.yaml', spec);
    if (!loaded.ok) throw new Error('cannot load the spec');
    const validated = validateGrants(loaded.value);
    if (!validated.ok) throw new Error('cannot validate the spec');
    engines = await startEngines(resolveGrants(validated.value));
    answers = await evaluateBatch(engines, {
      decisions: [{ subject: userSubject, action: 'SearchUser', resource: { kind: 'app' } }],
      query_filters: queries,
    });
  });

  afterAll(async () => {
    await engines?.bundle.remove();
  });

  it('the decision does not grant the owner permission on a search', () => {
    expect(answers.decisions[0]?.reason).toBe('NOT_GRANTED');
  });

  it('query_filter grants nothing from it and never reaches every team', () => {
    expect(answers.query_filters.map((answer) => answer.reason)).toEqual([
      'NOT_GRANTED',
      'NOT_GRANTED',
      'NOT_GRANTED',
      'NOT_GRANTED',
      'CROSS_TEAM_QUERY',
      'INJECTED',
    ]);
    for (const [index, input] of queries.entries()) {
      const answer = answers.query_filters[index];
      if (answer === undefined) throw new Error('missing answer');
      expectSafeQuery(input, answer);
    }
  });
});

describe('red team: generated filters stay inside the tenant', () => {
  // fast-check builds filters from team fields, look-alikes, every allowed operator and nested
  // $and/$or/$nor; one OPA batch and one WASM batch answer them all, and the oracle above judges.
  const SEED = Number(process.env['ROLECALL_REDTEAM_SEED'] ?? 20261125);
  const teamValue = fc.constantFrom<Json>('red', 'blue', 'green', '', 'Red', null, 5, true);
  const listValue = fc.array(teamValue, { maxLength: 3 });
  const operators = [
    '$eq',
    '$ne',
    '$in',
    '$nin',
    '$gt',
    '$gte',
    '$lt',
    '$lte',
    '$exists',
    '$autocomplete',
    '$contains',
  ];
  const condition: fc.Arbitrary<Json> = fc.oneof(
    teamValue,
    listValue,
    fc.dictionary(fc.constantFrom(...operators), fc.oneof(teamValue, listValue), { maxKeys: 3 }),
  );
  const fieldName = fc.constantFrom('team', 'teams', 'name', 'members', 'Team', 'teams ', 'tеam');
  /** A filter of field conditions and, below `levels`, nested $and/$or/$nor lists. */
  const filterOf = (levels: number): fc.Arbitrary<Json> => {
    const fields = fc.dictionary(fieldName, condition, { maxKeys: 3 });
    if (levels === 0) return fields;
    const logic = fc.dictionary(
      fc.constantFrom('$and', '$or', '$nor'),
      fc.array(filterOf(levels - 1), { minLength: 1, maxLength: 2 }),
      { maxKeys: 2 },
    );
    return fc.tuple(fields, logic).map(([plain, nested]): Json => ({ ...plain, ...nested }));
  };
  const filter = filterOf(3);
  // The top-level team field is often present, often with a value inside the subject's teams.
  const topTeam = fc.option(
    fc.oneof(
      condition,
      fc.constantFrom<Json>('red', { $in: ['red'] }, { $eq: 'red' }, { $in: ['red', 'blue'] }, {}),
      fc.record<JsonObject>({ $in: fc.constant(['red']), $nin: listValue, $ne: teamValue }),
    ),
    { nil: undefined },
  );
  const subject = fc.constantFrom<JsonObject>(sara, tom, tina, eve, gus, ava, wanda);
  const action = fc.constantFrom('QueryUsers', 'QueryCalls');
  const inputs = fc.sample(
    fc.tuple(subject, action, filter, topTeam).map(([who, verb, rest, team]): JsonObject => {
      const conditions = { ...(rest as JsonObject) };
      if (team !== undefined) conditions[teamFieldOf(verb)] = team;
      return { subject: who, action: verb, query: { filter_conditions: conditions } };
    }),
    { numRuns: 1000, seed: SEED },
  );
  let engines: Engines | undefined;
  let answers: BatchAnswer;

  beforeAll(async () => {
    engines = await startEngines(multiTenantPolicy);
    answers = await evaluateBatch(engines, { decisions: [], query_filters: inputs });
  });

  afterAll(async () => {
    await engines?.bundle.remove();
  });

  it(`every allowed filter is bounded by the subject's teams (seed ${String(SEED)})`, () => {
    for (const [index, input] of inputs.entries()) {
      const answer = answers.query_filters[index];
      if (answer === undefined) throw new Error('missing answer');
      expectSafeQuery(input, answer);
    }
    const reasons = new Set(answers.query_filters.map((answer) => answer.reason));
    for (const reason of ['WITHIN_TEAMS', 'INJECTED', 'ANY_TEAM', 'CROSS_TEAM_QUERY']) {
      expect(reasons).toContain(reason);
    }
  });
});

describe('red team: generated decisions on another tenant are denied', () => {
  // Any action, roles, member grants, overrides and changes: a client-side decision about a call
  // or user outside the subject's teams is never an allow in multi-tenant mode.
  const SEED = Number(process.env['ROLECALL_REDTEAM_SEED'] ?? 20261125);
  const actions = Object.keys(multiTenantPolicy.actions);
  const permissions = Object.keys(multiTenantPolicy.permissions);
  const roles = ['user', 'guest', 'anonymous', 'admin', 'workspace_admin', 'support_agent', 'host'];
  const modifiers = fc.uniqueArray(
    fc.constantFrom(...permissions).chain((id) => fc.constantFrom(id, `!${id}`)),
    { maxLength: 4, selector: (modifier) => modifier.replace(/^!/, '') },
  );
  const subject = fc.record({
    id: fc.constantFrom('sara', 'bob'),
    role: fc.constantFrom(...roles),
    teams: fc.constantFrom<string[]>(['red'], ['red', 'blue'], ['']),
    call_role: fc.option(fc.constantFrom(...roles), { nil: undefined }),
    call_grants: fc.option(modifiers, { nil: undefined }),
  });
  const foreignTeam = fc.constantFrom<string>('green', 'Red', 'red ', 'RED');
  const resource = fc.oneof(
    fc.record({
      kind: fc.constant('call'),
      call_type: fc.constantFrom('default', 'webinar', 'livestream', 'audio_room'),
      id: fc.constantFrom('x', 'board-meeting', 'q3-all-hands', 'launch-event'),
      team: fc.option(foreignTeam, { nil: null }),
      created_by_id: fc.constantFrom('sara', 'bob'),
      config_overrides: fc.option(
        fc.record({ grants: fc.dictionary(fc.constantFrom(...roles), modifiers, { maxKeys: 3 }) }),
        { nil: null },
      ),
    }),
    fc.record({
      kind: fc.constant('user'),
      id: fc.constantFrom('bea', 'zed'),
      role: fc.constantFrom(...roles),
      teams: fc.constantFrom<string[]>(['green'], ['Red'], [], ['red ']),
    }),
  );
  const changes = fc.option(
    fc.subarray(['name', 'role', 'teams', 'team', 'custom', 'created_by_id', 'config_overrides']),
    { nil: undefined },
  );
  const context = fc.constantFrom<Json | undefined>(undefined, null, { side: 'client' }, {});
  const inputs = fc
    .sample(
      fc
        .record({ subject, action: fc.constantFrom(...actions), resource, changes, context })
        .filter(({ subject: who, resource: target }) => {
          // Keep only targets outside the subject's teams (a team-less call for a subject with
          // teams, another user sharing no team with it).
          if (target.kind === 'call')
            return target.team === null || !who.teams.includes(target.team);
          return !target.teams.some((team) => who.teams.includes(team));
        }),
      { numRuns: 1500, seed: SEED },
    )
    .map((input) => JSON.parse(JSON.stringify(input)) as JsonObject);
  let engines: Engines | undefined;
  let answers: BatchAnswer;

  beforeAll(async () => {
    engines = await startEngines(multiTenantPolicy);
    answers = await evaluateBatch(engines, { decisions: inputs, query_filters: [] });
  });

  afterAll(async () => {
    await engines?.bundle.remove();
  });

  it(`denies every one (seed ${String(SEED)})`, () => {
    for (const [index, input] of inputs.entries()) {
      const answer = answers.decisions[index];
      expect(answer?.allow, canonical(input)).toBe(false);
    }
    const reasons = new Set(answers.decisions.map((answer) => answer.reason));
    expect(reasons).toContain('TEAM_MISMATCH');
  });
});

describe('red team: a create never gains from the overrides it brings', () => {
  // The same CreateCall with and without client-written config_overrides: the grant cannot
  // differ, whatever the roles, teams and modifiers (single- and multi-tenant).
  const SEED = Number(process.env['ROLECALL_REDTEAM_SEED'] ?? 20261125);
  const permissions = Object.keys(multiTenantPolicy.permissions);
  const roles = ['user', 'guest', 'anonymous', 'admin', 'workspace_admin', 'call_member', 'host'];
  const modifiers = fc.uniqueArray(
    fc.constantFrom(...permissions).chain((id) => fc.constantFrom(id, `!${id}`)),
    { minLength: 1, maxLength: 4, selector: (modifier) => modifier.replace(/^!/, '') },
  );
  const pairs = fc
    .sample(
      fc.record({
        role: fc.constantFrom(...roles),
        call_role: fc.option(fc.constantFrom(...roles), { nil: null }),
        call_type: fc.constantFrom('default', 'webinar', 'livestream', 'audio_room'),
        grants: fc.dictionary(fc.constantFrom(...roles), modifiers, { minKeys: 1, maxKeys: 3 }),
      }),
      { numRuns: 400, seed: SEED },
    )
    .map(({ role, call_role, call_type, grants }): [JsonObject, JsonObject] => {
      const plain = {
        subject: { id: 'sam', role, teams: ['red'], call_role },
        action: 'CreateCall',
        resource: { kind: 'call', call_type, id: 'new-call', team: 'red', created_by_id: 'sam' },
        changes: ['team'],
      };
      return [plain, { ...plain, resource: { ...plain.resource, config_overrides: { grants } } }];
    });
  const enginesByPolicy: Engines[] = [];

  afterAll(async () => {
    await Promise.all(enginesByPolicy.map((engines) => engines.bundle.remove()));
  });

  it.each([
    ['multi-tenant', multiTenantPolicy],
    ['single-tenant', singleTenantPolicy],
  ] as const)(
    '%s: the answer is the same with and without the overrides',
    async (_name, policy) => {
      const engines = await startEngines(policy);
      enginesByPolicy.push(engines);
      const answers = await evaluateBatch(engines, { decisions: pairs.flat(), query_filters: [] });
      for (const [index, [plain]] of pairs.entries()) {
        const without = answers.decisions[2 * index];
        const withOverrides = answers.decisions[2 * index + 1];
        expect(canonical(withOverrides), canonical(plain)).toBe(canonical(without));
      }
      expect(answers.decisions.some((answer) => answer.allow)).toBe(true);
    },
  );
});
