// `rolecall check FILE [--format text|json|github]`: load + validate a grants file and print
// its diagnostics; exit 0 when valid (warnings allowed), 1 on errors, 2 on usage errors.
import { checkGrantsText } from '../../compiler/compile/check.js';
import { renderDiagnostics, type DiagnosticFormat } from '../../compiler/diagnostics/index.js';
import { parseCommandArgs, parseDiagnosticFormat } from '../args.js';
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

function parseCheckArgs(argv: string[]): {
  file: string;
  format: DiagnosticFormat;
  color: boolean;
} {
  const { positionals, values } = parseCommandArgs(argv, {
    format: { type: 'string', default: 'text' },
    color: { type: 'boolean', default: false },
  });
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
