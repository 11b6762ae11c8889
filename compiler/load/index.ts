// Stage 1 of the compiler: parses a grants file into a GrantsDocument whose every node and map key
// keeps its source span; every problem with the text itself becomes a Diagnostic, never an exception.
import { LineCounter, isScalar, parseAllDocuments, type YAMLError } from 'yaml';
import { diagnosticAt, sortDiagnostics, type DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic, GrantsDocument, Result, SourceSpan } from '../types.js';
import { isWellFormed } from '../../core/precheck.js';
import { buildSourceIndex, type Range } from './source-index.js';

/** Larger files are refused before parsing (DESIGN §2). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Bounds alias expansion ("billion laughs"); a hand-written grants file stays far below it. */
export const MAX_ALIAS_COUNT = 100;

/** What the loader's messages call the document, and its advice for the whole-file problems. */
export interface DocumentKind {
  /** `grants file`, `test suite`. */
  name: string;
  tooLargeHelp: string;
  multipleDocumentsHelp: string;
  emptyHelp: string;
  nestingHelp: string;
  /**
   * Whether text must be well-formed UTF-16: a grants file's names and descriptions end up in
   * data.json; a test suite may hold a lone surrogate on purpose, as an input the SDK refuses.
   */
  wellFormedText: boolean;
}

export const GRANTS_FILE: DocumentKind = {
  name: 'grants file',
  tooLargeHelp:
    'split rarely changed call overrides out of the grants file, or manage them through the API',
  multipleDocumentsHelp:
    'remove the "---" separator and merge the documents, or keep one grants file per app',
  emptyHelp: 'start with "version: 1"; see docs/grants-file.md',
  nestingHelp: 'a grants file is at most six levels deep',
  wellFormedText: true,
};

/**
 * Parses a YAML document with spans and limits. Grants files by default; other documents read
 * the same way (test suites) name themselves through `kind`.
 */
export function loadGrants(
  file: string,
  text: string,
  kind: DocumentKind = GRANTS_FILE,
): Result<GrantsDocument> {
  const lineCounter = new LineCounter();
  const spanOf = (range: Range): SourceSpan => {
    const from = lineCounter.linePos(range[0]);
    const to = lineCounter.linePos(Math.max(range[0], range[1]));
    return { file, line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
  };
  const fileStart: SourceSpan = { file, line: 1, column: 1, endLine: 1, endColumn: 1 };

  const size = utf8Length(text);
  if (size > MAX_FILE_BYTES) {
    return fail([
      diagnosticAt(
        fileStart,
        'FILE_TOO_LARGE',
        `the file is over 4 MiB; ${kind.name}s are limited to ${MAX_FILE_BYTES} bytes`,
        kind.tooLargeHelp,
      ),
    ]);
  }

  const documents = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: false, // duplicates are reported by the source index, with both positions
    prettyErrors: false,
    logLevel: 'silent',
  });
  const [document, extra] = documents;
  if (document === undefined) return fail([emptyFile(fileStart, kind)]);

  const diagnostics: Diagnostic[] = [];
  if (extra !== undefined) {
    diagnostics.push(
      diagnosticAt(
        spanOf([extra.range[0], extra.range[0] + 3]),
        'MULTIPLE_DOCUMENTS',
        `a ${kind.name} holds exactly one YAML document, this is a second one`,
        kind.multipleDocumentsHelp,
      ),
    );
  }
  for (const error of document.errors) {
    diagnostics.push(yamlErrorDiagnostic(error, spanOf, kind));
  }
  if (document.errors.length > 0) return fail(diagnostics);
  for (const warning of document.warnings) {
    diagnostics.push(yamlErrorDiagnostic(warning, spanOf, kind));
  }

  const contents = document.contents;
  if (
    contents === null ||
    (isScalar(contents) && contents.value === null && isBlank(contents.range))
  ) {
    return fail([...diagnostics, emptyFile(fileStart, kind)]);
  }

  const index = buildSourceIndex(contents);
  for (const problem of index.problems) {
    const span = spanOf(problem.range);
    if (problem.kind === 'duplicate-key') {
      const first = problem.firstRange === undefined ? undefined : spanOf(problem.firstRange);
      diagnostics.push(
        diagnosticAt(
          span,
          'DUPLICATE_KEY',
          `duplicate key "${problem.key}"`,
          first === undefined
            ? 'keep one of them: YAML would silently drop the other'
            : `first defined at line ${first.line}; keep one of them: YAML would silently drop the other`,
        ),
      );
    } else if (problem.kind === 'undefined-alias') {
      diagnostics.push(
        diagnosticAt(
          span,
          'YAML_SYNTAX',
          `alias "*${problem.key}" refers to no earlier anchor`,
          `define "&${problem.key}" on a node before this alias`,
        ),
      );
    } else if (problem.kind === 'alias-key') {
      diagnostics.push(
        diagnosticAt(
          span,
          'YAML_SYNTAX',
          `a map key cannot be an alias ("*${problem.key}")`,
          'write the key out: aliases may repeat values, not keys',
        ),
      );
    } else {
      diagnostics.push(
        diagnosticAt(span, 'YAML_SYNTAX', 'map keys must be plain strings, not collections'),
      );
    }
  }
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return fail(diagnostics);

  let spec: unknown;
  try {
    spec = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const at = index.firstAlias === undefined ? fileStart : spanOf(index.firstAlias);
    if (error instanceof ReferenceError && error.message.includes('Excessive alias count')) {
      return fail([
        ...diagnostics,
        diagnosticAt(
          at,
          'ALIAS_LIMIT',
          `YAML aliases expand past the limit of ${MAX_ALIAS_COUNT} nodes`,
          'write the lists out, or reuse fewer nested anchors',
        ),
      ]);
    }
    if (error instanceof RangeError) {
      return fail([...diagnostics, diagnosticAt(at, 'NESTING_LIMIT', 'the YAML nests too deep')]);
    }
    const message = error instanceof Error ? error.message : String(error);
    return fail([...diagnostics, diagnosticAt(at, 'YAML_SYNTAX', firstLine(message))]);
  }

  const toSpan = (range: Range | undefined): SourceSpan | undefined =>
    range === undefined ? undefined : spanOf(range);
  const illFormed = kind.wellFormedText ? findLoneSurrogate(spec) : undefined;
  if (illFormed !== undefined) {
    const range = illFormed.inKey
      ? index.keyRange(illFormed.path)
      : index.valueRange(illFormed.path);
    return fail([
      ...diagnostics,
      diagnosticAt(
        toSpan(range) ?? fileStart,
        'YAML_SYNTAX',
        `${illFormed.inKey ? 'a key' : 'a string'} holds a lone surrogate escape (\\ud800–\\udfff not in a pair)`,
        'write the character itself, or both halves of its surrogate pair: no engine can read half a character',
      ),
    ]);
  }
  return {
    ok: true,
    value: {
      file,
      source: text,
      spec,
      locate: (path) => toSpan(index.valueRange(path)),
      locateKey: (path) => toSpan(index.keyRange(path)),
    },
    diagnostics: sortDiagnostics(diagnostics),
  };
}

