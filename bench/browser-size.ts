// Size of the SDK in a browser: the `rolecall/browser` entry bundled and minified with esbuild,
// raw and gzip, with and without the OPA WASM module (policy.wasm) a page downloads next to it.
// Writes bench/results/browser-size.md. Run: npx tsx bench/browser-size.ts
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { policyWasmPath } from '../compiler/assets.js';
import { compileGrants } from '../compiler/compile/index.js';
import { stubUnusedOpaBuiltins } from '../test/support/browser.js';
import { readFreshPolicyWasm } from '../test/support/wasm.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const browserEntry = path.join(root, 'sdk', 'browser.ts');

/** What an app imports; each is bundled on its own so tree-shaking shows in the numbers. */
/** What the page fetches next to its JavaScript: data.json (JS engine) or the bundle (WASM). */
type Fetched = 'data.json' | 'bundle.tar.gz';

const VARIANTS: { name: string; contents: string; stub?: boolean; fetches: Fetched }[] = [
  {
    name: 'whole `rolecall/browser` entry',
    contents: `export * from ${JSON.stringify(browserEntry)};`,
    fetches: 'bundle.tar.gz',
  },
  {
    name: '`JsEvaluator` + `PolicyClient` (local decisions, downloads data.json only)',
    contents: `export { JsEvaluator, PolicyClient } from ${JSON.stringify(browserEntry)};`,
    fetches: 'data.json',
  },
  {
    name: '`WasmEvaluator` + `PolicyClient` (local decisions only)',
    contents: `export { WasmEvaluator, PolicyClient } from ${JSON.stringify(browserEntry)};`,
    fetches: 'bundle.tar.gz',
  },
  {
    name: '`createClient` (queries to the server + local hints)',
    contents: `export { createClient } from ${JSON.stringify(browserEntry)};`,
    fetches: 'data.json',
  },
  {
    name: "whole entry, opa-wasm's unused `yaml`/`sprintf-js` stubbed",
    contents: `export * from ${JSON.stringify(browserEntry)};`,
    stub: true,
    fetches: 'bundle.tar.gz',
  },
];

interface Measured {
  name: string;
  fetches: Fetched;
  minified: number;
  gzip: number;
  biggest: { input: string; bytes: number }[];
}

const gzipSize = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

async function measure(variant: (typeof VARIANTS)[number], dir: string): Promise<Measured> {
  const outfile = path.join(dir, 'out.js');
  const result = await esbuild.build({
    stdin: { contents: variant.contents, resolveDir: root, loader: 'ts' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    treeShaking: true,
    metafile: true,
    logLevel: 'silent',
    plugins: variant.stub === true ? [stubUnusedOpaBuiltins] : [],
  });
  const code = await readFile(outfile);
  const output = Object.values(result.metafile.outputs)[0];
  const biggest = Object.entries(output?.inputs ?? {})
    .map(([input, info]) => ({ input, bytes: info.bytesInOutput }))
    .sort((left, right) => right.bytes - left.bytes);
  // Group by package so the table stays short (yaml's chunks become one line).
  const byPackage = new Map<string, number>();
  for (const { input, bytes } of biggest) {
    const match =
      /node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/node_modules\/((?:@[^/]+\/)?[^/]+))?/.exec(input);
    const key = match === null ? 'rolecall sdk/' : (match[2] ?? match[1] ?? input);
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytes);
  }
  return {
    name: variant.name,
    fetches: variant.fetches,
    minified: code.length,
    gzip: gzipSize(code),
    biggest: [...byPackage.entries()]
      .map(([input, bytes]) => ({ input, bytes }))
      .sort((left, right) => right.bytes - left.bytes),
  };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-size-'));
try {
  const wasm = await readFreshPolicyWasm();
  const wasmGzip = gzipSize(wasm);
  const example = 'examples/video-saas/rolecall.yaml';
  const compiled = await compileGrants({
    file: example,
    text: await readFile(path.join(root, example), 'utf8'),
  });
  if (!compiled.ok) throw new Error(`${example} does not compile`);
  const bundleFile = compiled.value.files.find((file) => file.path === 'bundle.tar.gz');
  const bundleBytes = bundleFile === undefined ? 0 : bundleFile.contents.length;
  const dataFile = compiled.value.files.find((file) => file.path === 'bundle/data.json');
  const dataGzip = gzipSize(Buffer.from(dataFile?.contents ?? ''));
  // bundle.tar.gz is already gzip; data.json is served with gzip like any JSON.
  const fetchedBytes = { 'data.json': dataGzip, 'bundle.tar.gz': bundleBytes };
  const measured: Measured[] = [];
  for (const variant of VARIANTS) measured.push(await measure(variant, dir));

  const lines = [
    '# Browser bundle size',
    '',
    "The SDK's browser entry (`sdk/browser.ts`, exported as `rolecall/browser`) bundled by",
    'esbuild (ESM, minified, tree-shaken, target es2022, one output file), gzip level 9. A page',
    'on the JS engine fetches data.json next to the JavaScript; one on WASM fetches the',
    `bundle.tar.gz holding the OPA WASM module (\`${path.relative(root, policyWasmPath)}\`).`,
    "createClient loads opa-wasm with a dynamic import only for `engine: 'wasm'`: with code",
    'splitting that is a chunk of its own, in this one-file build it is counted in the row.',
    'Measured by `npx tsx bench/browser-size.ts`.',
    '',
    '| what the page imports | JS minified | JS gzip | policy it fetches | JS + policy, gzip |',
    '|---|---:|---:|---|---:|',
    ...measured.map(
      (entry) =>
        `| ${entry.name} | ${kib(entry.minified)} | ${kib(entry.gzip)} | ${entry.fetches} | ${kib(entry.gzip + fetchedBytes[entry.fetches])} |`,
    ),
    '',
    `policy.wasm: ${kib(wasm.length)} raw, ${kib(wasmGzip)} gzip. A page on the JS engine fetches`,
    `only data.json (for \`${example}\`: ${kib(dataGzip)} gzip); a WASM page fetches the compiled`,
    `bundle.tar.gz (policy.wasm, data.json and the engine Rego, already gzip): ${kib(bundleBytes)}.`,
    '',
    'opa-wasm registers JavaScript versions of a few OPA builtins; its `yaml.*` builtins pull in',
    'the `yaml` package and its `sprintf` the `sprintf-js` package. The rolecall engine calls',
    'neither, so a bundler may alias both to an empty module (last row; the browser tests run',
    'the example with such a build and get the same answers as Node).',
    '',
    `Where the minified bytes of the whole entry come from:`,
    '',
    '| package | minified |',
    '|---|---:|',
    ...(measured[0]?.biggest ?? []).map((entry) => `| ${entry.input} | ${kib(entry.bytes)} |`),
    '',
  ];
  const report = lines.join('\n');
  await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
  await writeFile(path.join(root, 'bench', 'results', 'browser-size.md'), report);
  console.log(report);
} finally {
  await rm(dir, { recursive: true, force: true });
}
