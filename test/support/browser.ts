// Drives Debian's chromium through playwright-core for the browser tests, benchmarks and
// screenshots: launch it, bundle a browser entry with esbuild, and serve files on 127.0.0.1.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where scripts/install-chromium.sh puts Debian's chromium. */
export const CHROMIUM_PATH = process.env['ROLECALL_CHROMIUM'] ?? '/usr/bin/chromium';

// Quiet, reproducible runs: no network chatter, no GPU, no first-run UI. playwright-core adds
// --headless and a fresh temporary --user-data-dir itself (it refuses one in `args`).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class ChromiumMissingError extends Error {
  constructor() {
    super(
      `chromium not found at ${CHROMIUM_PATH}; install it with: bash scripts/install-chromium.sh`,
    );
    this.name = 'ChromiumMissingError';
  }
}

/** Launches headless chromium; throws ChromiumMissingError (never skips) when it is absent. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  url: string;
  close: () => Promise<void>;
}

/** Serves the files under `root` (read-only, no directory listing) on 127.0.0.1, any free port. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const base = path.resolve(root);
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.resolve(
      base,
      `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`,
    );
    const inside = file === base || file.startsWith(base + path.sep);
    void (async () => {
      try {
        if (!inside || !(await stat(file)).isFile()) throw new Error('not found');
        const body = await readFile(file);
        response.writeHead(200, {
          'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
        });
        response.end(body);
      } catch {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

/** Bundles a browser entry (ESM, minified or not) into `outfile` with esbuild's JS API. */
export async function bundleForBrowser(options: {
  entry: string;
  outfile: string;
  minify?: boolean;
}): Promise<{ bytes: number }> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? false,
    treeShaking: true,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  return { bytes: output?.bytes ?? 0 };
}

const PAGE_MODULE = fileURLToPath(new URL('./browser-page.ts', import.meta.url));

// The page's entry: loads ./bundle.tar.gz into a WasmEvaluator (or, for the JS engine, only
// ./data.json into a JsEvaluator) and exposes browser-page.ts's functions, bound to it, as
// `window.rolecall`.
const sdkPageEntry = (engine: 'js' | 'wasm') => `
import * as rolecallPage from ${JSON.stringify(PAGE_MODULE)};
const response = await fetch(${JSON.stringify(engine === 'js' ? './data.json' : './bundle.tar.gz')});
const bytes = new Uint8Array(await response.arrayBuffer());
const evaluator = ${engine === 'js' ? 'rolecallPage.loadData(bytes)' : 'await rolecallPage.loadBundle(bytes)'};
window.rolecall = {
  evaluateCases: (json) => rolecallPage.evaluateCases(evaluator, json),
  evaluateCasesSync: (json) => rolecallPage.evaluateCasesSync(evaluator, json),
  serverSideVerdict: () => rolecallPage.serverSideVerdict(evaluator),
  measureDecisions: (json, minMs) => rolecallPage.measureDecisions(evaluator, json, minMs),
  measureBatches: (json, minMs) => rolecallPage.measureBatches(evaluator, json, minMs),
};
`;

