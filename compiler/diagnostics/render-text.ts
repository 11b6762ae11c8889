// Human form of diagnostics: `file:line:col: error CODE: message`, a code frame of the YAML,
// a `help:` line, and a summary count at the end (DESIGN §6).
import { codeFrameColumns } from '@babel/code-frame';
import type { Diagnostic } from '../types.js';
import { printable } from './printable.js';

const MAX_FRAMED_LINE = 400;
const ANSI = { red: '\u001b[31m', yellow: '\u001b[33m', bold: '\u001b[1m', reset: '\u001b[0m' };

export function renderText(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  color: boolean,
): string {
  const paint = (style: keyof typeof ANSI, text: string): string =>
    color ? `${ANSI[style]}${text}${ANSI.reset}` : text;
  const lineCache = new Map<string, string[]>();
  const linesOf = (file: string): string[] | undefined => {
    const cached = lineCache.get(file);
    if (cached !== undefined) return cached;
    const source = sources.get(file);
    if (source === undefined) return undefined;
    const lines = source.split('\n');
    lineCache.set(file, lines);
    return lines;
  };

  let output = '';
  for (const diagnostic of diagnostics) {
    const severity = paint(diagnostic.severity === 'error' ? 'red' : 'yellow', diagnostic.severity);
    const where = `${printable(diagnostic.file)}:${diagnostic.line}:${diagnostic.column}`;
    output += `${paint('bold', where)}: ${severity} ${diagnostic.code}: ${printable(diagnostic.message)}\n`;
    const lines = linesOf(diagnostic.file);
    const frame = lines === undefined ? undefined : codeFrameOf(diagnostic, lines);
    if (frame !== undefined) output += `${frame}\n`;
    if (diagnostic.help !== undefined) {
      output += `${paint('bold', 'help')}: ${printable(diagnostic.help)}\n`;
    }
    output += '\n';
  }
  return output + summaryOf(diagnostics) + '\n';
}

/** "2 errors, 1 warning" */
function summaryOf(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`;
}

function codeFrameOf(diagnostic: Diagnostic, lines: readonly string[]): string | undefined {
  const text = lines[diagnostic.line - 1];
  if (text === undefined) return undefined;
  const lineText = text.endsWith('\r') ? text.slice(0, -1) : text;
  // A frame of a minified or binary line would bury the message.
  if (lineText.length > MAX_FRAMED_LINE) return undefined;
  // A frame marks one line: a span over a whole block would frame the block.
  const endColumn =
    diagnostic.endLine === diagnostic.line
      ? diagnostic.endColumn
      : Math.max(lineText.length + 1, diagnostic.column + 1);
  // Only the lines around the problem are framed; padding keeps babel's line numbers right.
  const first = Math.max(1, diagnostic.line - 2);
  const window = lines
    .slice(first - 1, diagnostic.line + 2)
    .map((line) => printable(line.replace(/\r$/, '')));
  const rawLines = '\n'.repeat(first - 1) + window.join('\n');
  return codeFrameColumns(
    rawLines,
    {
      start: { line: diagnostic.line, column: diagnostic.column },
      end: { line: diagnostic.line, column: Math.max(endColumn, diagnostic.column + 1) },
    },
    { highlightCode: false, linesAbove: 2, linesBelow: 2 },
  );
}
