// The reference server and two tenants, in one command: `npx tsx examples/demo/run.ts`.
// Starts the server on embedded PGlite with examples/demo/rolecall.yaml, creates users and calls
// of "acme" and "globex" server side, then acts as a user of each tenant and prints what it sees.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../server/index.js';
import {
  createClient,
  createServerClient,
  RolecallApiError,
  type VideoClient,
} from '../../sdk/clients/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const API_KEY = 'demo-key';
const API_SECRET = 'demo-secret-please-change-me';

function say(who: string, text: string): void {
  console.log(`${who.padEnd(14)} ${text}`);
}

async function attempt(who: string, what: string, body: () => Promise<string>): Promise<void> {
  try {
    say(who, `${what} → ${await body()}`);
  } catch (error) {
    if (!(error instanceof RolecallApiError)) throw error;
    say(who, `${what} → refused: ${error.status} ${error.code} (${error.origin})`);
  }
}

async function showTenant(who: string, client: VideoClient, otherCall: string): Promise<void> {
  const { users } = await client.queryUsers({ payload: { filter_conditions: {} } });
  say(who, `queryUsers({}) → ${users.map((user) => user.id).join(', ')}`);
  const { calls } = await client.video.queryCalls();
  for (const { call, own_capabilities } of calls) {
    say(
      who,
      `queryCalls() → ${call.cid} (team ${String(call.team)}), can: ${own_capabilities.join(' ')}`,
    );
  }
  await attempt(
    who,
    `get ${otherCall}`,
    async () => (await client.call('default', otherCall).get()).call.cid,
  );
  await attempt(who, 'queryUsers({teams: {}})', async () => {
    const all = await client.queryUsers({ payload: { filter_conditions: { teams: {} } } });
    return all.users.map((user) => user.id).join(', ');
  });
}

const text = await readFile(path.join(here, 'rolecall.yaml'), 'utf8');
const server = await startServer({
  apiKey: API_KEY,
  apiSecret: API_SECRET,
  port: 0,
  logs: 'silent',
  config: { file: 'examples/demo/rolecall.yaml', text },
});
try {
  console.log(
    `rolecall reference server on ${server.url} (embedded PGlite, revision ${server.live.revision.slice(0, 12)})\n`,
  );
  const admin = createServerClient({ baseUrl: server.url, apiKey: API_KEY, secret: API_SECRET });
  await admin.upsertUsers([
    { id: 'alice', name: 'Alice', teams: ['acme'] },
    { id: 'bob', name: 'Bob', teams: ['acme'] },
    { id: 'carol', name: 'Carol', teams: ['globex'] },
    { id: 'dave', name: 'Dave', teams: ['globex'] },
    { id: 'sam', name: 'Sam (support)', role: 'support_agent', teams: ['acme', 'globex'] },
  ]);
  await admin.call('default', 'acme-standup').getOrCreate({
    data: { team: 'acme', created_by_id: 'alice', members: [{ user_id: 'bob' }] },
  });
  await admin.call('default', 'globex-review').getOrCreate({
    data: { team: 'globex', created_by_id: 'carol', members: [{ user_id: 'dave', role: 'host' }] },
  });
  say(
    'server',
    'created users alice, bob (acme), carol, dave (globex), sam (both) and one call per tenant',
  );

  const alice = createClient({
    baseUrl: server.url,
    apiKey: API_KEY,
    token: await admin.createToken('alice'),
  });
  const carol = createClient({
    baseUrl: server.url,
    apiKey: API_KEY,
    token: await admin.createToken('carol'),
  });
  console.log('\n— acme —');
  await showTenant('alice (acme)', alice, 'globex-review');
  await attempt('alice (acme)', 'create a call in globex', async () => {
    const state = await alice.call('default', 'sneaky').getOrCreate({ data: { team: 'globex' } });
    return state.call.cid;
  });
  await attempt('alice (acme)', 'create a call in acme', async () => {
    const state = await alice.call('default', 'acme-retro').getOrCreate({ data: { team: 'acme' } });
    return `${state.call.cid}, can: ${state.own_capabilities.join(' ')}`;
  });
  console.log('\n— globex —');
  await showTenant('carol (globex)', carol, 'acme-standup');
  await attempt('carol (globex)', 'move her call to acme', async () => {
    const state = await carol.call('default', 'globex-review').update({ team: 'acme' });
    return String(state.call.team);
  });

  console.log('\n— server side (API secret) —');
  const everyone = await admin.queryUsers({ payload: { filter_conditions: {} } });
  say('server', `queryUsers({}) → ${everyone.users.map((user) => user.id).join(', ')}`);
  const allCalls = await admin.video.queryCalls();
  say('server', `queryCalls() → ${allCalls.calls.map(({ call }) => call.cid).join(', ')}`);
} finally {
  await server.close();
}
