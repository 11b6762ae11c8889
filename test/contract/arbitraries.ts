// fast-check generators of decision and query_filter inputs for the differential test and the
// benchmark: mostly well-formed inputs over the policy's real names, mixed with malformed ones
// (wrong types, missing fields, unknown names, weird strings, random filters at depth).
import fc from 'fast-check';

export interface PolicyNames {
  roles: string[];
  callRoles: string[];
  callTypes: string[];
  actions: string[];
  permissions: string[];
}

/** Reads the names an input generator draws from out of a data.json document. */
export function namesOf(dataJson: string): PolicyNames {
  const data = (
    JSON.parse(dataJson) as {
      rolecall_data: {
        roles: Record<string, { level: string }>;
        call_types: Record<string, unknown>;
        actions: Record<string, unknown>;
        permissions: Record<string, unknown>;
      };
    }
  ).rolecall_data;
  const roles = Object.keys(data.roles);
  return {
    roles,
    callRoles: roles.filter((role) => data.roles[role]?.level !== 'user'),
    callTypes: Object.keys(data.call_types),
    actions: Object.keys(data.actions),
    permissions: Object.keys(data.permissions),
  };
}

const TEAMS = ['red', 'blue', 'green'];
const FIELDS = ['name', 'role', 'teams', 'team', 'config_overrides', 'created_by_id', 'settings'];

/** Strings that have broken engines before: empty, control chars, HTML, non-BMP, long. */
const weirdString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '<script>&amp;',
    'é',
    '\uD83C\uDF89',
    '$eq',
    '!',
    '!!x',
    'a'.repeat(300),
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 8 }),
);

/** A string with a lone surrogate: the pre-check must answer these, never an engine. */
const loneSurrogateString = fc
  .tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 0xd800, max: 0xdfff }))
  .map(([text, unit]) => `${text}${String.fromCharCode(unit)}`);

/** Mostly `good`; 1 in 60 times a wrong type or a weird value. */
function mostly<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 120, arbitrary: good },
    { weight: 1, arbitrary: weirdString },
    { weight: 1, arbitrary: fc.constantFrom(null, 0, 1.5, true, [], {}) },
  );
}

