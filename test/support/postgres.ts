// Starts a throwaway PostgreSQL cluster with scripts/install-postgres.sh (Debian's packages, a
// free port on 127.0.0.1, a temp dir) for tests and benchmarks, and stops it afterwards.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../scripts/install-postgres.sh',
);

export interface LocalPostgres {
  url: string;
  stop: () => Promise<void>;
}

/** Uses DATABASE_URL when set (stop does nothing), else starts a cluster with the script. */
export async function startLocalPostgres(): Promise<LocalPostgres> {
  const existing = process.env['DATABASE_URL'];
  if (existing !== undefined && existing !== '')
    return { url: existing, stop: () => Promise.resolve() };
  const { stdout } = await run('bash', [script], { timeout: 600_000 });
  const exports = Object.fromEntries(
    [...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
  const url = exports['DATABASE_URL'];
  const dir = exports['ROLECALL_PG_DIR'];
  if (url === undefined || dir === undefined)
    throw new Error(`install-postgres.sh printed no DATABASE_URL:\n${stdout}`);
  return {
    url,
    stop: async () => {
      await run('bash', [script, 'stop', dir], { timeout: 60_000 });
    },
  };
}
