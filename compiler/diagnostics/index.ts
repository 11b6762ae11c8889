// Renders diagnostics in one place for every command: text for people, JSON for tools, and
// GitHub workflow commands for CI annotations.
import type { Diagnostic } from '../types.js';
import { renderGithub } from './render-github.js';
import { renderText } from './render-text.js';

export type DiagnosticFormat = 'text' | 'json' | 'github';
export const DIAGNOSTIC_FORMATS: readonly DiagnosticFormat[] = ['text', 'json', 'github'];

/** File name → text, for code frames. */
export type SourceTexts = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export interface RenderOptions {
  sources: SourceTexts;
  format?: DiagnosticFormat;
  /** ANSI colors in the text format (never in json or github). */
  color?: boolean;
}

export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: SourceTexts,
  format?: DiagnosticFormat,
  options?: { color?: boolean },
): string;
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  options: RenderOptions,
): string;
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sourcesOrOptions: SourceTexts | RenderOptions,
  format: DiagnosticFormat = 'text',
  options: { color?: boolean } = {},
): string {
  const settings = isRenderOptions(sourcesOrOptions)
    ? { format: 'text' as const, ...sourcesOrOptions }
    : { sources: sourcesOrOptions, format, ...options };
  switch (settings.format) {
    case 'json':
      return `${JSON.stringify(diagnostics.map(orderedFields), null, 2)}\n`;
    case 'github':
      return renderGithub(diagnostics);
    case 'text':
      return renderText(diagnostics, toMap(settings.sources), settings.color ?? false);
  }
}

/** The options form is an object with a `sources` object and only known keys. */
function isRenderOptions(value: SourceTexts | RenderOptions): value is RenderOptions {
  if (value instanceof Map) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record['sources'] === 'object' &&
    Object.keys(record).every((key) => key === 'sources' || key === 'format' || key === 'color')
  );
}

function toMap(sources: SourceTexts): ReadonlyMap<string, string> {
  return sources instanceof Map
    ? (sources as ReadonlyMap<string, string>)
    : new Map(Object.entries(sources as Readonly<Record<string, string>>));
}

/** The same key order for every diagnostic, so JSON output is stable whoever built it. */
function orderedFields(diagnostic: Diagnostic): Diagnostic {
  return {
    code: diagnostic.code,
    severity: diagnostic.severity,
    message: diagnostic.message,
    file: diagnostic.file,
    line: diagnostic.line,
    column: diagnostic.column,
    endLine: diagnostic.endLine,
    endColumn: diagnostic.endColumn,
    ...(diagnostic.help === undefined ? {} : { help: diagnostic.help }),
  };
}
