// Generated `rolecall/decision` inputs for bench/decisions.ts, shaped like a SaaS video product's
// traffic on bench/fixtures/saas.rolecall.yaml: well-formed call decisions (mostly in the
// subject's own team, with call roles, live-record `!` overrides and member grants), and a
// separate list of malformed ones. A fixed seed makes every run measure the same inputs.
import type { ResolvedPolicy } from '../core/policy.js';

export interface CallDecisionInput {
  subject: {
    id: string;
    role: string;
    teams: string[];
    call_role?: string;
    call_grants?: string[];
  };
  action: string;
  resource: {
    kind: 'call';
    call_type: string;
    id: string;
    team?: string;
    created_by_id?: string;
    config_overrides?: { grants: Record<string, string[]> };
  };
  changes?: string[];
  context?: { side: 'client' };
}

/** Call-level actions a frontend and a call backend ask about, weighted by how often. */
const ACTION_WEIGHTS: Record<string, number> = {
  JoinCall: 8,
  ReadCall: 6,
  SendAudio: 8,
  SendVideo: 8,
  Screenshare: 3,
  CreateReaction: 3,
  SendEvent: 2,
  MuteUsers: 3,
  KickUser: 1,
  EndCall: 3,
  UpdateCall: 2,
  UpdateCallSettings: 1,
  StartRecording: 1,
  StopRecording: 1,
  PinForEveryone: 1,
  JoinBackstage: 1,
  EnableNoiseCancellation: 1,
};

/** Weights of user roles and call roles; a role of the file not listed here weighs 2. */
const USER_ROLE_WEIGHTS: Record<string, number> = {
  user: 55,
  guest: 10,
  admin: 2,
  workspace_admin: 8,
  sales_rep: 5,
  support_agent: 4,
  billing_admin: 3,
  anonymous: 0,
};
const CALL_ROLE_WEIGHTS: Record<string, number> = {
  call_member: 40,
  student: 10,
  host: 8,
  panelist: 8,
  coach: 6,
  call_moderator: 4,
  interpreter: 4,
};
const TEAM_COUNT = 12;
const USER_COUNT = 300;
const CALLS_PER_TYPE = 400;

/** mulberry32: small, fast and good enough to spread inputs; the same seed, the same inputs. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Picker {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = randomSource(seed);
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  integer(below: number): number {
    return Math.floor(this.random() * below);
  }

  one<T>(items: readonly T[]): T {
    const item = items[this.integer(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  weighted(weights: Record<string, number>): string {
    const entries = Object.entries(weights).filter(([, weight]) => weight > 0);
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let point = this.random() * total;
    for (const [name, weight] of entries) {
      point -= weight;
      if (point < 0) return name;
    }
    return entries.at(-1)?.[0] ?? '';
  }

  /** `count` distinct items. */
  some<T>(items: readonly T[], count: number): T[] {
    const chosen = new Set<T>();
    const wanted = Math.min(count, new Set(items).size);
    while (chosen.size < wanted) chosen.add(this.one(items));
    return [...chosen];
  }
}

interface Names {
  userRoles: Record<string, number>;
  callRoles: Record<string, number>;
  callTypes: string[];
  /** "type:id" of the YAML `calls:` overrides. */
  overriddenCalls: string[];
  /** Plain permission ids of the weighted actions, what overrides and member grants name. */
  callPermissions: string[];
  permissionOf: Record<string, string>;
}

function namesOf(policy: ResolvedPolicy): Names {
  const userRoles: Record<string, number> = {};
  const callRoles: Record<string, number> = {};
  for (const [role, { level }] of Object.entries(policy.roles)) {
    // A role of level `any` is used both ways (bots join as user and as call role).
    if (level !== 'call') userRoles[role] = USER_ROLE_WEIGHTS[role] ?? 2;
    if (level !== 'user') callRoles[role] = CALL_ROLE_WEIGHTS[role] ?? 2;
  }
  const permissionOf: Record<string, string> = {};
  for (const action of Object.keys(ACTION_WEIGHTS)) {
    const permission = policy.actions[action]?.permission;
    if (permission !== undefined) permissionOf[action] = permission;
  }
  return {
    userRoles,
    callRoles,
    callTypes: Object.keys(policy.call_types).sort(),
    overriddenCalls: Object.keys(policy.call_overrides).sort(),
    callPermissions: Object.values(permissionOf),
    permissionOf,
  };
}

const teamName = (index: number) => `team-${String(index + 1).padStart(2, '0')}`;
const userName = (index: number) => `user-${String(index + 1).padStart(4, '0')}`;

/**
 * 1 to 3 modifiers, half the time naming the asked action's permission: overrides are written for
 * what people do in the call (a muted audience asks to SendAudio), not at random.
 */
function modifiers(pick: Picker, names: Names, action: string, revokeChance: number): string[] {
  const asked = names.permissionOf[action];
  const others = names.callPermissions.filter((permission) => permission !== asked);
  const permissions = pick.some(others, 1 + pick.integer(3));
  if (asked !== undefined && pick.chance(0.5)) permissions[0] = asked;
  return permissions.map((permission) =>
    pick.chance(revokeChance) ? `!${permission}` : permission,
  );
}

