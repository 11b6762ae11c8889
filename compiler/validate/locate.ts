// Turns spec paths into spans for diagnostics; a path with no source (data from the API, or a
// missing key) falls back to its nearest located ancestor, then to the start of the file.
import type { GrantsDocument, SourceSpan, SpecPath } from '../types.js';

export interface Locator {
  /** Span of the value at `path`. */
  value: (path: SpecPath) => SourceSpan;
  /** Span of the map key at the end of `path` (the item itself for list items). */
  key: (path: SpecPath) => SourceSpan;
  /** Span of the first character of the node at `path`, for "something is missing here". */
  head: (path: SpecPath) => SourceSpan;
}

export function createLocator(document: GrantsDocument): Locator {
  const fileStart: SourceSpan = {
    file: document.file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
  };
  const nearest = (
    path: SpecPath,
    first: (path: SpecPath) => SourceSpan | undefined,
  ): SourceSpan => {
    const exact = first(path);
    if (exact !== undefined) return exact;
    for (let length = path.length - 1; length >= 0; length -= 1) {
      const ancestor = document.locateKey(path.slice(0, length));
      if (ancestor !== undefined) return ancestor;
    }
    return fileStart;
  };
  return {
    value: (path) => nearest(path, document.locate),
    key: (path) => nearest(path, document.locateKey),
    head: (path) => {
      const span = nearest(path, document.locateKey);
      return { ...span, endLine: span.line, endColumn: span.column + 1 };
    },
  };
}
