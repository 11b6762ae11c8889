// `rolecall eval`'s quick question: a decision input from flags (`--subject alice --role user
// --teams red --action SendVideo --call default:standup --call-role call_member`) instead of a
// JSON file, with "did you mean" for an action, role or call type the policy does not know.
import { didYouMean } from '../../compiler/validate/suggest.js';
import type { PolicyDataDocument } from '../../sdk/bundle.js';
import { UsageError } from '../io.js';

/** The flags of a quick question, as parseArgs returns them. */
export interface QuestionFlags {
  subject?: string | undefined;
  role?: string | undefined;
  teams?: string | undefined;
  action?: string | undefined;
  call?: string | undefined;
  'call-team'?: string | undefined;
  'created-by'?: string | undefined;
  'call-role'?: string | undefined;
  'call-grants'?: string | undefined;
  user?: string | undefined;
  'user-role'?: string | undefined;
  'user-teams'?: string | undefined;
  changes?: string | undefined;
  side?: string | undefined;
}

/** The parseArgs options of a quick question (every one a string). */
export const QUESTION_OPTIONS = {
  subject: { type: 'string' },
  role: { type: 'string' },
  teams: { type: 'string' },
  action: { type: 'string' },
  call: { type: 'string' },
  'call-team': { type: 'string' },
  'created-by': { type: 'string' },
  'call-role': { type: 'string' },
  'call-grants': { type: 'string' },
  user: { type: 'string' },
  'user-role': { type: 'string' },
  'user-teams': { type: 'string' },
  changes: { type: 'string' },
  side: { type: 'string' },
} as const;

/** One line of help per flag, for the usage text. */
export const QUESTION_HELP: Readonly<Record<keyof typeof QUESTION_OPTIONS, string>> = {
  subject: 'the subject id (default "user")',
  role: 'the subject role (default "user")',
  teams: 'the subject teams, comma separated',
  action: 'the action asked about (asks a quick question instead of --input)',
  call: 'the call resource as TYPE:ID',
  'call-team': "the call's team",
  'created-by': "the call's creator",
  'call-role': "the subject's role as a member of the call",
  'call-grants': "the member's own modifiers, comma separated (send-audio,!send-video)",
  user: 'a user resource id (instead of --call)',
  'user-role': "the user resource's role",
  'user-teams': "the user resource's teams, comma separated",
  changes: 'the fields an update touches, comma separated',
  side: 'client (default) or server',
};

export const isQuestion = (flags: QuestionFlags): boolean =>
  Object.keys(QUESTION_OPTIONS).some((name) => flags[name as keyof QuestionFlags] !== undefined);

const list = (value: string | undefined): string[] =>
  value === undefined || value === '' ? [] : value.split(',').map((item) => item.trim());

/** Refuses a name the policy does not know, with the nearest known one. */
function checkName(kind: string, flag: string, name: string, known: string[]): void {
  if (known.includes(name)) return;
  const hint = didYouMean(name, known);
  throw new UsageError(
    `${flag}: unknown ${kind} "${name}"${hint === undefined ? '' : `; ${hint}`}`,
  );
}

function resourceOf(flags: QuestionFlags): Record<string, unknown> {
  if (flags.call !== undefined && flags.user !== undefined) {
    throw new UsageError('give --call or --user, not both');
  }
  if (flags.call !== undefined) {
    const separator = flags.call.indexOf(':');
    if (separator <= 0 || separator === flags.call.length - 1) {
      throw new UsageError(`--call "${flags.call}" must be TYPE:ID, e.g. default:standup`);
    }
    return {
      kind: 'call',
      call_type: flags.call.slice(0, separator),
      id: flags.call.slice(separator + 1),
      ...(flags['call-team'] === undefined ? {} : { team: flags['call-team'] }),
      ...(flags['created-by'] === undefined ? {} : { created_by_id: flags['created-by'] }),
    };
  }
  if (flags.user !== undefined) {
    return {
      kind: 'user',
      id: flags.user,
      role: flags['user-role'] ?? 'user',
      teams: list(flags['user-teams']),
    };
  }
  return { kind: 'app' };
}

/**
 * The decision input the flags describe; names are checked against the policy when it is at
 * hand (not with `--engine opa`, whose policy lives in the server).
 */
export function questionInput(
  flags: QuestionFlags,
  policy: PolicyDataDocument | undefined,
): Record<string, unknown> {
  if (flags.action === undefined) throw new UsageError('a quick question needs --action');
  const side = flags.side ?? 'client';
  if (side !== 'client' && side !== 'server') {
    throw new UsageError(`--side must be client or server, not "${side}"`);
  }
  const resource = resourceOf(flags);
  const role = flags.role ?? 'user';
  if (policy !== undefined) {
    const data = policy.rolecall_data as {
      actions?: Record<string, unknown>;
      roles?: Record<string, unknown>;
      call_types?: Record<string, unknown>;
    };
    const roles = Object.keys(data.roles ?? {});
    checkName('action', '--action', flags.action, Object.keys(data.actions ?? {}));
    checkName('role', '--role', role, roles);
    if (flags['call-role'] !== undefined)
      checkName('role', '--call-role', flags['call-role'], roles);
    if (resource['kind'] === 'call') {
      checkName(
        'call type',
        '--call',
        String(resource['call_type']),
        Object.keys(data.call_types ?? {}),
      );
    }
  }
  const callGrants = list(flags['call-grants']);
  return {
    subject: {
      id: flags.subject ?? 'user',
      role,
      teams: list(flags.teams),
      ...(flags['call-role'] === undefined ? {} : { call_role: flags['call-role'] }),
      ...(callGrants.length === 0 ? {} : { call_grants: callGrants }),
    },
    action: flags.action,
    resource,
    ...(flags.changes === undefined ? {} : { changes: list(flags.changes) }),
    context: { side },
  };
}