function generateOne(pick: Picker, names: Names, users: CallDecisionInput['subject'][]) {
  const action = pick.weighted(ACTION_WEIGHTS);
  // A fresh literal, as an app or JSON.parse builds an input: a spread copy (`{ ...user }`) gave
  // every subject its own V8 hidden class, which made each property read of every JS row (the
  // Map's key included) a slow lookup — a cost of the generator, not of the engines.
  const user = pick.one(users);
  const subject: CallDecisionInput['subject'] = { id: user.id, role: user.role, teams: user.teams };
  if (pick.chance(0.7)) subject.call_role = pick.weighted(names.callRoles);
  if (pick.chance(0.1)) subject.call_grants = modifiers(pick, names, action, 0.5);
  let callType = pick.one(names.callTypes);
  let callId = `${callType}-${String(pick.integer(CALLS_PER_TYPE))}`;
  if (pick.chance(0.12)) {
    const [overriddenType = callType, overriddenId = callId] = pick
      .one(names.overriddenCalls)
      .split(':');
    callType = overriddenType;
    callId = overriddenId;
  }
  const resource: CallDecisionInput['resource'] = { kind: 'call', call_type: callType, id: callId };
  const otherTeam = teamName(pick.integer(TEAM_COUNT));
  if (subject.teams.length > 0) {
    if (pick.chance(0.92)) resource.team = pick.one(subject.teams);
    else if (pick.chance(0.75)) resource.team = otherTeam;
  } else if (pick.chance(0.15)) {
    resource.team = otherTeam;
  }
  if (pick.chance(0.95)) {
    resource.created_by_id = pick.chance(0.25) ? subject.id : userName(pick.integer(USER_COUNT));
  }
  if (pick.chance(0.3)) {
    const roles = [
      subject.role,
      subject.call_role ?? 'call_member',
      pick.weighted(names.callRoles),
    ];
    const grants: Record<string, string[]> = {};
    for (const role of pick.some(roles, 1 + pick.integer(2))) {
      grants[role] = modifiers(pick, names, action, 0.65);
    }
    resource.config_overrides = { grants };
  }
  const input: CallDecisionInput = { subject, action, resource };
  if (
    (input.action === 'UpdateCall' || input.action === 'UpdateCallSettings') &&
    pick.chance(0.5)
  ) {
    input.changes = [pick.one(['name', 'settings', 'custom'])];
  }
  if (pick.chance(0.1)) input.context = { side: 'client' };
  return input;
}

/** `count` well-formed decision inputs on call resources. */
export function generateDecisionInputs(
  policy: ResolvedPolicy,
  count: number,
  seed: number,
): CallDecisionInput[] {
  const pick = new Picker(seed);
  const names = namesOf(policy);
  const users = Array.from({ length: USER_COUNT }, (_, index) => {
    const teams = pick.chance(0.04)
      ? []
      : pick.some(
          Array.from({ length: TEAM_COUNT }, (_unused, team) => teamName(team)),
          pick.chance(0.9) ? 1 : 2,
        );
    return { id: userName(index), role: pick.weighted(names.userRoles), teams };
  });
  return Array.from({ length: count }, () => generateOne(pick, names, users));
}

/** One way to break a well-formed input; each makes the engine answer INVALID_INPUT. */
const MALFORMATIONS: ((
  input: Record<string, unknown>,
  subject: Record<string, unknown>,
) => void)[] = [
  (_input, subject) => delete subject['id'],
  (_input, subject) => (subject['id'] = ''),
  (input) => ((input['resource'] as Record<string, unknown>)['kind'] = 'room'),
  (input) => ((input['resource'] as Record<string, unknown>)['call_type'] = ''),
  (input) => delete input['resource'],
  (input) => (input['action'] = 42),
  (_input, subject) => (subject['teams'] = 'team-01'),
  (input) => {
    const resource = input['resource'] as Record<string, unknown>;
    resource['config_overrides'] = { grants: { call_member: ['send-audio', '!send-audio'] } };
  },
  (_input, subject) => (subject['call_grants'] = ['send-video', '!send-video']),
  (input) => (input['subject'] = 'user-0001'),
];

/** `count` malformed inputs: well-formed ones each broken in one way, the ways in turn. */
export function generateMalformedInputs(
  policy: ResolvedPolicy,
  count: number,
  seed: number,
): unknown[] {
  return generateDecisionInputs(policy, count, seed).map((wellFormed, index) => {
    const input = structuredClone(wellFormed) as unknown as Record<string, unknown>;
    const malform = MALFORMATIONS[index % MALFORMATIONS.length];
    malform?.(input, input['subject'] as Record<string, unknown>);
    return input;
  });
}

/**
 * The Map baseline's key: every field of the input that can change the answer, concatenated.
 * What a cache of answers in front of any engine would have to key on.
 */
export function decisionKey(input: CallDecisionInput): string {
  const { subject, resource } = input;
  const overrides = resource.config_overrides;
  return [
    subject.id,
    subject.role,
    subject.call_role ?? '',
    subject.teams.join(','),
    subject.call_grants?.join(',') ?? '',
    input.action,
    resource.call_type,
    resource.id,
    resource.team ?? '',
    resource.created_by_id ?? '',
    overrides === undefined ? '' : JSON.stringify(overrides.grants),
    input.changes?.join(',') ?? '',
    input.context?.side ?? '',
  ].join('|');
}
