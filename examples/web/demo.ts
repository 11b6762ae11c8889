// Runs the demo: the reference server with the video-saas grants file and two seeded tenants,
// the page built by Vite, and one small HTTP server on 127.0.0.1 that serves the page, a
// session.json with user tokens, and forwards /api/* to the reference server (same origin).
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { createServerClient } from '../../sdk/clients/index.js';
import { startServer, type RunningServer } from '../../server/index.js';
import { DEMO_USERS, seedDemo } from './seed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const GRANTS_FILE = path.join(here, '..', 'video-saas', 'rolecall.yaml');
const API_KEY = 'demo-key';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface RunningDemo {
  /** The page, e.g. http://127.0.0.1:5173/ */
  url: string;
  /** The reference server itself (the page reaches it as `${url}api`). */
  serverUrl: string;
  server: RunningServer;
  close: () => Promise<void>;
}

export interface DemoOptions {
  /** Port of the page; 0 (default) picks a free one. */
  port?: number;
  /** Where Vite writes the page; examples/web/out by default. */
  outDir?: string;
  /** Server logs; silent by default. */
  logs?: 'stdout' | 'silent';
}

/** Builds the page with Vite into `outDir`. */
export async function buildDemoPage(outDir: string): Promise<void> {
  await build({
    configFile: path.join(here, 'vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'warn',
  });
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const outDir = options.outDir ?? path.join(here, 'out');
  await buildDemoPage(outDir);
  const apiSecret = randomBytes(32).toString('hex');
  const server = await startServer({
    apiKey: API_KEY,
    apiSecret,
    port: 0,
    logs: options.logs ?? 'silent',
    config: {
      file: path.relative(process.cwd(), GRANTS_FILE),
      text: await readFile(GRANTS_FILE, 'utf8'),
    },
  });
  try {
    const admin = createServerClient({ baseUrl: server.url, apiKey: API_KEY, secret: apiSecret });
    await seedDemo(admin);
    // Tokens are minted here, on the server side of the demo; a real app's back end does this.
    const session = JSON.stringify({
      apiKey: API_KEY,
      users: await Promise.all(
        DEMO_USERS.map(async (user) => ({ ...user, token: await admin.createToken(user.id) })),
      ),
    });
    const http = createServer((incoming, response) => {
      void handle(incoming, response, { outDir, session, serverUrl: server.url });
    });
    await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
    const address = http.address();
    if (address === null || typeof address === 'string') throw new Error('demo server has no port');
    return {
      url: `http://127.0.0.1:${address.port.toString()}/`,
      serverUrl: server.url,
      server,
      close: async () => {
        http.closeAllConnections();
        await new Promise<void>((resolve) => {
          http.close(() => {
            resolve();
          });
        });
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

async function handle(
  incoming: IncomingMessage,
  response: ServerResponse,
  context: { outDir: string; session: string; serverUrl: string },
): Promise<void> {
  const url = new URL(incoming.url ?? '/', 'http://demo');
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    proxy(
      incoming,
      response,
      new URL(`${url.pathname.slice(4) || '/'}${url.search}`, context.serverUrl),
    );
    return;
  }
  if (url.pathname === '/session.json') {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(context.session);
    return;
  }
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = path.resolve(context.outDir, `.${relative}`);
  try {
    if (!file.startsWith(context.outDir + path.sep) || !(await stat(file)).isFile()) {
      throw new Error('not found');
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    });
    response.end(await readFile(file));
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  }
}

function proxy(incoming: IncomingMessage, response: ServerResponse, target: URL): void {
  const upstream = forward(
    target,
    { method: incoming.method ?? 'GET', headers: { ...incoming.headers, host: target.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
    response.end(`reference server unreachable: ${error.message}`);
  });
  incoming.pipe(upstream);
}
