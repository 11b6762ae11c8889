// The demo page: sign in as a user of one of two tenants, then list calls and users through the
// SDK's createClient. The client injects the team filter before a query leaves the page, and the
// buttons of each call come from the local policy in the JS engine (own_capabilities), checked
// against the server's answer. An app imports the same things from '@rolecall/sdk/browser'.
import {
  createClient,
  RolecallApiError,
  type CallStateResponse,
  type QueryFilterResult,
  type VideoClient,
} from '../../../sdk/browser.js';

interface SessionUser {
  id: string;
  name: string;
  role: string;
  team: string;
  /** A user token; a real app gets it from its own back end after login. */
  token: string;
}

interface Session {
  apiKey: string;
  users: SessionUser[];
}

/** The buttons a call screen could show, keyed by the permission (capability) that enables them. */
const BUTTONS: [capability: string, label: string][] = [
  ['join-call', 'Join'],
  ['send-audio', 'Mic'],
  ['send-video', 'Camera'],
  ['screenshare', 'Share screen'],
  ['create-reaction', 'React'],
  ['pin-for-everyone', 'Pin'],
  ['mute-users', 'Mute others'],
  ['kick-user', 'Remove someone'],
  ['start-record-call', 'Record'],
  ['update-call', 'Edit call'],
  ['end-call', 'End call'],
];

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} missing`);
  return node;
}

function setStatus(state: string, text: string): void {
  const status = byId('status');
  status.dataset['state'] = state;
  status.textContent = text;
}

/** The query the page wrote and what the policy turned it into. */
function showFilter(containerId: string, original: object, verdict: QueryFilterResult): void {
  const container = byId(containerId);
  container.replaceChildren();
  const list = element('dl');
  list.className = 'filter';
  const rows: [string, string, string?][] = [
    ['you asked', JSON.stringify(original)],
    ['SDK sent', JSON.stringify(verdict.filter), verdict.injected ? 'injected' : ''],
    ['reason', `${verdict.reason}${verdict.injected ? ' (team condition injected)' : ''}`],
  ];
  for (const [label, value, className] of rows) {
    list.append(element('dt', label));
    const detail = element('dd', value);
    if (className !== undefined && className !== '') detail.className = className;
    list.append(detail);
  }
  container.append(list);
  container.dataset['filter'] = JSON.stringify(verdict.filter);
  container.dataset['injected'] = String(verdict.injected);
}

async function renderCall(client: VideoClient, state: CallStateResponse): Promise<HTMLElement> {
  const handle = client.call(state.call.type, state.call.id);
  const fresh = await handle.get();
  const capabilities = await handle.capabilities();
  const row = element('tr', undefined, {
    'data-call-cid': fresh.call.cid,
    'data-team': fresh.call.team ?? '',
    'data-capabilities': JSON.stringify(capabilities),
    'data-server-capabilities': JSON.stringify(fresh.own_capabilities),
  });
  const cidCell = element('td');
  cidCell.append(element('code', fresh.call.cid));
  row.append(
    cidCell,
    element('td', fresh.call.team ?? '(none)'),
    element('td', fresh.call.created_by_id),
    element('td', fresh.membership?.role ?? 'not a member'),
  );
  const buttons = element('td');
  for (const [capability, label] of BUTTONS) {
    const allowed = capabilities.includes(capability);
    const button = element('button', label, {
      class: 'capability',
      'data-capability': capability,
      'data-allowed': String(allowed),
      title: `${capability}: ${allowed ? 'allowed' : 'not allowed'}`,
    });
    button.disabled = !allowed;
    buttons.append(button);
  }
  const agree =
    JSON.stringify([...capabilities].sort()) === JSON.stringify([...fresh.own_capabilities].sort());
  buttons.append(
    element('span', agree ? '= server own_capabilities' : '≠ server own_capabilities', {
      class: agree ? 'agree' : 'disagree',
    }),
  );
  row.append(buttons);
  return row;
}

async function showCalls(client: VideoClient): Promise<void> {
  const original = {};
  const verdict = await (await client.policy()).queryFilter('calls', original);
  if ('error' in verdict) throw verdict.error;
  showFilter('calls-filter', original, verdict);
  const { calls } = await client.video.queryCalls({ filter_conditions: original });
  const body = byId('calls').querySelector('tbody');
  if (body === null) throw new Error('calls table has no body');
  body.replaceChildren(...(await Promise.all(calls.map((call) => renderCall(client, call)))));
}

async function showUsers(client: VideoClient): Promise<void> {
  const original = {};
  const verdict = await (await client.policy()).queryFilter('users', original);
  if ('error' in verdict) throw verdict.error;
  showFilter('users-filter', original, verdict);
  const { users } = await client.queryUsers({ payload: { filter_conditions: original } });
  const body = byId('users').querySelector('tbody');
  if (body === null) throw new Error('users table has no body');
  body.replaceChildren(
    ...users.map((user) => {
      const row = element('tr', undefined, {
        'data-user-id': user.id,
        'data-teams': JSON.stringify(user.teams),
      });
      row.append(
        element('td', user.id),
        element('td', user.name ?? ''),
        element('td', user.role),
        element('td', user.teams.join(', ')),
      );
      return row;
    }),
  );
}

/** Asks for the other tenant's calls: the local policy refuses before anything is sent. */
async function probeOtherTenant(client: VideoClient, otherTeam: string): Promise<void> {
  const probe = byId('probe');
  const filter = { team: otherTeam };
  try {
    const { calls } = await client.video.queryCalls({ filter_conditions: filter });
    probe.dataset['refused'] = 'false';
    probe.dataset['rows'] = String(calls.length);
    probe.textContent = `queryCalls(${JSON.stringify(filter)}) was allowed and returned ${String(calls.length)} calls`;
  } catch (error) {
    if (!(error instanceof RolecallApiError)) throw error;
    probe.dataset['refused'] = 'true';
    probe.dataset['code'] = error.code;
    probe.dataset['origin'] = error.origin;
    probe.textContent = `queryCalls(${JSON.stringify(filter)}) → refused by the ${error.origin === 'client' ? 'local policy before the request left the page' : 'server'}: ${error.code} (${String(error.status)}) — ${error.message}`;
  }
}

async function signIn(session: Session, user: SessionUser): Promise<void> {
  for (const button of document.querySelectorAll<HTMLButtonElement>('nav button')) {
    button.classList.toggle('active', button.dataset['user'] === user.id);
  }
  setStatus('loading', `Signing in as ${user.id}…`);
  const client = createClient({
    baseUrl: new URL('api', window.location.href).href,
    apiKey: session.apiKey,
    token: user.token,
  });
  const me = await client.me();
  await showCalls(client);
  await showUsers(client);
  const otherTeam =
    session.users.find((candidate) => candidate.team !== user.team)?.team ?? 'other';
  await probeOtherTenant(client, otherTeam);
  byId('signed-in').hidden = false;
  setStatus('ready', `Signed in as ${me.id} — role ${me.role}, teams [${me.teams.join(', ')}]`);
  document.body.dataset['user'] = me.id;
}

async function start(): Promise<void> {
  const session = (await (await fetch('./session.json')).json()) as Session;
  const nav = byId('sign-in');
  const teams = [...new Set(session.users.map((user) => user.team))];
  for (const team of teams) {
    const group = element('div', undefined, { class: 'tenant' });
    group.append(element('strong', `tenant ${team}`));
    for (const user of session.users.filter((candidate) => candidate.team === team)) {
      const button = element('button', user.name, { 'data-user': user.id });
      button.addEventListener('click', () => {
        signIn(session, user).catch((error: unknown) => {
          setStatus('error', `Failed: ${error instanceof Error ? error.message : String(error)}`);
        });
      });
      group.append(button);
    }
    nav.append(group);
  }
  setStatus('signed-out', 'Pick a user to sign in.');
}

start().catch((error: unknown) => {
  setStatus('error', `Failed to start: ${error instanceof Error ? error.message : String(error)}`);
});
