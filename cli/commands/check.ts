// `rolecall check FILE [--format text|json|github]`: load + validate a grants file and print
// its diagnostics; exit 0 when valid (warnings allowed), 1 on errors, 2 on usage errors.
import { open } from 'node:fs/promises';
import { renderDiagnostics, type DiagnosticFormat } from '../../compiler/diagnostics/index.js';
import { MAX_FILE_BYTES, loadGrants } from '../../compiler/load/index.js';
import type { Diagnostic } from '../../compiler/types.js';
import { validateGrants } from '../../compiler/validate/index.js';
import { parseCommandArgs, parseDiagnosticFormat } from '../args.js';
import { readCommandFile } from '../files.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { file, format, color } = parseCheckArgs(argv);
  const text = await readCommandFile(io, 'check', file, readGrantsText);
  if (text === undefined) return EXIT_USAGE;
  const diagnostics = checkGrantsText(file, text);
  io.stdout(renderDiagnostics(diagnostics, new Map([[file, text]]), format, { color }));
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error') ? EXIT_FAILURE : EXIT_OK;
}

/** Load and validate one grants file; every diagnostic of both stages, warnings included. */
function checkGrantsText(file: string, text: string): Diagnostic[] {
  const loaded = loadGrants(file, text);
  if (!loaded.ok) return loaded.diagnostics;
  return [...loaded.diagnostics, ...validateGrants(loaded.value).diagnostics];
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

/**
 * Reads the file, but never more than one byte past the size limit: loadGrants then reports
 * FILE_TOO_LARGE, and a huge file cannot exhaust memory first.
 */
async function readGrantsText(filePath: string): Promise<string> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= MAX_FILE_BYTES) return await handle.readFile('utf8');
    const head = Buffer.alloc(MAX_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
