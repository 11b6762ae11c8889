// The one string order of every deterministic output: UTF-16 code units, as `Array#sort` and Rego
// compare, never the locale.

export function compareCodeUnits(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}

/**
 * Code point order: how OPA (Go strings, UTF-8 bytes) sorts strings that came from an input,
 * which may hold characters beyond the BMP where code units and code points disagree.
 */
export function compareCodePoints(left: string, right: string): number {
  if (left === right) return 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const leftPoint = left.codePointAt(index) ?? 0;
    const rightPoint = right.codePointAt(index) ?? 0;
    if (leftPoint !== rightPoint) return leftPoint < rightPoint ? -1 : 1;
  }
  return left.length < right.length ? -1 : 1;
}
