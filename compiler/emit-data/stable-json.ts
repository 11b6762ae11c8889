// Deterministic pretty JSON: object keys in code-unit order at every depth, arrays as given.
import { compareCodeUnits } from '../compare-code-units.js';

/** JSON text with sorted keys, two-space indentation and a trailing newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort(compareCodeUnits)) {
    sorted[key] = sortKeysDeep(record[key]);
  }
  return sorted;
}