/** A record with its `required` keys present, except 1 in 20 times when any key may be missing. */
function partialRecord(model: Record<string, fc.Arbitrary<unknown>>, required: string[] = []) {
  return fc.oneof(
    { weight: 19, arbitrary: fc.record(model, { requiredKeys: required }) },
    { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
  );
}

/** Names drawn often, so that grants, revokes and actions actually meet. */
const HOT_PERMISSIONS = ['send-audio', 'send-video', 'join-call', 'read-call', 'screenshare'];
const HOT_ACTIONS = ['SendAudio', 'SendVideo', 'JoinCall', 'ReadCall', 'Screenshare', 'EndCall'];

export function inputArbitraries(names: PolicyNames) {
  const role = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...names.roles) },
    { weight: 1, arbitrary: fc.constantFrom('wizard', 'USER', '') },
  );
  const callRole = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...names.callRoles) },
    { weight: 1, arbitrary: fc.constantFrom('user', 'stranger') },
  );
  const permission = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...HOT_PERMISSIONS) },
    { weight: 4, arbitrary: fc.constantFrom(...names.permissions) },
    { weight: 1, arbitrary: fc.constantFrom('no-such-permission', '') },
  );
  const modifier = fc
    .tuple(fc.boolean(), permission)
    .map(([revoke, id]) => (revoke ? `!${id}` : id));
  const modifiers = fc.array(modifier, { maxLength: 2 });
  const teams = fc.oneof(
    { weight: 8, arbitrary: fc.constant(['red']) },
    { weight: 4, arbitrary: fc.subarray(TEAMS) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(weirdString, { maxLength: 2 }) },
  );
  const userId = fc.constantFrom('alice', 'bob', 'carol');

  const subject = mostly(
    partialRecord(
      {
        id: mostly(userId),
        role: mostly(role),
        teams: mostly(teams),
        call_role: mostly(callRole),
        call_grants: mostly(modifiers),
      },
      ['id', 'role', 'teams'],
    ),
  );
  const overrides = fc.oneof(
    fc.constant(null),
    fc.constant({}),
    fc.record({
      grants: fc.oneof(fc.constant(null), fc.dictionary(callRole, modifiers, { maxKeys: 3 })),
    }),
    fc.record({ grants: fc.dictionary(role, mostly(modifiers), { maxKeys: 2 }) }),
  );
  const callResource = partialRecord(
    {
      kind: fc.constant('call'),
      call_type: mostly(
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...names.callTypes) },
          { weight: 1, arbitrary: fc.constant('no_such_type') },
        ),
      ),
      id: mostly(fc.constantFrom('c1', 'example', 'red-weekly')),
      team: mostly(
        fc.oneof(
          { weight: 6, arbitrary: fc.constant('red') },
          { weight: 2, arbitrary: fc.constantFrom(...TEAMS) },
          { weight: 1, arbitrary: fc.constant(null) },
        ),
      ),
      created_by_id: mostly(userId),
      config_overrides: mostly(overrides),
    },
    ['kind', 'call_type', 'id'],
  );
  const userResource = partialRecord(
    {
      kind: fc.constant('user'),
      id: mostly(userId),
      role: mostly(role),
      teams: mostly(teams),
    },
    ['kind', 'id'],
  );
  const resource = mostly(
    fc.oneof(
      { weight: 12, arbitrary: callResource },
      { weight: 4, arbitrary: userResource },
      { weight: 1, arbitrary: fc.constant({ kind: 'app' }) },
      { weight: 1, arbitrary: fc.record({ kind: weirdString }) },
    ),
  );
  const context = mostly(
    partialRecord({
      side: mostly(fc.constantFrom('client', 'client', 'client', 'client', 'server')),
      listing: mostly(fc.boolean()),
    }),
  );
  const action = mostly(
    fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(...HOT_ACTIONS) },
      { weight: 10, arbitrary: fc.constantFrom(...names.actions) },
      { weight: 1, arbitrary: weirdString },
    ),
  );
  const changes = mostly(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(['name'], ['settings'], []) },
      { weight: 1, arbitrary: fc.subarray(FIELDS, { maxLength: 3 }) },
    ),
  );

  const wellFormedDecision = fc.record(
    { subject, action, resource, changes, context },
    { requiredKeys: ['subject', 'action', 'resource'] },
  );

  const scalar = fc.oneof(
    fc.constantFrom(...TEAMS),
    weirdString,
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const operator = fc.oneof(
    {
      weight: 10,
      arbitrary: fc.constantFrom(
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
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom('$regex', '$where', '$EQ', '$') },
  );
  const field = fc.constantFrom('teams', 'team', 'id', 'name', 'type', 'created_by_id');
  const { filter } = fc.letrec<{ filter: Record<string, unknown>; condition: unknown }>((tie) => ({
    condition: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(
        operator,
        fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.constant({})),
        {
          maxKeys: 2,
        },
      ),
      fc.constant({}),
    ),
    filter: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      fc.dictionary(field, tie('condition'), { maxKeys: 3 }),
      fc
        .record(
          {
            logic: fc.constantFrom('$and', '$or', '$nor'),
            parts: fc.array(tie('filter'), { maxLength: 3 }),
            rest: fc.dictionary(field, tie('condition'), { maxKeys: 2 }),
          },
          { requiredKeys: ['logic', 'parts', 'rest'] },
        )
        .map(({ logic, parts, rest }) => ({ ...rest, [logic]: parts })),
      fc.record({ $and: scalar }),
    ),
  }));
  const queryFilter = fc.record(
    {
      subject,
      action: mostly(fc.constantFrom('QueryUsers', 'QueryCalls')),
      query: mostly(partialRecord({ filter_conditions: mostly(filter) }, ['filter_conditions'])),
      context,
    },
    { requiredKeys: ['subject', 'action'] },
  );

  /** Whole inputs that are not inputs at all, or carry a lone surrogate somewhere. */
  const broken = fc.oneof(
    fc.constantFrom(null, false, 0, '', [], 'ReadCall', 42),
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ subject: fc.record({ id: loneSurrogateString, role: role }), action, resource }),
    fc.record({
      subject,
      action: loneSurrogateString,
      query: fc.constant({ filter_conditions: {} }),
    }),
  );

  /** A member whose permission for the action is revoked in some layer. */
  const revocation = fc
    .record({
      index: fc.integer({ min: 0, max: HOT_PERMISSIONS.length - 1 }),
      layer: fc.constantFrom('input', 'member'),
      callRole: fc.constantFrom('call_member', 'host', 'call_moderator'),
      alsoGrant: fc.boolean(),
    })
    .map(({ index, layer, callRole, alsoGrant }) => {
      const permissionId = HOT_PERMISSIONS[index] ?? 'send-audio';
      const revoke = [`!${permissionId}`];
      return {
        subject: {
          id: 'alice',
          role: 'user',
          teams: ['red'],
          call_role: callRole,
          ...(layer === 'member' ? { call_grants: revoke } : {}),
        },
        action: HOT_ACTIONS[index],
        resource: {
          kind: 'call',
          call_type: 'default',
          id: 'c1',
          team: 'red',
          config_overrides:
            layer === 'input'
              ? { grants: { [callRole]: revoke, ...(alsoGrant ? { user: [permissionId] } : {}) } }
              : null,
        },
      };
    });

  return {
    decision: fc.oneof(
      { weight: 16, arbitrary: wellFormedDecision },
      { weight: 2, arbitrary: broken },
      { weight: 1, arbitrary: revocation },
    ),
    queryFilter: fc.oneof({ weight: 9, arbitrary: queryFilter }, { weight: 1, arbitrary: broken }),
  };
}