type PageFunctions = Omit<typeof import('./browser-page.js'), 'loadBundle' | 'loadData'>;
type Bound<F> = F extends (evaluator: never, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;
/** browser-page.ts's functions with the evaluator already bound, callable from Node. */
export type SdkPageApi = { [K in keyof PageFunctions]: Bound<PageFunctions[K]> };

export interface SdkPage {
  page: Page;
  url: string;
  call: <K extends keyof SdkPageApi>(
    name: K,
    ...args: Parameters<SdkPageApi[K]>
  ) => Promise<Awaited<ReturnType<SdkPageApi[K]>>>;
  close: () => Promise<void>;
}

/**
 * Opens a page running the SDK's browser entry with `bundleBytes` loaded into a WasmEvaluator,
 * or, with `dataJson`, a page that serves only data.json and decides with a JsEvaluator.
 */
export async function openSdkPage(
  browser: Browser,
  bundleBytes: Uint8Array,
  options: { stubUnusedBuiltins?: boolean; dataJson?: string } = {},
): Promise<SdkPage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-sdk-page-'));
  const esbuild = await import('esbuild');
  await esbuild.build({
    stdin: {
      contents: sdkPageEntry(options.dataJson === undefined ? 'wasm' : 'js'),
      resolveDir: path.dirname(PAGE_MODULE),
      loader: 'js',
    },
    outfile: path.join(dir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    plugins: options.stubUnusedBuiltins === true ? [stubUnusedOpaBuiltins] : [],
  });
  // The JS page gets no bundle and no policy.wasm to fetch, only data.json.
  if (options.dataJson === undefined) {
    await writeFile(path.join(dir, 'bundle.tar.gz'), bundleBytes);
  } else {
    await writeFile(path.join(dir, 'data.json'), options.dataJson);
  }
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>rolecall sdk</title><script type="module" src="./app.js"></script>\n',
  );
  const server = await serveStatic(dir);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/`);
  try {
    await page.waitForFunction(() => 'rolecall' in window, undefined, { timeout: 30_000 });
  } catch (error) {
    throw new Error(`the SDK page did not start: ${errors.join('; ') || String(error)}`);
  }
  return {
    page,
    url: server.url,
    call: (name, ...args) =>
      page.evaluate(
        ([functionName, functionArgs]) => {
          const api = (
            window as unknown as { rolecall: Record<string, (...a: unknown[]) => unknown> }
          ).rolecall;
          const target = api[functionName];
          if (target === undefined) throw new Error(`no page function ${functionName}`);
          return target(...functionArgs);
        },
        [name, args] as [string, unknown[]],
      ) as Promise<Awaited<ReturnType<SdkPageApi[typeof name]>>>,
    close: async () => {
      await page.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// The worker's entry: loads ./bundle.tar.gz the way the page does, then posts back what
// PolicyClient does with `side: "server"` inside a module Web Worker (no document, no window).
const SDK_WORKER_ENTRY = `
import * as rolecallPage from ${JSON.stringify(PAGE_MODULE)};
try {
  const response = await fetch('./bundle.tar.gz');
  const evaluator = await rolecallPage.loadBundle(new Uint8Array(await response.arrayBuffer()));
  self.postMessage({
    hasDocument: typeof document !== 'undefined',
    hasWindow: typeof window !== 'undefined',
    verdict: await rolecallPage.serverSideVerdict(evaluator),
  });
} catch (error) {
  self.postMessage({ verdict: 'failed: ' + String(error) });
}
`;

// The page only starts the module worker and keeps its first message as `window.workerReport`.
const SDK_WORKER_PAGE = `<!doctype html><meta charset="utf-8"><title>rolecall sdk worker</title>
<script type="module">
const worker = new Worker('./worker.js', { type: 'module' });
worker.onmessage = (event) => { window.workerReport = event.data; };
worker.onerror = (event) => { window.workerReport = { verdict: 'failed: ' + event.message }; };
</script>
`;

/** What a module Web Worker running the SDK's browser entry reports (see SDK_WORKER_ENTRY). */
export interface SdkWorkerReport {
  hasDocument?: boolean;
  hasWindow?: boolean;
  verdict: string;
}

/**
 * Runs browser-page.ts's serverSideVerdict in a module Web Worker with `bundleBytes` loaded,
 * bundled by esbuild like the page; resolves with the worker's report.
 */
export async function runSdkWorker(
  browser: Browser,
  bundleBytes: Uint8Array,
): Promise<SdkWorkerReport> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-sdk-worker-'));
  const page = await browser.newPage();
  let server: StaticServer | undefined;
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({
      stdin: { contents: SDK_WORKER_ENTRY, resolveDir: path.dirname(PAGE_MODULE), loader: 'js' },
      outfile: path.join(dir, 'worker.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    await writeFile(path.join(dir, 'bundle.tar.gz'), bundleBytes);
    await writeFile(path.join(dir, 'index.html'), SDK_WORKER_PAGE);
    server = await serveStatic(dir);
    await page.goto(`${server.url}/`);
    const report = await page.waitForFunction(
      () => (window as unknown as { workerReport?: SdkWorkerReport }).workerReport,
      undefined,
      { timeout: 30_000 },
    );
    return (await report.jsonValue()) as SdkWorkerReport;
  } finally {
    await page.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * esbuild plugin replacing the `yaml` and `sprintf-js` packages that opa-wasm's builtins import
 * with stubs: the rolecall engine calls no yaml.* builtin and no sprintf, and the two make up
 * most of the bundle. Measured by bench/browser-size.ts and exercised by the browser tests.
 */
export const stubUnusedOpaBuiltins: Plugin = {
  name: 'stub-unused-opa-builtins',
  setup(build) {
    build.onResolve({ filter: /^(yaml|sprintf-js)$/ }, (args) =>
      args.importer.includes(`${path.sep}@open-policy-agent${path.sep}opa-wasm${path.sep}`)
        ? { path: args.path, namespace: 'opa-builtin-stub' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'opa-builtin-stub' }, (args) => ({
      contents: `const unavailable = () => { throw new Error(${JSON.stringify(`${args.path} is stubbed out of this bundle`)}); };
module.exports = { parse: unavailable, stringify: unavailable, parseAllDocuments: unavailable, vsprintf: unavailable, sprintf: unavailable };`,
      loader: 'js',
    }));
  },
};
