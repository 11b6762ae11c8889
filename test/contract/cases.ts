// The contract every evaluator must honour: inputs with their reviewed expected answers (the
// reason and allow of decisions, capabilities, filters), written by hand from DESIGN §4–§5.
const alice = { id: 'alice', role: 'user', teams: ['red'] };
const redCall = {
  kind: 'call',
  call_type: 'default',
  id: 'red-weekly',
  team: 'red',
  created_by_id: 'bob',
};

export interface DecisionCase {
  name: string;
  input: unknown;
  allow: boolean;
  reason: string;
  /** Expected `grants` entries as scope/role/permission, when the case pins them. */
  grants?: { scope: string; role: string; permission: string }[];
}

export const DECISION_CASES: DecisionCase[] = [
  {
    name: 'a call member sends video in its team',
    input: {
      subject: { ...alice, call_role: 'call_member' },
      action: 'SendVideo',
      resource: redCall,
    },
    allow: true,
    reason: 'GRANTED',
    grants: [{ scope: 'call_type:default', role: 'call_member', permission: 'send-video' }],
  },
  {
    name: "the live call's own override revokes send-video for the member's role",
    input: {
      subject: { ...alice, call_role: 'call_member' },
      action: 'SendVideo',
      resource: { ...redCall, config_overrides: { grants: { call_member: ['!send-video'] } } },
    },
    allow: false,
    reason: 'REVOKED',
    grants: [{ scope: 'input', role: 'call_member', permission: 'send-video' }],
  },
  {
    name: "the member's call_grants revoke send-audio",
    input: {
      subject: { ...alice, call_role: 'call_member', call_grants: ['!send-audio'] },
      action: 'SendAudio',
      resource: redCall,
    },
    allow: false,
    reason: 'REVOKED',
  },
  {
    name: "the member's call_grants grant screenshare",
    input: {
      subject: { ...alice, call_role: 'call_member', call_grants: ['screenshare'] },
      action: 'Screenshare',
      resource: redCall,
    },
    allow: true,
    reason: 'GRANTED',
  },
  {
    name: 'an unknown action',
    input: { subject: alice, action: 'FlyToTheMoon', resource: redCall },
    allow: false,
    reason: 'UNKNOWN_ACTION',
  },
  {
    name: 'server side is not permission checked',
    input: {
      subject: alice,
      action: 'EndCall',
      resource: redCall,
      context: { side: 'server' },
    },
    allow: true,
    reason: 'SERVER_SIDE',
  },
  {
    name: 'a client cannot change config_overrides',
    input: {
      subject: { ...alice, call_role: 'host' },
      action: 'UpdateCall',
      resource: redCall,
      changes: ['config_overrides'],
    },
    allow: false,
    reason: 'SERVER_ONLY',
  },
  {
    name: 'anonymous never writes',
    input: {
      subject: { id: 'anon', role: 'anonymous', teams: ['red'], call_role: 'host' },
      action: 'SendAudio',
      resource: redCall,
    },
    allow: false,
    reason: 'ANONYMOUS_READ_ONLY',
  },
  {
    name: 'a user with teams must set the team of a new call',
    input: {
      subject: alice,
      action: 'CreateCall',
      resource: { kind: 'call', call_type: 'default', id: 'new', created_by_id: 'alice' },
    },
    allow: false,
    reason: 'TEAM_REQUIRED',
  },
  {
    name: "another team's call is out of reach",
    input: {
      subject: { ...alice, call_role: 'call_member' },
      action: 'JoinCall',
      resource: { ...redCall, team: 'blue' },
    },
    allow: false,
    reason: 'TEAM_MISMATCH',
  },
  {
    name: 'owner grants do not change the own role',
    input: {
      subject: alice,
      action: 'UpdateUser',
      resource: { kind: 'user', id: 'alice', role: 'user', teams: ['red'] },
      changes: ['role'],
    },
    allow: false,
    reason: 'FORBIDDEN_FIELD',
  },
  {
    name: 'a user updates its own name',
    input: {
      subject: alice,
      action: 'UpdateUser',
      resource: { kind: 'user', id: 'alice', role: 'user', teams: ['red'] },
      changes: ['name'],
    },
    allow: true,
    reason: 'GRANTED',
  },
  {
    name: 'an unknown role holds no grants',
    input: {
      subject: { ...alice, role: 'wizard' },
      action: 'ReadCall',
      resource: redCall,
    },
    allow: false,
    reason: 'NOT_GRANTED',
  },
  {
    name: 'an unknown call type holds no grants',
    input: {
      subject: { ...alice, call_role: 'call_member' },
      action: 'JoinCall',
      resource: { ...redCall, call_type: 'no_such_type' },
    },
    allow: false,
    reason: 'NOT_GRANTED',
  },
  {
    name: 'a custom call-level role in a custom call type',
    input: {
      subject: { ...alice, call_role: 'stage_manager' },
      action: 'MuteUsers',
      resource: { ...redCall, call_type: 'town_hall' },
    },
    allow: true,
    reason: 'GRANTED',
  },
  {
    name: "the grants file's call override grants create-reaction",
    input: {
      subject: alice,
      action: 'CreateReaction',
      resource: { ...redCall, call_type: 'livestream', id: 'example' },
    },
    allow: true,
    reason: 'GRANTED',
  },
];

