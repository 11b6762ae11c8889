// Load benchmark of the reference server: mixed reads and writes (queryUsers, get and getOrCreate
// of calls, member updates, a user's own profile update) from 64 and 200 concurrent clients, on
// PGlite and on PostgreSQL, against a bare fastify route answering a JSON body of the same mean
// size as the baseline, all in one run. The load generator (undici) runs in a child process so
// it does not starve the server; the server's RSS is sampled in this process during every row.
// Run: npx tsx bench/load.ts [--seconds 12] [--clients 64,200] [--backends pglite,postgres]
//      [--profile DIR]: also writes a V8 CPU profile of the server per row (DIR/BACKEND-CLIENTS.cpuprofile)
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { Pool } from 'undici';
import { createServerToken, createUserToken } from '../sdk/clients/index.js';
import { startServer } from '../server/index.js';
import { startLocalPostgres } from '../test/support/postgres.js';

const API_KEY = 'bench-key';
const API_SECRET = 'bench-secret-long-enough-for-hs256';
const TEAMS = 20;
const USERS_PER_TEAM = 20;
const CALLS_PER_TEAM = 10;

interface RequestSpec {
  op: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  token: string;
  body?: string;
}

interface GeneratorJob {
  url: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  requests: RequestSpec[];
}

interface GeneratorResult {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  meanBytes: number;
}

// ---------------------------------------------------------------- the generator (child process)

async function runGenerator(job: GeneratorJob): Promise<GeneratorResult> {
  const pool = new Pool(job.url, { connections: job.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let bytes = 0;
  let measuring = false;
  let stopping = false;
  let next = 0;
  const one = async (): Promise<void> => {
    const spec = job.requests[next % job.requests.length];
    next += 1;
    if (spec === undefined) return;
    const start = performance.now();
    const response = await pool.request({
      method: spec.method,
      path: `${spec.path}${spec.path.includes('?') ? '&' : '?'}api_key=${API_KEY}`,
      headers: {
        authorization: `Bearer ${spec.token}`,
        'stream-auth-type': 'jwt',
        ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(spec.body === undefined ? {} : { body: spec.body }),
    });
    const text = await response.body.text();
    if (!measuring) return;
    latencies.push(performance.now() - start);
    bytes += text.length;
    const key = `${spec.op} ${String(response.statusCode)}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const client = async (): Promise<void> => {
    while (!stopping) await one();
  };
  const clients = Array.from({ length: job.concurrency }, () => client());
  await new Promise((resolve) => setTimeout(resolve, job.warmupMs));
  measuring = true;
  process.send?.({ phase: 'measuring' });
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, job.durationMs));
  measuring = false;
  process.send?.({ phase: 'done' });
  const seconds = (performance.now() - start) / 1000;
  stopping = true;
  await Promise.all(clients);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    seconds,
    p50: at(0.5),
    p99: at(0.99),
    statuses,
    meanBytes: latencies.length === 0 ? 0 : bytes / latencies.length,
  };
}

if (process.argv.includes('--generator')) {
  process.once('message', (job: GeneratorJob) => {
    void runGenerator(job).then((result) => {
      process.send?.(result, () => process.exit(0));
    });
  });
} else {
  await main();
}

// ---------------------------------------------------------------- the measuring process

/** Runs the generator in a child process; `onPhase` hears when measuring starts and ends. */
function generate(
  job: GeneratorJob,
  onPhase: (phase: 'measuring' | 'done') => void,
): Promise<GeneratorResult> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--generator'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.on('message', (message) => {
      const phase = (message as { phase?: unknown }).phase;
      if (phase === 'measuring' || phase === 'done') onPhase(phase);
      else resolve(message as GeneratorResult);
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${String(code)}`));
    });
    child.send(job);
  });
}

interface Row {
  target: string;
  clients: number;
  result: GeneratorResult;
  /** CPU time per measured request: this process (the server, and PGlite in it), the database's. */
  serverCpuMs: number;
  databaseCpuMs: number;
  rssStartMb: number;
  rssMaxMb: number;
  rssEndMb: number;
}

/**
 * CPU milliseconds the PostgreSQL backends of one database have used (Linux /proc: backends name
 * their database in their title), NaN elsewhere. On a shared machine CPU time per request moves
 * far less than requests per second.
 */
