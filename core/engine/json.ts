// Small predicates on JSON values for the JS engine; the same meaning as the Rego helpers in
// policies/engine/common.rego (a missing field reads as null, never as an error).

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `record[key]` as JSON sees it, and so WASM and OPA, which are sent JSON.stringify's text: an own
 * enumerable property only. A value inherited from a polluted Object.prototype (`call_role`,
 * `teams` …) or defined non-enumerable is absent, so the JS engine decides exactly the input
 * the other engines decide.
 */
export function ownField(record: JsonObject, key: string): unknown {
  const value = record[key];
  return value !== undefined && Object.prototype.propertyIsEnumerable.call(record, key)
    ? value
    : undefined;
}

/** Whether Object.prototype has enumerable properties, which every `for…in` and read would see. */
export function hasEnumerablePrototypeKeys(): boolean {
  for (const _key in Object.prototype) return true;
  return false;
}

/** Levels jsonView copies: more than the deepest field a decision reads (4 levels down). */
const VIEW_DEPTH = 8;

/**
 * `value` as JSON.stringify sees it, for reading on a runtime whose Object.prototype is polluted
 * (how pollution happens: `obj.__proto__.role = …` from merged JSON): own enumerable properties
 * copied onto null-prototype objects, so a plain read finds nothing inherited. Decisions read
 * inputs with plain property loads (an own-property check per read cost about a third of a
 * decision) and pay for this copy only on such a runtime. Values deeper than VIEW_DEPTH are kept
 * as they are (no decision reads them; a cyclic input ends there).
 */
export function jsonView(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth >= VIEW_DEPTH) return value;
  if (Array.isArray(value)) {
    return Array.from(value as unknown[], (item) => jsonView(item, depth + 1));
  }
  const copy: JsonObject = Object.create(null) as JsonObject;
  for (const key of Object.keys(value)) {
    copy[key] = jsonView((value as JsonObject)[key], depth + 1);
  }
  return copy;
}

/**
 * The value of an optional field: null when the field is absent or the container no object. An
 * own-property read, so a polluted Object.prototype adds nothing (for the problem list and query
 * filters; decisions read plain fields, through jsonView on a polluted runtime).
 */
export function field(container: unknown, key: string): unknown {
  if (!isObject(container) || !Object.hasOwn(container, key)) return null;
  return container[key] ?? null;
}

/** An own property of a record read from data (never one of Object.prototype's names). */
export function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function isStringOrNull(value: unknown): boolean {
  return typeof value === 'string' || value === null;
}

export function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value as unknown[]) if (typeof item !== 'string') return false;
  return true;
}

export function isStringArrayOrNull(value: unknown): boolean {
  return value === null || isStringArray(value);
}

/** A list of modifiers (non-empty ids, `!` revokes) in which no id is both granted and revoked. */
export function isModifierList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  let revokes = false;
  for (const item of value as unknown[]) {
    if (typeof item !== 'string' || item === '' || item === '!') return false;
    if (item.startsWith('!')) revokes = true;
  }
  if (!revokes) return true;
  const modifiers = value as string[];
  // A Set only for long lists: a hostile list must not cost quadratic time.
  const listed = modifiers.length > 16 ? new Set(modifiers) : undefined;
  for (const item of modifiers) {
    if (!item.startsWith('!')) continue;
    const id = item.slice(1);
    if (listed === undefined ? modifiers.includes(id) : listed.has(id)) return false;
  }
  return true;
}

/** role → modifier list, or null (no modifiers). */
export function isGrantsModifiersOrNull(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value)) return false;
  // for…in also visits keys a polluted Object.prototype adds: only an own one can fail the check.
  for (const role in value) {
    if (!isModifierList(value[role]) && Object.hasOwn(value, role)) return false;
  }
  return true;
}
