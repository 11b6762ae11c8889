// Diagnostics as GitHub Actions workflow commands, so CI shows them as annotations on the PR diff.
import type { Diagnostic } from '../types.js';
import { printable } from './printable.js';

export function renderGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((diagnostic) => {
      const properties = [
        ['file', diagnostic.file],
        ['line', String(diagnostic.line)],
        ['col', String(diagnostic.column)],
        ['endLine', String(diagnostic.endLine)],
        // GitHub's end column is inclusive; ours is exclusive like the yaml package's ranges.
        ['endColumn', String(Math.max(diagnostic.column, diagnostic.endColumn - 1))],
        ['title', diagnostic.code],
      ]
        .map(([name, value]) => `${name ?? ''}=${escapeProperty(value ?? '')}`)
        .join(',');
      const message =
        diagnostic.help === undefined
          ? diagnostic.message
          : `${diagnostic.message}\nhelp: ${diagnostic.help}`;
      // Line breaks are escaped (an annotation may have several lines); any other control
      // character would be acted on in the job log, so it is shown instead.
      return `::${diagnostic.severity} ${properties}::${printable(escapeData(message))}\n`;
    })
    .join('');
}

/** Escaping of a workflow command's message (actions/toolkit `escapeData`). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a workflow command's property values (actions/toolkit `escapeProperty`). */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
