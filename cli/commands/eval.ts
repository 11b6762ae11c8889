// `rolecall eval DIR|BUNDLE --input FILE|- [--entrypoint E] [--engine wasm|opa] [--url URL]`:
// evaluates decision inputs with the SDK's evaluators — the bundle in-process with opa-wasm, or
// an OPA server; a JSON array of inputs is answered in one evaluation.
import { gunzipSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseTar } from 'nanotar';
import { ENTRYPOINTS, type Entrypoint } from '../../compiler/assets.js';
import { stableJson } from '../../compiler/emit-data/index.js';
import { findInputProblem } from '../../sdk/precheck.js';
import { EvaluatorError } from '../../sdk/errors.js';
import type { Evaluator } from '../../sdk/evaluator.js';
import { OpaEvaluator } from '../../sdk/opa-evaluator.node.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import { parseCommandArgs } from '../args.js';
import { errorReason } from '../files.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

const DEFAULT_ENTRYPOINT: Entrypoint = 'rolecall/decision';

interface EvalArgs {
  /** The bundle; not read with `--engine opa` (the server has its own). */
  target: string | undefined;
  input: string;
  entrypoint: Entrypoint;
  engine: { kind: 'wasm' } | { kind: 'opa'; url: string };
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
  let evaluator: Evaluator;
  try {
    input = await readInput(args.input, io);
    evaluator = await createEvaluator(args, io.cwd);
  } catch (error) {
    if (!(error instanceof UnusableInputError)) throw error;
    io.stderr(`rolecall eval: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const evaluate = evaluateWith(evaluator);
  try {
    const result = Array.isArray(input)
      ? await evaluateMany(evaluate, args.entrypoint, input)
      : await evaluateOne(evaluate, args.entrypoint, input);
    io.stdout(stableJson(result));
    return EXIT_OK;
  } catch (error) {
    // The evaluator failed (OPA unreachable, timeout, bad answer): no answer is printed.
    if (!(error instanceof EvaluatorError)) throw error;
    io.stderr(`rolecall eval: ${error.code}: ${error.message}\n`);
    return EXIT_FAILURE;
  } finally {
    await evaluator.close();
  }
}

/** The SDK evaluator the flags ask for: the bundle in-process, or a remote OPA server. */
async function createEvaluator(args: EvalArgs, cwd: string): Promise<Evaluator> {
  if (args.engine.kind === 'opa') return new OpaEvaluator({ url: args.engine.url });
  if (args.target === undefined) throw new UsageError('expects a bundle: rolecall eval DIR|BUNDLE');
  const bundle = await readBundle(path.resolve(cwd, args.target));
  try {
    return await WasmEvaluator.fromWasm(bundle.wasm, bundle.data as Record<string, unknown>);
  } catch (error) {
    throw new UnusableInputError(`cannot load the bundle: ${errorReason(error)}`);
  }
}

/** The engine hook over an Evaluator; a batch missing a list gets [] as the engine would. */
function evaluateWith(evaluator: Evaluator): EvaluateRaw {
  return (entrypoint, input) => {
    if (entrypoint !== 'rolecall/batch') return evaluator.evaluate(entrypoint, input);
    const batch = (typeof input === 'object' && input !== null ? input : {}) as Record<
      string,
      unknown
    >;
    const list = (key: string) => {
      const items = batch[key];
      return Array.isArray(items) ? (items as unknown[]) : [];
    };
    return evaluator.evaluateBatch({
      decisions: list('decisions'),
      query_filters: list('query_filters'),
    });
  };
}

/**
 * Whether an input can be handed to an engine as it is (DESIGN §4): opa-wasm reads a null,
 * false, 0 or "" input as no input and throws on lone surrogates, so such inputs are answered by
 * the engine's own rule for a non-object input instead. The checks are the SDK's, shared by
 * every evaluator.
 */
function isEvaluableInput(input: unknown): boolean {
  return findInputProblem(input) === undefined;
}

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
      throw new UnusableInputError(`cannot read input ${source}: ${errorReason(error)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const name = source === '-' ? 'standard input' : `input ${source}`;
    throw new UnusableInputError(`${name} is not valid JSON: ${errorReason(error)}`);
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
    throw new UnusableInputError(`cannot read bundle ${target}: ${errorReason(error)}`);
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
    throw new UnusableInputError(`${target} is not a bundle.tar.gz: ${errorReason(error)}`);
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
    throw new UnusableInputError(`cannot read ${file}: ${errorReason(error)}`);
  }
}

function parseData(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (error) {
    throw new UnusableInputError(`data.json of ${where} is not valid JSON: ${errorReason(error)}`);
  }
}

function parseEvalArgs(argv: string[]): EvalArgs {
  const { positionals, values } = parseCommandArgs(argv, {
    input: { type: 'string', short: 'i' },
    entrypoint: { type: 'string', short: 'e', default: DEFAULT_ENTRYPOINT },
    engine: { type: 'string', default: 'wasm' },
    url: { type: 'string' },
  });
  const [target] = positionals;
  const needsBundle = values.engine !== 'opa';
  if (
    positionals.length > 1 ||
    (needsBundle && target === undefined) ||
    values.input === undefined
  ) {
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
  return {
    target,
    input: values.input,
    entrypoint,
    engine: parseEngine(values.engine, values.url),
  };
}

function parseEngine(engine: string, url: string | undefined): EvalArgs['engine'] {
  if (engine === 'wasm') {
    if (url !== undefined) throw new UsageError('--url needs --engine opa');
    return { kind: 'wasm' };
  }
  if (engine !== 'opa') throw new UsageError(`unknown --engine "${engine}"; use wasm or opa`);
  if (url === undefined) throw new UsageError('--engine opa needs --url URL of the OPA server');
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url "${url}" is not a URL`);
  }
  return { kind: 'opa', url };
}
