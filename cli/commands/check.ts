// `rolecall check FILE [--format text|json|github]`: load + validate a grants file and print
// its diagnostics; exit 0 when valid (warnings allowed), 1 on errors, 2 on usage errors.
import { checkGrantsText } from '../../compiler/compile/check.js';
import { renderDiagnostics, type DiagnosticFormat } from '../../compiler/diagnostics/index.js';
import { defineCommand, parseCommandArgs, parseDiagnosticFormat } from '../args.js';
import { readGrantsFile } from '../files.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { file, format, color } = parseCheckArgs(argv);
  const text = await readGrantsFile(io, 'check', file);
  if (text === undefined) return EXIT_USAGE;
  const { diagnostics } = checkGrantsText(file, text);
  io.stdout(renderDiagnostics(diagnostics, new Map([[file, text]]), format, { color }));
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error') ? EXIT_FAILURE : EXIT_OK;
}

export const spec = defineCommand({
  usage: 'FILE [--format text|json|github] [--color]',
  summary: 'Loads and validates a grants file; prints diagnostics with line, code frame and fix.',
  options: {
    format: { type: 'string', default: 'text' },
    color: { type: 'boolean', default: false },
  },
  flags: {
    format: 'text (code frames), json (one object per diagnostic) or github (annotations)',
    color: 'color the text format',
  },
  notes: 'exit codes: 0 no errors, 1 errors, 2 usage',
});

function parseCheckArgs(argv: string[]): {
  file: string;
  format: DiagnosticFormat;
  color: boolean;
} {
  const { positionals, values } = parseCommandArgs(argv, spec.options);
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new UsageError(
      'expects exactly one grants file: rolecall check FILE [--format text|json|github]',
    );
  }
  return {
    file: positionals[0],
    format: parseDiagnosticFormat(values.format),
    color: values.color,
  };
}
