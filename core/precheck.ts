// The TypeScript pre-check every evaluator runs before the engine (DESIGN §4): opa-wasm treats
// null/false/0/"" as "no input" and throws on lone surrogates, and Go's JSON silently rewrites
// them, so such inputs never reach an engine; the SDK answers INVALID_INPUT itself, in exactly
// the shape and words the engine uses for an input that is not an object.
import type { Decision, Entrypoint, EntrypointResults, QueryFilterResult } from './contract.js';
import { hasEnumerablePrototypeKeys } from './engine/json.js';

/** Bounds on an input, so a hostile or cyclic value cannot exhaust memory or the stack. */
export const INPUT_LIMITS = {
  /** Nesting of objects and arrays (a filter with `$and` inside `$or` … counts each level). */
  maxDepth: 64,
  /** Values of any kind (objects, arrays, strings, numbers …) in one input. */
  maxValues: 100_000,
  /** UTF-16 code units over all strings and keys of one input. */
  maxStringUnits: 4 * 1024 * 1024,
} as const;

/** The engine's message for an input that is not an object (policies/engine, INVALID_INPUT). */
const INVALID_INPUT_MESSAGE = 'invalid input: input must be an object';

/** Whether `text` is well-formed UTF-16 (no lone surrogate); a regex where the runtime lacks it. */
export const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => (text as unknown as { isWellFormed: () => boolean }).isWellFormed()
    : (text) =>
        !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Returns why the input cannot be handed to an engine, or undefined when it can. Accepted:
 * a plain object of JSON values (plain objects, arrays, finite numbers, booleans, null and
 * well-formed strings); an `undefined` property is skipped like JSON.stringify skips it.
 */
export function findInputProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'input is not an object';
  }
  if (hasSerializationHook()) {
    return 'a built-in prototype has a toJSON: JSON.stringify would not send this input';
  }
  try {
    return walkValue(input, 1, {
      values: 0,
      stringUnits: 0,
      inheritedKeys: hasEnumerablePrototypeKeys(),
    });
  } catch (error) {
    // A getter or a Proxy trap that throws: the input cannot be read, so it is no input.
    return `input cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * WASM and OPA are sent JSON.stringify's text of the input, and JSON.stringify calls any `toJSON`
 * on an object's or array's prototype chain (never on a primitive's): one on a built-in prototype
 * (a polluted runtime) would make them decide another input than the one checked here. Arrays
 * inherit from Object.prototype, so one lookup covers both.
 */
function hasSerializationHook(): boolean {
  return 'toJSON' in Array.prototype;
}

interface WalkCounts {
  values: number;
  stringUnits: number;
  /**
   * Whether `for…in` also visits inherited keys (a polluted Object.prototype); then each key is
   * checked to be own. `for…in` is used over Object.keys because it visits the own keys in the
   * same order without allocating a key array, and reads each value through V8's enum cache.
   */
  inheritedKeys: boolean;
}

/**
 * Depth-first check of one value. Recursion is safe: it stops at maxDepth (so a cyclic input
 * ends there too), and it allocates nothing per value, which keeps the pre-check cheap.
 */
function walkValue(value: unknown, depth: number, counts: WalkCounts): string | undefined {
  counts.values += 1;
  if (counts.values > INPUT_LIMITS.maxValues) return 'input has too many values';
  switch (typeof value) {
    case 'string':
      return checkString(value, counts, 'string');
    case 'number':
      return Number.isFinite(value) ? undefined : 'input has a number that is not finite';
    case 'boolean':
      return undefined;
    case 'object':
      break;
    default:
      return `input has a ${typeof value} value`;
  }
  if (value === null) return undefined;
  if (depth > INPUT_LIMITS.maxDepth) return 'input is nested too deeply';
  if (Array.isArray(value)) {
    const elements = value as unknown[];
    for (let index = 0; index < elements.length; index += 1) {
      const problem = walkValue(elements[index], depth + 1, counts);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return 'input has an object that is not a plain object';
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (counts.inheritedKeys && !Object.hasOwn(record, key)) continue;
    const keyProblem = checkString(key, counts, 'key');
    if (keyProblem !== undefined) return keyProblem;
    const property = record[key];
    if (property === undefined) continue;
    const problem = walkValue(property, depth + 1, counts);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkString(text: string, counts: WalkCounts, what: 'string' | 'key') {
  counts.stringUnits += text.length;
  if (counts.stringUnits > INPUT_LIMITS.maxStringUnits) return 'input strings are too long';
  return isWellFormed(text) ? undefined : `input has a ${what} with a lone surrogate`;
}

/** The decision the engine gives for an input that is not an object. */
export function invalidDecision(revision: string): Decision {
  return {
    allow: false,
    reason: 'INVALID_INPUT',
    message: INVALID_INPUT_MESSAGE,
    revision,
    grants: [],
  };
}

/** The query_filter result the engine gives for an input that is not an object. */
export function invalidQueryFilter(): QueryFilterResult {
  return {
    allow: false,
    reason: 'INVALID_INPUT',
    filter: null,
    injected: false,
    message: INVALID_INPUT_MESSAGE,
  };
}

const INVALID_INPUT_RESULTS: {
  [K in Exclude<Entrypoint, 'rolecall/batch'>]: (revision: string) => EntrypointResults[K];
} = {
  'rolecall/allow': () => false,
  'rolecall/decision': (revision) => invalidDecision(revision),
  'rolecall/capabilities': () => [],
  'rolecall/query_filter': () => invalidQueryFilter(),
};

/** The engine's answer at `entrypoint` for an input that is not an object. */
export function invalidInputResult<E extends Exclude<Entrypoint, 'rolecall/batch'>>(
  entrypoint: E,
  revision: string,
): EntrypointResults[E] {
  return INVALID_INPUT_RESULTS[entrypoint](revision);
}
