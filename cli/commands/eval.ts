// `rolecall eval DIR|BUNDLE --input FILE|- [--entrypoint E] [--engine js|wasm|opa] [--url URL]
// [--format table|json]`, or a quick question from flags (`--action SendVideo --role user …`):
// evaluates decision inputs with the SDK's evaluators — the bundle in-process with the JS engine
// (default) or opa-wasm, or an OPA server; a JSON array of inputs is one batch evaluation.
import path from 'node:path';
import { ENTRYPOINTS, type Entrypoint } from '../../compiler/assets.js';
import { stableJson } from '../../compiler/emit-data/index.js';
import { BundleFormatError, EvaluatorError } from '../../sdk/errors.js';
import type { Evaluator } from '../../sdk/evaluator.js';
import { OpaEvaluator } from '../../sdk/opa-evaluator.node.js';
import {
  loadJsEvaluator,
  loadPolicyData,
  loadWasmEvaluator,
} from '../../sdk/load-evaluator.node.js';
import { defineCommand, parseCommandArgs, parseEngineChoice, type EngineChoice } from '../args.js';
import { errorReason, readTextFile } from '../files.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';
import {
  isQuestion,
  QUESTION_HELP,
  QUESTION_OPTIONS,
  questionInput,
  type QuestionFlags,
} from './eval-question.js';
import { renderTable } from './eval-table.js';

const DEFAULT_ENTRYPOINT: Entrypoint = 'rolecall/decision';

export const spec = defineCommand({
  usage:
    'DIR|BUNDLE --input FILE|- [--entrypoint E] [--engine js|wasm|opa] [--url URL] [--format table|json]\n' +
    '       or a quick question: DIR|BUNDLE --action A [--role R] [--call TYPE:ID] …',
  summary:
    'Evaluates decision inputs (one, or a JSON array as one batch) with the JS engine, policy.wasm or an OPA server.',
  options: {
    input: { type: 'string', short: 'i' },
    entrypoint: { type: 'string', short: 'e', default: DEFAULT_ENTRYPOINT },
    engine: { type: 'string' },
    url: { type: 'string' },
    format: { type: 'string' },
    ...QUESTION_OPTIONS,
  },
  flags: {
    input: 'a JSON file of one input or an array of inputs; - reads standard input',
    entrypoint: 'decision, allow, capabilities, query_filter or batch (rolecall/ optional)',
    engine: 'js (default), wasm, or opa with --url',
    url: 'the OPA server to ask (with --engine opa)',
    format: 'table (default on a terminal) or json (default otherwise)',
    ...QUESTION_HELP,
  },
  notes: 'exit codes: 0 answered, 1 the evaluator failed, 2 usage or unusable input',
});

interface EvalArgs {
  /** The bundle; not read with `--engine opa` (the server has its own). */
  target: string | undefined;
  /** `--input FILE|-`, or the flags of a quick question. */
  input: { file: string } | { question: QuestionFlags };
  entrypoint: Entrypoint;
  engine: EngineChoice;
  /** `table` or `json`; undefined picks table on a terminal and JSON otherwise. */
  format: 'table' | 'json' | undefined;
}

