// The demo's data: two customer companies (tenants) of the video-saas example, their users and
// calls, created through the server client exactly as an app's back end would.
import type { ServerClient } from '../../sdk/clients/index.js';

export interface DemoUser {
  id: string;
  name: string;
  role: string;
  team: string;
}

export interface DemoCall {
  type: string;
  id: string;
  team: string;
  createdBy: string;
  members: { user_id: string; role: string }[];
}

export const DEMO_TEAMS = ['acme', 'globex'] as const;

export const DEMO_USERS: DemoUser[] = [
  { id: 'ada', name: 'Ada (Acme)', role: 'user', team: 'acme' },
  { id: 'alan', name: 'Alan (Acme admin)', role: 'workspace_admin', team: 'acme' },
  { id: 'gus', name: 'Gus (Globex)', role: 'user', team: 'globex' },
  { id: 'grace', name: 'Grace (Globex admin)', role: 'workspace_admin', team: 'globex' },
];

export const DEMO_CALLS: DemoCall[] = [
  {
    type: 'default',
    id: 'acme-standup',
    team: 'acme',
    createdBy: 'ada',
    members: [
      { user_id: 'ada', role: 'call_member' },
      { user_id: 'alan', role: 'call_member' },
    ],
  },
  {
    type: 'webinar',
    id: 'acme-town-hall',
    team: 'acme',
    createdBy: 'alan',
    members: [
      { user_id: 'alan', role: 'host' },
      { user_id: 'ada', role: 'call_member' },
    ],
  },
  {
    type: 'default',
    id: 'globex-sync',
    team: 'globex',
    createdBy: 'gus',
    members: [
      { user_id: 'gus', role: 'call_member' },
      { user_id: 'grace', role: 'call_member' },
    ],
  },
  {
    // The example's grants file revokes screenshare and send-event for members of this call.
    type: 'default',
    id: 'board-meeting',
    team: 'globex',
    createdBy: 'grace',
    members: [
      { user_id: 'grace', role: 'call_member' },
      { user_id: 'gus', role: 'call_member' },
    ],
  },
];

/** Creates the demo's users and calls (server side: no policy checks, no filter injection). */
export async function seedDemo(admin: ServerClient): Promise<void> {
  await admin.upsertUsers(
    DEMO_USERS.map((user) => ({
      id: user.id,
      name: user.name,
      role: user.role,
      teams: [user.team],
    })),
  );
  for (const call of DEMO_CALLS) {
    await admin.call(call.type, call.id).getOrCreate({
      data: { team: call.team, created_by_id: call.createdBy, members: call.members },
    });
  }
}
