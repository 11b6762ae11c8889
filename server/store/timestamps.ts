// Stored timestamps on the wire: PGlite and pg hand a `timestamptz` back as a Date (or as its
// text, depending on the driver's type parsers); the API answers ISO 8601 strings.

/** A stored timestamp as an ISO 8601 string; null stays null (a call not ended, not deleted). */
export function isoTimestamp(value: Date | string): string;
export function isoTimestamp(value: Date | string | null): string | null;
export function isoTimestamp(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
