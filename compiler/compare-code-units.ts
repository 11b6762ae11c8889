// The one string order of every deterministic output: UTF-16 code units, as `Array#sort` and Rego
// compare, never the locale.

export function compareCodeUnits(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}
