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
const VARIANTS: { name: string; contents: string; stub?: boolean }[] = [
  {
    name: 'whole `rolecall/browser` entry',
    contents: `export * from ${JSON.stringify(browserEntry)};`,
  },
  {
    name: '`WasmEvaluator` + `PolicyClient` (local decisions only)',
    contents: `export { WasmEvaluator, PolicyClient } from ${JSON.stringify(browserEntry)};`,
  },
  {
    name: '`createClient` (queries to the server + local hints)',
    contents: `export { createClient } from ${JSON.stringify(browserEntry)};`,
  },
  {
    name: "whole entry, opa-wasm's unused `yaml`/`sprintf-js` stubbed",
    contents: `export * from ${JSON.stringify(browserEntry)};`,
    stub: true,
  },
];

interface Measured {
  name: string;
  minified: number;
  gzip: number;
  biggest: { input: string; bytes: number }[];
}

const gzipSize = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

async function measure(
  variant: { name: string; contents: string; stub?: boolean },
  dir: string,
): Promise<Measured> {
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
  const measured: Measured[] = [];
  for (const variant of VARIANTS) measured.push(await measure(variant, dir));

  const lines = [
    '# Browser bundle size',
    '',
    "The SDK's browser entry (`sdk/browser.ts`, exported as `rolecall/browser`) bundled by",
    'esbuild (ESM, minified, tree-shaken, target es2022), gzip level 9. The OPA WASM module',
    `(\`${path.relative(root, policyWasmPath)}\`) is fetched next to the JavaScript, inside`,
    'the bundle.tar.gz the page loads. Measured by `npx tsx bench/browser-size.ts`.',
    '',
    '| what the page imports | JS minified | JS gzip | + policy.wasm, gzip |',
    '|---|---:|---:|---:|',
    ...measured.map(
      (entry) =>
        `| ${entry.name} | ${kib(entry.minified)} | ${kib(entry.gzip)} | ${kib(entry.gzip + wasmGzip)} |`,
    ),
    '',
    `policy.wasm: ${kib(wasm.length)} raw, ${kib(wasmGzip)} gzip. What a page really downloads is`,
    `the compiled bundle.tar.gz (policy.wasm, data.json and the engine Rego, already gzip): for`,
    `\`${example}\` it is ${kib(bundleBytes)}.`,
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