/**
 * The first string or key that is not well-formed UTF-16: YAML's "\\ud800" escapes can spell half
 * a character, which JSON, WASM and Go would each read differently (or refuse), so it never
 * reaches data.json. The document has passed the nesting limit, so a plain stack walk is bounded.
 */
function findLoneSurrogate(
  spec: unknown,
): { path: (string | number)[]; inKey: boolean } | undefined {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value: spec, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value === 'string') {
      if (!isWellFormed(value)) return { path, inKey: false };
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, index) =>
        pending.push({ value: item, path: [...path, index] }),
      );
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (!isWellFormed(key)) return { path: [...path, key], inKey: true };
        pending.push({ value: item, path: [...path, key] });
      }
    }
  }
  return undefined;
}

function fail(diagnostics: Diagnostic[]): { ok: false; diagnostics: Diagnostic[] } {
  return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
}

function emptyFile(at: SourceSpan, kind: DocumentKind): Diagnostic {
  return diagnosticAt(at, 'EMPTY_FILE', `the ${kind.name} is empty`, kind.emptyHelp);
}

function yamlErrorDiagnostic(
  error: YAMLError,
  spanOf: (range: Range) => SourceSpan,
  kind: DocumentKind,
): Diagnostic {
  const span = spanOf([error.pos[0], error.pos[1]]);
  const message = firstLine(error.message);
  const code: DiagnosticCode = error.name === 'YAMLWarning' ? 'YAML_WARNING' : 'YAML_SYNTAX';
  if (error.code === 'RESOURCE_EXHAUSTION') {
    return diagnosticAt(
      span,
      'NESTING_LIMIT',
      'collections nest too deep to parse',
      kind.nestingHelp,
    );
  }
  if (error.code === 'TAG_RESOLVE_FAILED' || error.code === 'BAD_COLLECTION_TYPE') {
    const tag = /!\S*/.exec(message)?.[0] ?? '!';
    return diagnosticAt(
      span,
      'YAML_TAG',
      `${tag} is read as a YAML tag, not as text`,
      `quote it to write a revoke modifier: "${tag}"`,
    );
  }
  return diagnosticAt(span, code, message);
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

function isBlank(range: readonly number[] | null | undefined): boolean {
  return range?.[0] === undefined || range[0] === range[1];
}

/** UTF-8 byte length without node:buffer, so the loader also runs in browsers. */
function utf8Length(text: string): number {
  if (text.length > MAX_FILE_BYTES) return text.length; // UTF-8 never has fewer bytes than code units
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}
