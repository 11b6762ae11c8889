// Where a piece of text sits in a source, computed from the text alone, so tests can check the
// spans the compiler reports without trusting the compiler's own position code.

/** 1-based line and column span of the n-th occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, occurrence = 0) {
  let offset = -1;
  for (let seen = 0; seen <= occurrence; seen += 1) {
    offset = text.indexOf(needle, offset + 1);
    if (offset === -1) throw new Error(`"${needle}" not found`);
  }
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return { line, column, endLine: line, endColumn: column + needle.length };
}
