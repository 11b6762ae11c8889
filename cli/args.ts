// Argument parsing shared by the commands: node's parseArgs with its errors turned into usage
// errors (exit 2), the `--format` choice of the commands that print grants diagnostics, and the
// `--engine js|wasm|opa --url URL` choice of the commands that evaluate.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DIAGNOSTIC_FORMATS, type DiagnosticFormat } from '../compiler/diagnostics/index.js';
import { didYouMean } from '../compiler/validate/suggest.js';
import { errorReason } from './files.js';
import { UsageError } from './io.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

interface CommandArgsConfig<Options extends OptionsConfig> {
  args: string[];
  allowPositionals: true;
  strict: true;
  options: Options;
}

/**
 * Flags and positionals of one command, parsed strictly; an unknown or malformed flag becomes a
 * UsageError whose message is followed by `usage` when one is given.
 */
export function parseCommandArgs<const Options extends OptionsConfig>(
  argv: string[],
  options: Options,
  usage?: string,
): ReturnType<typeof parseArgs<CommandArgsConfig<Options>>> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    const message = unknownOptionMessage(error, options) ?? errorReason(error);
    throw new UsageError(usage === undefined ? message : `${message}\n${usage}`);
  }
}

/**
 * parseArgs's words for an unknown flag explain `--` for positionals; a typo is far likelier, so
 * the message names the closest flag instead.
 */
function unknownOptionMessage(error: unknown, options: OptionsConfig): string | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return undefined;
  }
  const flag = /Unknown option '([^']+)'/.exec(errorReason(error))?.[1];
  if (flag === undefined) return undefined;
  const known = Object.entries(options).flatMap(([name, option]) =>
    option.short === undefined ? [`--${name}`] : [`--${name}`, `-${option.short}`],
  );
  const hint = didYouMean(flag.split('=')[0] ?? flag, known) ?? 'see --help for the flags';
  return `unknown option "${flag}"; ${hint}`;
}

/** The `--format` of `check` and `compile`: one of the diagnostic renderers. */
export function parseDiagnosticFormat(value: string): DiagnosticFormat {
  const format = DIAGNOSTIC_FORMATS.find((known) => known === value);
  if (format === undefined) {
    throw new UsageError(`unknown --format "${value}"; use text, json or github`);
  }
  return format;
}

/**
 * Where decisions are evaluated: the JS engine over data.json (the default), the bundle's
 * policy.wasm in-process, or a running OPA server.
 */
export type EngineChoice = { engine: 'js' } | { engine: 'wasm' } | { engine: 'opa'; url: string };

/** `--engine` (js when absent) and `--url`, which only `--engine opa` takes and needs. */
export function parseEngineChoice(
  engine: string | undefined,
  url: string | undefined,
): EngineChoice {
  if (engine === undefined || engine === 'js' || engine === 'wasm') {
    if (url !== undefined) throw new UsageError('--url needs --engine opa');
    return { engine: engine ?? 'js' };
  }
  if (engine !== 'opa') throw new UsageError(`unknown --engine "${engine}"; use js, wasm or opa`);
  if (url === undefined) throw new UsageError('--engine opa needs --url URL of a running OPA');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`--url "${url}" is not an http(s) URL of a running OPA`);
  }
  return { engine: 'opa', url };
}

/**
 * A command's interface: its usage line, what it does, the flags its parser accepts, and one
 * line of help per flag — the type asks for a line for every flag, so `--help` never lags the
 * parser.
 */
export interface CommandSpec<Options extends OptionsConfig = OptionsConfig> {
  /** Everything after `rolecall NAME`, e.g. `FILE [--format text|json|github]`. */
  usage: string;
  summary: string;
  options: Options;
  flags: { readonly [Name in keyof Options]: string };
  /** Extra lines after the flags (environment variables, exit codes). */
  notes?: string;
}

export function defineCommand<const Options extends OptionsConfig>(
  spec: CommandSpec<Options>,
): CommandSpec<Options> {
  return spec;
}

/** `rolecall NAME --help`: usage, summary, one line per flag, then the notes. */
export function renderHelp(name: string, spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([flag, option]) => {
    const value = option.type === 'string' ? ` ${flag.toUpperCase().replaceAll('-', '_')}` : '';
    const short = option.short === undefined ? '' : `-${option.short}, `;
    const fallback =
      option.default === undefined || option.default === false
        ? ''
        : ` (default ${String(option.default)})`;
    return [`${short}--${flag}${value}`, `${spec.flags[flag] ?? ''}${fallback}`];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = [
    `usage: rolecall ${name} ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
  ];
  if (spec.notes !== undefined) lines.push('', spec.notes);
  return `${lines.join('\n')}\n`;
}

/** The usage line a usage error ends with. */
export const usageLine = (name: string, spec: CommandSpec): string =>
  `usage: rolecall ${name} ${spec.usage} (rolecall ${name} --help for every flag)`;
