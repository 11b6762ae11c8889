// `rolecall eval DIR|BUNDLE --input FILE|- [--entrypoint E]`: evaluates decision inputs against a
// compiled bundle in-process with opa-wasm; a JSON array of inputs is answered in one evaluation.
import { gunzipSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { parseTar } from 'nanotar';
import { ENTRYPOINTS, type Entrypoint } from '../../compiler/assets.js';
import { stableJson } from '../../compiler/emit-data/index.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

const DEFAULT_ENTRYPOINT: Entrypoint = 'rolecall/decision';

interface EvalArgs {
  target: string;
  input: string;
  entrypoint: Entrypoint;
}

/** What an evaluator needs from a bundle. */
interface BundleParts {
  wasm: Uint8Array;
  data: unknown;
}

/** Evaluates one input at an entrypoint and returns the entrypoint's value (the one engine hook). */
type EvaluateRaw = (entrypoint: Entrypoint, input: unknown) => Promise<unknown>;

/** Input or bundle that cannot be used; reported with exit 2. */
class UnusableInputError extends Error {
  override name = 'UnusableInputError';
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseEvalArgs(argv);
  let input: unknown;
  let evaluate: EvaluateRaw;
  try {
    input = await readInput(args.input, io);
    evaluate = await createWasmEvaluation(await readBundle(path.resolve(io.cwd, args.target)));
  } catch (error) {
    if (!(error instanceof UnusableInputError)) throw error;
    io.stderr(`rolecall eval: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const result = Array.isArray(input)
    ? await evaluateMany(evaluate, args.entrypoint, input)
    : await evaluateOne(evaluate, args.entrypoint, input);
  io.stdout(stableJson(result));
  return EXIT_OK;
}

/** The in-process engine: opa-wasm with the bundle's policy.wasm and data.json. */
async function createWasmEvaluation(bundle: BundleParts): Promise<EvaluateRaw> {
  const policy = await loadPolicy(bundle.wasm);
  policy.setData(bundle.data as object);
  return (entrypoint, input) => {
    const resultSet = policy.evaluate(input, entrypoint) as { result?: unknown }[];
    return Promise.resolve(resultSet[0]?.result);
  };
}

/**
 * Whether an input can be handed to an engine as it is (DESIGN §4): opa-wasm reads a null,
 * false, 0 or "" input as no input and throws on lone surrogates, so those are answered by the
 * engine's own rule for a non-object input instead.
 */
function isEvaluableInput(input: unknown): boolean {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  // Iterative, so a deeply nested input cannot overflow the stack.
  const pending: unknown[] = [input];
  for (
    let value = pending.pop();
    value !== undefined || pending.length > 0;
    value = pending.pop()
  ) {
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) return false;
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) return false;
      pending.push(child);
    }
  }
  return true;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** One input: evaluated directly, or, when malformed, as the engine answers a non-object. */
async function evaluateOne(
  evaluate: EvaluateRaw,
  entrypoint: Entrypoint,
  input: unknown,
): Promise<unknown> {
  if (isEvaluableInput(input)) return evaluate(entrypoint, input);
  switch (entrypoint) {
    // The engine's answers for an input that is not an object: no lists, no capabilities.
    case 'rolecall/batch':
      return evaluate(entrypoint, {});
    case 'rolecall/capabilities':
      return [];
    default: {
      const [result] = await evaluateMany(evaluate, entrypoint, [input]);
      return result;
    }
  }
}

/**
 * Many inputs, answers in order. decision, allow and query_filter go through `rolecall/batch` in
 * one evaluation (allow is the decisions' `allow`); capabilities and batch inputs are evaluated
 * one by one, since the batch entrypoint does not take them.
 */
async function evaluateMany(
  evaluate: EvaluateRaw,
  entrypoint: Entrypoint,
  inputs: unknown[],
): Promise<unknown[]> {
  // A malformed item becomes null, which the engine's `with input as` answers as INVALID_INPUT.
  const items = inputs.map((input) => (isEvaluableInput(input) ? input : null));
  switch (entrypoint) {
    case 'rolecall/decision':
    case 'rolecall/allow': {
      const { decisions } = (await evaluate('rolecall/batch', { decisions: items })) as {
        decisions: { allow: unknown }[];
      };
      return entrypoint === 'rolecall/allow' ? decisions.map((item) => item.allow) : decisions;
    }
    case 'rolecall/query_filter': {
      const batch = (await evaluate('rolecall/batch', { query_filters: items })) as {
        query_filters: unknown[];
      };
      return batch.query_filters;
    }
    case 'rolecall/capabilities':
    case 'rolecall/batch': {
      const results: unknown[] = [];
      for (const input of inputs) results.push(await evaluateOne(evaluate, entrypoint, input));
      return results;
    }
  }
}

async function readInput(source: string, io: CliIo): Promise<unknown> {
  let text: string;
  if (source === '-') {
    text = await io.readStdin();
  } else {
    try {
      text = await readFile(path.resolve(io.cwd, source), 'utf8');
    } catch (error) {
      throw new UnusableInputError(`cannot read input ${source}: ${reasonOf(error)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const name = source === '-' ? 'standard input' : `input ${source}`;
    throw new UnusableInputError(`${name} is not valid JSON: ${reasonOf(error)}`);
  }
}

/**
 * Reads policy.wasm and data.json from a compile output folder (DIR/bundle), an unpacked bundle
 * folder, or a bundle.tar.gz.
 */
async function readBundle(target: string): Promise<BundleParts> {
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    throw new UnusableInputError(`cannot read bundle ${target}: ${reasonOf(error)}`);
  }
  if (info.isDirectory()) {
    const folder = (await isFile(path.join(target, 'bundle', 'data.json')))
      ? path.join(target, 'bundle')
      : target;
    const wasm = await readBundleFile(path.join(folder, 'policy.wasm'));
    const data = await readBundleFile(path.join(folder, 'data.json'));
    return { wasm, data: parseData(data, folder) };
  }
  let entries;
  try {
    entries = parseTar(gunzipSync(await readFile(target)));
  } catch (error) {
    throw new UnusableInputError(`${target} is not a bundle.tar.gz: ${reasonOf(error)}`);
  }
  const find = (name: string) =>
    entries.find((entry) => entry.name.replace(/^\/+/, '') === name)?.data;
  const wasm = find('policy.wasm');
  const data = find('data.json');
  if (wasm === undefined || data === undefined) {
    throw new UnusableInputError(`${target} has no policy.wasm or data.json`);
  }
  return { wasm, data: parseData(data, target) };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function readBundleFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new UnusableInputError(`cannot read ${file}: ${reasonOf(error)}`);
  }
}

function parseData(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (error) {
    throw new UnusableInputError(`data.json of ${where} is not valid JSON: ${reasonOf(error)}`);
  }
}

function parseEvalArgs(argv: string[]): EvalArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        input: { type: 'string', short: 'i' },
        entrypoint: { type: 'string', short: 'e', default: DEFAULT_ENTRYPOINT },
        engine: { type: 'string', default: 'wasm' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { positionals, values } = parsed;
  const [target] = positionals;
  if (positionals.length !== 1 || target === undefined || values.input === undefined) {
    throw new UsageError('expects a bundle and an input: rolecall eval DIR|BUNDLE --input FILE|-');
  }
  const entrypoint = ENTRYPOINTS.find(
    (known) => known === values.entrypoint || known === `rolecall/${values.entrypoint}`,
  );
  if (entrypoint === undefined) {
    throw new UsageError(
      `unknown --entrypoint "${values.entrypoint}"; use one of ${ENTRYPOINTS.join(', ')}`,
    );
  }
  if (values.engine !== 'wasm') {
    throw new UsageError(`unknown --engine "${values.engine}"; use wasm`);
  }
  return { target, input: values.input, entrypoint };
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