function databaseCpuMs(database: string | undefined): number {
  if (database === undefined) return NaN;
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // The process ended meanwhile.
      }
    }
  } catch {
    return NaN;
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function measureRow(
  target: string,
  url: string,
  clients: number,
  requests: RequestSpec[],
  seconds: number,
  database?: string,
): Promise<Row> {
  const mb = (): number => process.memoryUsage.rss() / 1024 / 1024;
  const rssStartMb = mb();
  let rssMaxMb = rssStartMb;
  const sampler = setInterval(() => {
    rssMaxMb = Math.max(rssMaxMb, mb());
  }, 250);
  try {
    const cpu = { server: 0, database: 0 };
    const result = await generate(
      {
        url,
        concurrency: clients,
        warmupMs: 2000,
        durationMs: seconds * 1000,
        requests,
      },
      (phase) => {
        const sign = phase === 'measuring' ? -1 : 1;
        cpu.server += sign * processCpuMs();
        cpu.database += sign * databaseCpuMs(database);
      },
    );
    const row = {
      target,
      clients,
      result,
      serverCpuMs: cpu.server / result.requests,
      databaseCpuMs: cpu.database / result.requests,
      rssStartMb,
      rssMaxMb,
      rssEndMb: mb(),
    };
    console.error(
      `${target} × ${String(clients)}: ${(result.requests / result.seconds).toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, CPU ms/request ${row.serverCpuMs.toFixed(2)} + ${row.databaseCpuMs.toFixed(2)}`,
    );
    return row;
  } finally {
    clearInterval(sampler);
  }
}

/** Seeds users and calls through the API, and returns the mixed request list of the run. */
async function seed(url: string): Promise<RequestSpec[]> {
  const serverToken = await createServerToken(API_SECRET);
  const admin = new Pool(url, { connections: 4 });
  const call = async (method: string, pathName: string, body: unknown): Promise<void> => {
    const response = await admin.request({
      method,
      path: `${pathName}?api_key=${API_KEY}`,
      headers: {
        authorization: `Bearer ${serverToken}`,
        'stream-auth-type': 'jwt',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300)
      throw new Error(`${pathName}: ${String(response.statusCode)} ${text}`);
  };
  await call('PATCH', '/api/v2/app', { multi_tenant_enabled: true });
  const users: { id: string; team: string; role: string }[] = [];
  for (let team = 0; team < TEAMS; team += 1) {
    for (let n = 0; n < USERS_PER_TEAM; n += 1) {
      users.push({
        id: `t${String(team)}-u${String(n)}`,
        team: `team-${String(team)}`,
        role: n < 5 ? 'admin' : 'user',
      });
    }
  }
  for (let from = 0; from < users.length; from += 100) {
    await call('POST', '/api/v2/users', {
      users: users.slice(from, from + 100).map((user) => ({
        id: user.id,
        name: `User ${user.id}`,
        role: user.role,
        teams: [user.team],
      })),
    });
  }
  for (let team = 0; team < TEAMS; team += 1) {
    for (let n = 0; n < CALLS_PER_TEAM; n += 1) {
      await call('POST', `/api/v2/video/call/default/t${String(team)}-c${String(n)}`, {
        data: {
          team: `team-${String(team)}`,
          created_by_id: `t${String(team)}-u0`,
          members: [
            { user_id: `t${String(team)}-u1`, role: 'host' },
            { user_id: `t${String(team)}-u5`, role: 'call_member' },
          ],
        },
      });
    }
  }
  await admin.close();
  // A fixed, shuffled mix: 35% queryUsers, 30% get call, 15% getOrCreate (a third new calls),
  // 10% member updates (admins), 10% own profile updates.
  const requests: RequestSpec[] = [];
  let random = 12345;
  const rand = (n: number): number => {
    random = (random * 1103515245 + 12345) % 2 ** 31;
    return random % n;
  };
  let fresh = 0;
  for (let i = 0; i < 4000; i += 1) {
    const team = rand(TEAMS);
    const user = users[team * USERS_PER_TEAM + rand(USERS_PER_TEAM)];
    // The host of every seeded call (member updates need a call role that grants them).
    const writer = users[team * USERS_PER_TEAM + 1];
    if (user === undefined || writer === undefined) continue;
    const token = await createUserToken(user.id, API_SECRET);
    const callId = `t${String(team)}-c${String(rand(CALLS_PER_TEAM))}`;
    const slice = rand(100);
    if (slice < 35) {
      // Stream's queryUsers: the query is JSON in the `payload` parameter of a GET.
      const payload = { filter_conditions: { teams: { $in: [user.team] } }, limit: 25 };
      requests.push({
        op: 'queryUsers',
        method: 'GET',
        path: `/api/v2/users?payload=${encodeURIComponent(JSON.stringify(payload))}`,
        token,
      });
    } else if (slice < 65) {
      requests.push({
        op: 'getCall',
        method: 'GET',
        path: `/api/v2/video/call/default/${callId}`,
        token,
      });
    } else if (slice < 80) {
      fresh += 1;
      const id = rand(3) === 0 ? `t${String(team)}-n${String(fresh)}` : callId;
      requests.push({
        op: 'getOrCreate',
        method: 'POST',
        path: `/api/v2/video/call/default/${id}`,
        token,
        body: JSON.stringify({ data: { team: user.team } }),
      });
    } else if (slice < 90) {
      requests.push({
        op: 'updateMembers',
        method: 'POST',
        path: `/api/v2/video/call/default/${callId}/members`,
        token: await createUserToken(writer.id, API_SECRET),
        body: JSON.stringify({
          update_members: [{ user_id: `t${String(team)}-u${String(5 + rand(15))}` }],
        }),
      });
    } else {
      requests.push({
        op: 'updateUser',
        method: 'PATCH',
        path: '/api/v2/users',
        token,
        body: JSON.stringify({ users: [{ id: user.id, set: { custom: { seen: i } } }] }),
      });
    }
  }
  return requests;
}

/** A fresh database on the PostgreSQL server, so every run starts empty. */
async function scratchDatabase(baseUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${String(os.cpus().length)} × ${cpu}, Node ${process.version}`;
}

/** Runs `work` under the V8 CPU profiler of this process (the server's), writing FILE.cpuprofile. */
async function profiled<T>(file: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '12' },
      clients: { type: 'string', default: '64,200' },
      backends: { type: 'string', default: 'pglite,postgres' },
      out: { type: 'string', default: 'bench/results/load.md' },
      profile: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const clientCounts = values.clients.split(',').map(Number);
  const rows: Row[] = [];
  let meanBytes = 0;
  for (const backend of values.backends.split(',')) {
    const postgres = backend === 'postgres' ? await startLocalPostgres() : undefined;
    const database = postgres === undefined ? undefined : `rolecall_load_${String(Date.now())}`;
    try {
      const server = await startServer({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        port: 0,
        logs: 'silent',
        ...(postgres === undefined || database === undefined
          ? {}
          : { databaseUrl: await scratchDatabase(postgres.url, database) }),
      });
      try {
        const requests = await seed(server.url);
        for (const clients of clientCounts) {
          const measure = (): Promise<Row> =>
            measureRow(backend, server.url, clients, requests, seconds, database);
          const row =
            values.profile === undefined
              ? await measure()
              : await profiled(path.join(values.profile, `${backend}-${String(clients)}`), measure);
          meanBytes = Math.max(meanBytes, row.result.meanBytes);
          rows.push(row);
        }
      } finally {
        await server.close();
      }
    } finally {
      await postgres?.stop();
    }
  }
  // The baseline: fastify answering a JSON body as large as the mean response above.
  const baseline = Fastify();
  const body = {
    users: [{ id: 'x', custom: { pad: 'x'.repeat(Math.max(0, Math.round(meanBytes) - 40)) } }],
  };
  baseline.get('/baseline', () => body);
  await baseline.listen({ port: 0, host: '127.0.0.1' });
  const address = baseline.server.address();
  const baseUrl = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
  const baselineRequests: RequestSpec[] = [
    { op: 'baseline', method: 'GET', path: '/baseline', token: 'x' },
  ];
  const baselineRows: Row[] = [];
  for (const clients of clientCounts) {
    baselineRows.push(
      await measureRow('bare fastify', baseUrl, clients, baselineRequests, seconds),
    );
  }
  await baseline.close();

  const table = [...baselineRows, ...rows].map((row) => {
    const rate = row.result.requests / row.result.seconds;
    const base = baselineRows.find((candidate) => candidate.clients === row.clients);
    const baseRate = base === undefined ? NaN : base.result.requests / base.result.seconds;
    const databaseCpu = Number.isNaN(row.databaseCpuMs) ? '—' : row.databaseCpuMs.toFixed(2);
    return `| ${row.target} | ${String(row.clients)} | ${rate.toFixed(0)} | ${(rate / baseRate).toFixed(2)} | ${row.result.p50.toFixed(1)} | ${row.result.p99.toFixed(1)} | ${row.serverCpuMs.toFixed(2)} | ${databaseCpu} | ${row.rssStartMb.toFixed(0)} → ${row.rssMaxMb.toFixed(0)} → ${row.rssEndMb.toFixed(0)} |`;
  });
  const statuses = rows
    .map(
      (row) =>
        `- ${row.target} × ${String(row.clients)}: ${Object.entries(row.result.statuses)
          .sort()
          .map(([key, count]) => `${key}: ${String(count)}`)
          .join(', ')}`,
    )
    .join('\n');
  const markdown = `# Load benchmark (bench/load.ts)

${new Date().toISOString().slice(0, 10)} · ${machine()} · ${String(seconds)} s per row after 2 s of warm-up; the load generator (undici, one connection per client) runs in a child process on the same machine.

Mix: 35% queryUsers, 30% get call, 15% getOrCreate (a third of them new calls), 10% member updates, 10% a user's own profile update; ${String(TEAMS)} teams × ${String(USERS_PER_TEAM)} users, multi-tenant. Baseline: a bare fastify GET answering a JSON body of ${String(Math.round(meanBytes))} bytes (the largest mean response size of the server rows).

| target | clients | requests/s | × baseline | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req | server RSS MB (start → max → end) |
|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

Answers per operation and status:
${statuses}
`;
  await mkdir(path.dirname(values.out), { recursive: true });
  await writeFile(values.out, markdown);
  console.log(markdown);
}
