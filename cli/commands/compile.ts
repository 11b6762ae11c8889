// `rolecall compile FILE -o DIR [--types ts|js] [--format text|json|github]`: check the grants
// file, printing its diagnostics exactly like `rolecall check`, then write the bundle and types
// into DIR atomically.
import path from 'node:path';
import {
  compileGrants,
  OutputDirError,
  TYPES_LANGUAGES,
  writeCompileOutput,
  type TypesLanguage,
} from '../../compiler/compile/index.js';
import { renderDiagnostics, type DiagnosticFormat } from '../../compiler/diagnostics/index.js';
import { MissingAssetError } from '../../compiler/pack/index.js';
import { defineCommand, parseCommandArgs, parseDiagnosticFormat } from '../args.js';
import { errorReason, readGrantsFile } from '../files.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

interface CompileArgs {
  file: string;
  outDir: string;
  types: TypesLanguage;
  format: DiagnosticFormat;
  color: boolean;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseCompileArgs(argv);
  const text = await readGrantsFile(io, 'compile', args.file);
  if (text === undefined) return EXIT_USAGE;
  const sourceName = sourceNameOf(args.file, io.cwd);
  let compiled;
  try {
    compiled = await compileGrants({ file: sourceName, text }, { types: args.types });
  } catch (error) {
    if (!(error instanceof MissingAssetError)) throw error;
    io.stderr(`rolecall compile: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  io.stdout(
    renderDiagnostics(compiled.diagnostics, new Map([[sourceName, text]]), args.format, {
      color: args.color,
    }),
  );
  if (!compiled.ok) return EXIT_FAILURE;
  try {
    await writeCompileOutput(path.resolve(io.cwd, args.outDir), compiled.value.files);
  } catch (error) {
    if (error instanceof OutputDirError) {
      io.stderr(`rolecall compile: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`rolecall compile: cannot write ${args.outDir}: ${errorReason(error)}\n`);
    return EXIT_FAILURE;
  }
  // Machine-readable formats keep stdout for the diagnostics alone.
  const report = args.format === 'text' ? io.stdout : io.stderr;
  report(
    `compiled ${args.file} → ${args.outDir} (revision ${compiled.value.policy.revision.slice(0, 12)})\n`,
  );
  return EXIT_OK;
}

/**
 * The file name recorded in sources and diagnostics: relative to the working folder with `/`
 * separators, so `./rolecall.yaml`, `rolecall.yaml` and an absolute path give the same revision
 * and no machine-specific path ends up in the bundle. Files outside the folder keep their name.
 */

export const spec = defineCommand({
  usage: 'FILE -o DIR [--types ts|js] [--format text|json|github] [--color]',
  summary:
    'Compiles a grants file into DIR: bundle.tar.gz, bundle/ (Rego, data.json, policy.wasm) and rolecall.gen.ts (typed names and clients); atomic.',
  options: {
    out: { type: 'string', short: 'o' },
    types: { type: 'string', default: 'ts' },
    format: { type: 'string', default: 'text' },
    color: { type: 'boolean', default: false },
  },
  flags: {
    out: 'the output folder (replaced as a whole, only when the compile succeeds)',
    types:
      'ts writes rolecall.gen.ts; js writes rolecall.gen.js and rolecall.gen.d.ts for plain JavaScript (ESM)',
    format: 'diagnostics as text, json or github annotations',
    color: 'color the text format',
  },
  notes: 'exit codes: 0 compiled, 1 grants errors, 2 usage',
});

function sourceNameOf(file: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

function parseCompileArgs(argv: string[]): CompileArgs {
  const { positionals, values } = parseCommandArgs(argv, spec.options);
  const [file] = positionals;
  if (positionals.length !== 1 || file === undefined || values.out === undefined) {
    throw new UsageError(
      'expects a grants file and an output folder: rolecall compile FILE -o DIR',
    );
  }
  const types = TYPES_LANGUAGES.find((known) => known === values.types);
  if (types === undefined) {
    throw new UsageError(`unknown --types "${values.types}"; use ts or js`);
  }
  return {
    file,
    outDir: values.out,
    types,
    format: parseDiagnosticFormat(values.format),
    color: values.color,
  };
}