/** Input or bundle that cannot be used; reported with exit 2. */
class UnusableInputError extends Error {
  override name = 'UnusableInputError';
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseEvalArgs(argv);
  let input: unknown;
  let evaluator: Evaluator;
  try {
    input =
      'file' in args.input
        ? await readInput(args.input.file, io)
        : questionInput(args.input.question, await policyNames(args, io.cwd));
    evaluator = await createEvaluator(args, io.cwd);
  } catch (error) {
    if (!(error instanceof UnusableInputError)) throw error;
    io.stderr(`rolecall eval: ${error.message}\n`);
    return EXIT_USAGE;
  }
  try {
    const result = Array.isArray(input)
      ? await evaluateMany(evaluator, args.entrypoint, input)
      : await evaluateOne(evaluator, args.entrypoint, input);
    const format = args.format ?? (io.isTTY === true ? 'table' : 'json');
    io.stdout(format === 'table' ? renderTable(result, Array.isArray(input)) : stableJson(result));
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

/** The bundle's data, to check a quick question's names; none with `--engine opa`. */
async function policyNames(args: EvalArgs, cwd: string) {
  if (args.engine.engine === 'opa' || args.target === undefined) return undefined;
  try {
    return await loadPolicyData(path.resolve(cwd, args.target));
  } catch (error) {
    throw new UnusableInputError(bundleProblem(args.target, error, cwd));
  }
}

/** The SDK evaluator the flags ask for: the bundle in-process (JS or WASM), or an OPA server. */
async function createEvaluator(args: EvalArgs, cwd: string): Promise<Evaluator> {
  if (args.engine.engine === 'opa') return new OpaEvaluator({ url: args.engine.url });
  if (args.target === undefined) throw new UsageError('expects a bundle: rolecall eval DIR|BUNDLE');
  // The SDK reads every bundle form (DIR, DIR/bundle, bundle.tar.gz): one reader for all.
  const bundlePath = path.resolve(cwd, args.target);
  try {
    return args.engine.engine === 'wasm'
      ? await loadWasmEvaluator(bundlePath)
      : await loadJsEvaluator(bundlePath);
  } catch (error) {
    throw new UnusableInputError(bundleProblem(args.target, error, cwd));
  }
}

/** Why the bundle at `target` cannot be used, naming the file at fault. */
function bundleProblem(target: string, error: unknown, cwd: string): string {
  const file = (error as { path?: unknown } | null)?.path;
  if (typeof file === 'string') {
    // A file inside a bundle folder is named by its place in the folder as the user gave it.
    const resolved = path.resolve(cwd, target);
    const named = file === resolved ? target : path.join(target, path.relative(resolved, file));
    return `cannot read bundle ${named}: ${errorReason(error)}`;
  }
  if (error instanceof BundleFormatError)
    return `${target} is not a usable bundle: ${error.message}`;
  return `cannot load the bundle ${target}: ${errorReason(error)}`;
}

/** The lists of a `rolecall/batch` input; a missing or malformed list is none, as in the engine. */
function batchOf(input: unknown): { decisions: unknown[]; query_filters: unknown[] } {
  const record = (typeof input === 'object' && input !== null ? input : {}) as Record<
    string,
    unknown
  >;
  const list = (key: string) => {
    const items = record[key];
    return Array.isArray(items) ? (items as unknown[]) : [];
  };
  return { decisions: list('decisions'), query_filters: list('query_filters') };
}

/** One input; every evaluator answers a malformed one as the engine answers a non-object. */
async function evaluateOne(
  evaluator: Evaluator,
  entrypoint: Entrypoint,
  input: unknown,
): Promise<unknown> {
  if (entrypoint === 'rolecall/batch') return evaluator.evaluateBatch(batchOf(input));
  return evaluator.evaluate(entrypoint, input);
}

/**
 * Many inputs, answers in order. decision, allow and query_filter are one batch evaluation
 * (allow is the decisions' `allow`); capabilities and batch inputs are evaluated one by one,
 * since the batch entrypoint does not take them.
 */
async function evaluateMany(
  evaluator: Evaluator,
  entrypoint: Entrypoint,
  inputs: unknown[],
): Promise<unknown[]> {
  switch (entrypoint) {
    case 'rolecall/decision':
    case 'rolecall/allow': {
      const { decisions } = await evaluator.evaluateBatch({ decisions: inputs, query_filters: [] });
      return entrypoint === 'rolecall/allow' ? decisions.map((item) => item.allow) : decisions;
    }
    case 'rolecall/query_filter':
      return (await evaluator.evaluateBatch({ decisions: [], query_filters: inputs }))
        .query_filters;
    case 'rolecall/capabilities':
    case 'rolecall/batch': {
      const results: unknown[] = [];
      for (const input of inputs) results.push(await evaluateOne(evaluator, entrypoint, input));
      return results;
    }
  }
}

/** Largest --input file read; a JSON string past it would come near V8's string limit. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

async function readInput(source: string, io: CliIo): Promise<unknown> {
  let text: string;
  if (source === '-') {
    // As for a file: JSON.parse refuses the byte order mark a Windows editor may write.
    text = (await io.readStdin()).replace(/^\uFEFF/, '');
  } else {
    try {
      text = await readTextFile(path.resolve(io.cwd, source), MAX_INPUT_BYTES);
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

function parseEvalArgs(argv: string[]): EvalArgs {
  const { positionals, values } = parseCommandArgs(argv, spec.options);
  const [target] = positionals;
  const engine = parseEngineChoice(values.engine, values.url);
  const needsBundle = engine.engine !== 'opa';
  const question = isQuestion(values);
  if (question && values.input !== undefined) {
    throw new UsageError('give --input or a quick question (--action …), not both');
  }
  if (
    positionals.length > 1 ||
    (needsBundle && target === undefined) ||
    (values.input === undefined && !question)
  ) {
    throw new UsageError(
      'expects a bundle and an input: rolecall eval DIR|BUNDLE --input FILE|- (or --action A …)',
    );
  }
  const format = values.format;
  if (format !== undefined && format !== 'table' && format !== 'json') {
    throw new UsageError(`unknown --format "${format}"; use table or json`);
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
    input: values.input === undefined ? { question: values } : { file: values.input },
    entrypoint,
    engine,
    format,
  };
}
