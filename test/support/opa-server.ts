// Starts and stops a real `opa run -s` on 127.0.0.1 for tests and benchmarks, serving one
// bundle; everything goes through scripts/opa.ts spawnOpa (the pinned binary).
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawnOpa } from '../../scripts/opa.js';

export interface OpaServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for the process to exit. */
  stop: () => Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (OPA cannot report the port it picked for :0). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`opa exited ${child.exitCode}:\n${output()}`);
    try {
      // /health?bundles answers 200 only once every bundle is activated.
      const response = await fetch(`${url}/health?bundles`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`opa did not become ready within 20 s:\n${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await done;
  clearTimeout(timer);
}

/**
 * Serves `bundlePath` (bundle.tar.gz or a bundle folder, or several whose roots do not overlap)
 * with `opa run -s` on a free port; with no bundle, an OPA that has nothing loaded (every rule
 * undefined).
 */
export async function startOpaServer(bundlePath?: string | readonly string[]): Promise<OpaServer> {
  const bundlePaths = bundlePath === undefined ? [] : [bundlePath].flat();
  for (let attempt = 0; ; attempt += 1) {
    const port = await findFreePort();
    const child = spawnOpa([
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      ...bundlePaths.flatMap((path) => ['--bundle', path]),
      '--log-level',
      'error',
      '--skip-version-check',
      '--shutdown-grace-period',
      '1',
    ]);
    let log = '';
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(url, child, () => log);
      return { url, port, process: child, stop: () => stopProcess(child) };
    } catch (error) {
      await stopProcess(child);
      // Another process may have taken the port between the probe and opa's bind: retry once.
      if (attempt >= 1 || !log.includes('address already in use')) throw error;
    }
  }
}