/** Inputs the pre-check (or the engine's shape checks) must answer with INVALID_INPUT. */
export const INVALID_INPUTS: { name: string; input: unknown }[] = [
  { name: 'null', input: null },
  { name: 'false', input: false },
  { name: '0', input: 0 },
  { name: 'the empty string', input: '' },
  { name: 'an array', input: [] },
  { name: 'an array of an input', input: [DECISION_CASES[0]?.input] },
  { name: 'a string', input: 'SendVideo' },
  {
    name: 'a lone surrogate in a value',
    input: { subject: { ...alice, id: 'al\uD800ice' }, action: 'SendVideo', resource: redCall },
  },
  {
    name: 'a lone surrogate in a key',
    input: { subject: alice, action: 'SendVideo', resource: { ...redCall, '\uDC00': 1 } },
  },
  {
    name: 'a subject that is a string',
    input: { subject: 'alice', action: 'ReadCall', resource: redCall },
  },
  {
    name: 'a conflicting call_grants list',
    input: {
      subject: { ...alice, call_grants: ['send-audio', '!send-audio'] },
      action: 'SendAudio',
      resource: redCall,
    },
  },
];

export interface QueryFilterCase {
  name: string;
  input: unknown;
  allow: boolean;
  reason: string;
  /** The expected filter (reviewed by hand), or null on a deny. */
  filter: Record<string, unknown> | null;
  injected: boolean;
}

const agent = { id: 'ada', role: 'special_agent', teams: ['red'] };

export const QUERY_FILTER_CASES: QueryFilterCase[] = [
  {
    name: 'a call query gets the team condition injected',
    input: {
      subject: alice,
      action: 'QueryCalls',
      query: { filter_conditions: { type: 'default' } },
    },
    allow: true,
    reason: 'INJECTED',
    filter: { type: 'default', team: { $in: ['red'] } },
    injected: true,
  },
  {
    name: 'a team field nested in $or does not escape the injection',
    input: {
      subject: alice,
      action: 'QueryUsers',
      query: { filter_conditions: { $or: [{ teams: 'blue' }, { name: 'x' }] } },
    },
    allow: true,
    reason: 'INJECTED',
    filter: { $or: [{ teams: 'blue' }, { name: 'x' }], teams: { $in: ['red'] } },
    injected: true,
  },
  {
    name: 'a filter inside the own teams stays as written',
    input: { subject: alice, action: 'QueryCalls', query: { filter_conditions: { team: 'red' } } },
    allow: true,
    reason: 'WITHIN_TEAMS',
    filter: { team: 'red' },
    injected: false,
  },
  {
    name: 'another team needs the any-team permission',
    input: { subject: alice, action: 'QueryCalls', query: { filter_conditions: { team: 'blue' } } },
    allow: false,
    reason: 'CROSS_TEAM_QUERY',
    filter: null,
    injected: false,
  },
  {
    name: 'the any-team permission reaches all teams with {}',
    input: {
      subject: agent,
      action: 'QueryUsers',
      query: { filter_conditions: { teams: {}, id: 'x' } },
    },
    allow: true,
    reason: 'ANY_TEAM',
    filter: { id: 'x' },
    injected: false,
  },
  {
    name: 'an unknown operator at depth',
    input: {
      subject: alice,
      action: 'QueryCalls',
      query: { filter_conditions: { $and: [{ $or: [{ id: { $regex: '.*' } }] }] } },
    },
    allow: false,
    reason: 'INVALID_FILTER',
    filter: null,
    injected: false,
  },
  {
    name: 'server side is returned unchanged',
    input: {
      subject: alice,
      action: 'QueryCalls',
      query: { filter_conditions: { team: 'blue' } },
      context: { side: 'server' },
    },
    allow: true,
    reason: 'SERVER_SIDE',
    filter: { team: 'blue' },
    injected: false,
  },
  {
    name: 'a role without a query grant',
    input: {
      subject: { ...alice, role: 'wizard' },
      action: 'QueryCalls',
      query: { filter_conditions: {} },
    },
    allow: false,
    reason: 'NOT_GRANTED',
    filter: null,
    injected: false,
  },
];

/** A call-member subject on the red call: what its capabilities must and must not contain. */
export const CAPABILITIES_CASE = {
  input: { subject: { ...alice, call_role: 'call_member' }, action: 'ReadCall', resource: redCall },
  includes: ['join-call', 'read-call', 'send-audio', 'send-video'],
  excludes: ['end-call', 'end-call-owner', 'start-broadcast-call'],
};
