// queryUsers with the injected team filter over N users (default 1,000,000) in 1,000 teams, on
// embedded PGlite and on PostgreSQL: p50/p99 of the full request (client policy → HTTP → server
// policy → SQL) and of the SQL alone, with the GIN index on users.teams and without it.
// Run: npx tsx bench/query-users.ts [--users N] [--teams N] [--requests N] [--backends pglite,postgres]
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createClient, createServerClient, type VideoClient } from '../sdk/clients/index.js';
import { openDatabase, type Database } from '../server/db/database.js';
import { migrateDatabase } from '../server/db/migrate.js';
import { startServer } from '../server/index.js';
import { translateFilter } from '../server/query/filter-sql.js';
import { translateSort } from '../server/query/sort-sql.js';
import { startLocalPostgres } from '../test/support/postgres.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    teams: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '400' },
    backends: { type: 'string', default: 'pglite,postgres' },
  },
});
const USERS = Number(values.users);
const TEAMS = Number(values.teams);
const REQUESTS = Number(values.requests);
const BACKENDS = values.backends.split(',');
const API_KEY = 'bench-key';
const API_SECRET = 'bench-secret-long-enough-for-hs256';
const SUBJECTS = 20;

interface Stats {
  p50: number;
  p99: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

async function time(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}

/** Loads users server-side in SQL: user n is in team n % TEAMS, every 10th also in the next team. */
async function loadUsers(db: Database): Promise<number> {
  const start = performance.now();
  const batch = 100_000;
  for (let from = 0; from < USERS; from += batch) {
    const to = Math.min(USERS, from + batch) - 1;
    await db.query(
      `INSERT INTO users (id, name, role, teams)
       SELECT 'u' || lpad(n::text, 7, '0'), 'User ' || n, 'user',
              CASE WHEN n % 10 = 0 THEN ARRAY['team-' || (n % $3), 'team-' || ((n + 1) % $3)]
                   ELSE ARRAY['team-' || (n % $3)] END
       FROM generate_series($1::int, $2::int) AS n`,
      [from, to, TEAMS],
    );
  }
  await db.query('ANALYZE users');
  return performance.now() - start;
}

interface WorkloadResult {
  workload: string;
  http: Stats;
  sql: Stats;
  sqlWithoutIndex: Stats;
  rowsPerPage: number;
}

interface BackendResult {
  backend: string;
  loadSeconds: number;
  workloads: WorkloadResult[];
}

/** A people picker sorts by name (every row of the team must be found); a plain page by id. */
const WORKLOADS = [
  { workload: 'sorted by name', sort: [{ field: 'name', direction: 1 as const }] },
  { workload: 'sorted by id', sort: undefined },
];

async function measure(backend: string, db: Database): Promise<BackendResult> {
  await migrateDatabase(db);
  const existing = await db.query<{ count: string }>('SELECT count(*)::text AS count FROM users');
  let loadMs = 0;
  if (Number(existing[0]?.count ?? 0) !== USERS) {
    await db.query('TRUNCATE users CASCADE');
    loadMs = await loadUsers(db);
  }
  console.error(`${backend}: ${USERS} users loaded in ${(loadMs / 1000).toFixed(1)} s`);
  const server = await startServer({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    port: 0,
    logs: 'silent',
    database: db,
  });
  try {
    const admin = createServerClient({ baseUrl: server.url, apiKey: API_KEY, secret: API_SECRET });
    await admin.updateApp({ multi_tenant_enabled: true });
    const subjects: { id: string; client: VideoClient; teams: string[] }[] = [];
    for (let index = 0; index < SUBJECTS; index += 1) {
      const n = Math.floor((USERS / SUBJECTS) * index) + 1;
      const id = `u${String(n).padStart(7, '0')}`;
      const client = createClient({
        baseUrl: server.url,
        apiKey: API_KEY,
        token: await admin.createToken(id),
      });
      const me = await client.me();
      subjects.push({ id, client, teams: me.teams });
    }
    const pick = (i: number) => subjects[i % subjects.length] ?? subjects[0];
    const workloads: WorkloadResult[] = [];
    for (const { workload, sort } of WORKLOADS) {
      const payload = { filter_conditions: {}, limit: 25, ...(sort === undefined ? {} : { sort }) };
      // Warm-up: bundles, WASM, connection, plan cache.
      for (let i = 0; i < SUBJECTS * 2; i += 1) await pick(i)?.client.queryUsers({ payload });
      let rowsPerPage = 0;
      const http: number[] = [];
      for (let i = 0; i < REQUESTS; i += 1) {
        const subject = pick(i);
        http.push(
          await time(async () => {
            const { users } = (await subject?.client.queryUsers({ payload })) ?? { users: [] };
            rowsPerPage = users.length;
          }),
        );
      }
      const order = translateSort('users', sort);
      if (!order.ok) throw new Error(order.message);
      const sqlOnce = async (teams: string[]): Promise<void> => {
        const condition = translateFilter('users', { teams: { $in: teams } });
        if (!condition.ok) throw new Error(condition.message);
        await db.query(
          `SELECT id, name, role, teams FROM users WHERE deleted_at IS NULL AND ${condition.sql} ORDER BY ${order.sql} LIMIT 25`,
          condition.params,
        );
      };
      const sql: number[] = [];
      for (let i = 0; i < REQUESTS; i += 1)
        sql.push(await time(() => sqlOnce(pick(i)?.teams ?? [])));
      await db.query('DROP INDEX users_teams_gin');
      const slow: number[] = [];
      const slowRuns = Math.min(REQUESTS, 40);
      for (let i = 0; i < slowRuns; i += 1)
        slow.push(await time(() => sqlOnce(pick(i)?.teams ?? [])));
      await db.query('CREATE INDEX IF NOT EXISTS users_teams_gin ON users USING gin (teams)');
      workloads.push({
        workload,
        http: stats(http),
        sql: stats(sql),
        sqlWithoutIndex: stats(slow),
        rowsPerPage,
      });
    }
    return { backend, loadSeconds: loadMs / 1000, workloads };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const results: BackendResult[] = [];
  for (const backend of BACKENDS) {
    if (backend === 'pglite') {
      const db = await openDatabase({});
      try {
        results.push(await measure('PGlite (embedded, in memory)', db));
      } finally {
        await db.close();
      }
    } else if (backend === 'postgres') {
      const cluster = await startLocalPostgres();
      const name = 'rolecall_bench';
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(cluster.url);
      url.pathname = `/${name}`;
      const db = await openDatabase({ databaseUrl: url.toString() });
      try {
        results.push(await measure('PostgreSQL 15 (Debian, loopback)', db));
      } finally {
        await db.close();
        await cluster.stop();
      }
    }
  }
  const fmt = (value: number): string => value.toFixed(2);
  const rows = results.flatMap((result) =>
    result.workloads.map(
      (w) =>
        `| ${result.backend} | ${w.workload} | ${fmt(w.http.p50)} | ${fmt(w.http.p99)} | ${fmt(w.sql.p50)} | ${fmt(w.sql.p99)} | ${fmt(w.sqlWithoutIndex.p50)} | ${fmt(w.sqlWithoutIndex.p99)} | ${(w.sqlWithoutIndex.p50 / w.sql.p50).toFixed(1)}× | ${result.loadSeconds.toFixed(1)} |`,
    ),
  );
  const report = [
    '# queryUsers with the injected team filter',
    '',
    `${USERS.toLocaleString('en-US')} users in ${TEAMS.toLocaleString('en-US')} teams (every 10th user in two teams), ${REQUESTS} requests per backend from ${SUBJECTS} users of different teams, pages of ${results[0]?.workloads[0]?.rowsPerPage ?? 25} rows.`,
    'The client injects `{teams: {$in: <subject teams>}}` with its local policy (WASM); the server re-applies `rolecall/query_filter`, translates the filter to SQL (`teams && $1::text[]`) and answers.',
    '',
    '| database | query | request p50 ms | request p99 ms | SQL p50 ms | SQL p99 ms | SQL without GIN p50 ms | without GIN p99 ms | GIN speed-up (p50) | load s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}, ${os.platform()} ${os.release()}.`,
    '"request" is the whole round trip through `createClient().queryUsers` (client policy, HTTP on loopback, auth, user lookup, server policy, SQL, JSON); "SQL" is the translated statement alone.',
    'The PostgreSQL cluster is the throwaway one of `scripts/install-postgres.sh` (fsync off; reads are unaffected). "without GIN" drops `users_teams_gin` and runs the same statement (40 samples).',
    "Sorted by name, every row of the team must be found before the first page: the GIN index (`teams && $1`) finds a team's ~1,100 rows instead of scanning a million. Sorted by id, the planner walks the primary key and stops after 25 matches, which is quick here because each team's users are spread evenly over the ids; a tenant whose users sit at the far end of that order would need the GIN index for this query too.",
    '',
  ].join('\n');
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'query-users.md');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, report);
  console.log(report);
}

await main();
