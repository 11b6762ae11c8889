// `rolecall matrix FILE [-o matrix.html] [--link vscode|relative|none]`: renders the permissions
// matrix of a grants file as one static HTML page; exit 0 ok, 1 on grants errors, 2 on usage.
import path from 'node:path';
import { renderDiagnostics } from '../../compiler/diagnostics/index.js';
import {
  buildMatrixFromText,
  renderMatrixHtml,
  type MatrixSource,
} from '../../review/matrix/index.js';
import { defineCommand, parseCommandArgs } from '../args.js';
import { errorReason, readGrantsFile, writeFileAtomically } from '../files.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

type LinkKind = 'vscode' | 'relative' | 'none';
const LINK_KINDS: readonly LinkKind[] = ['vscode', 'relative', 'none'];

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { file, output, link } = parseMatrixArgs(argv);
  const text = await readGrantsFile(io, 'matrix', file);
  if (text === undefined) return EXIT_USAGE;
  const result = buildMatrixFromText(file, text);
  if (result.diagnostics.length > 0) {
    io.stderr(renderDiagnostics(result.diagnostics, new Map([[file, text]]), 'text'));
  }
  if (!result.ok) return EXIT_FAILURE;

  const outputPath = output === undefined ? undefined : path.resolve(io.cwd, output);
  const sourceHref = linkMaker(link, io.cwd, outputPath);
  const page = renderMatrixHtml(result.value, sourceHref === undefined ? {} : { sourceHref });
  if (outputPath === undefined) {
    io.stdout(page);
    return EXIT_OK;
  }
  try {
    await writeFileAtomically(outputPath, page);
  } catch (error) {
    io.stderr(`rolecall matrix: cannot write ${output ?? ''}: ${errorReason(error)}\n`);
    return EXIT_FAILURE;
  }
  io.stderr(`wrote ${output ?? ''}\n`);
  return EXIT_OK;
}

/** Editor links: vscode://file/ABS:LINE:COL, or a path relative to the page with a #L anchor. */

export const spec = defineCommand({
  usage: 'FILE [-o matrix.html] [--link vscode|relative|none]',
  summary: 'Writes roles × permissions of every scope as one self-contained HTML page.',
  options: {
    out: { type: 'string', short: 'o' },
    link: { type: 'string', default: 'vscode' },
  },
  flags: {
    out: 'the HTML file to write (default, or -: the page goes to standard output)',
    link: 'how grant sources link to the grants file: vscode, relative or none',
  },
});

function linkMaker(
  link: LinkKind,
  cwd: string,
  outputPath: string | undefined,
): ((source: MatrixSource) => string) | undefined {
  if (link === 'none') return undefined;
  if (link === 'vscode') {
    return (source) => {
      const absolute = path.resolve(cwd, source.file).split(path.sep).join('/');
      const withSlash = absolute.startsWith('/') ? absolute : `/${absolute}`;
      return `vscode://file${encodeURI(withSlash)}:${source.line.toString()}:${source.column.toString()}`;
    };
  }
  const pageDir = outputPath === undefined ? cwd : path.dirname(outputPath);
  return (source) => {
    const relative = path
      .relative(pageDir, path.resolve(cwd, source.file))
      .split(path.sep)
      .join('/');
    return `${encodeURI(relative)}#L${source.line.toString()}`;
  };
}

function parseMatrixArgs(argv: string[]): {
  file: string;
  output: string | undefined;
  link: LinkKind;
} {
  const { positionals, values } = parseCommandArgs(argv, spec.options);
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new UsageError(
      'expects exactly one grants file: rolecall matrix FILE [-o matrix.html] [--link vscode|relative|none]',
    );
  }
  const link = LINK_KINDS.find((kind) => kind === values.link);
  if (link === undefined) {
    throw new UsageError(`unknown --link "${values.link}"; use vscode, relative or none`);
  }
  // `-o -` is standard output, as for most tools that take an output file.
  const output = values.out === '-' ? undefined : values.out;
  return { file: positionals[0], output, link };
}
