// The filter limits, and their cheap structural check on a client's filter before any decision:
// one walk with an explicit stack that stops at the first excess, so a 1 MB filter costs
// microseconds instead of a policy evaluation, a decision-log line and a translation.
// The SQL translator (filter-sql.ts) enforces the same numbers on the filter the policy returns.

/** What one client filter (`filter_conditions`) may hold. */
export const FILTER_LIMITS = {
  /** Levels of `$and`/`$or`/`$nor` below the top object (the top object is level 0). */
  depth: 8,
  /** Field conditions in all: `{id: 'a'}` is one, `{created_at: {$gt: x, $lt: y}}` two. */
  conditions: 200,
  /** Values of one list (`$in`, `$nin`, `teams: [...]`) and filters of one `$and`/`$or`/`$nor`. */
  listValues: 1000,
  /** Bytes of its JSON text (UTF-8): room for 1,000 UUIDs in one `$in`, with other conditions. */
  bytes: 64 * 1024,
} as const;

/**
 * Conditions the policy adds to a client's filter (the subject's team condition, set at the top
 * level): the translator allows that many more than a client may send.
 */
export const INJECTED_CONDITIONS = 1;

export type FilterLimitCode =
  'FILTER_TOO_DEEP' | 'FILTER_TOO_MANY_CONDITIONS' | 'FILTER_LIST_TOO_LONG' | 'FILTER_TOO_LARGE';

export type FilterBounds = { ok: true } | { ok: false; code: FilterLimitCode; message: string };

const LOGICAL = new Set(['$and', '$or', '$nor']);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_KEY_IN_PATH = 40;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `path.key`, or `path["odd key"]` with a long key shortened, so a message stays short. */
function keyPath(path: string, key: string): string {
  if (IDENTIFIER.test(key) && key.length <= MAX_KEY_IN_PATH) return `${path}.${key}`;
  const shown = key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key;
  return `${path}[${JSON.stringify(shown)}]`;
}

function listTooLong(path: string, list: readonly unknown[]): FilterBounds | undefined {
  if (list.length <= FILTER_LIMITS.listValues) return undefined;
  return {
    ok: false,
    code: 'FILTER_LIST_TOO_LONG',
    message: `${path} lists ${String(list.length)} values; at most ${String(FILTER_LIMITS.listValues)}`,
  };
}

/**
 * Depth, condition count and list lengths of a client's filter, then its size. Only structure is
 * checked: unknown fields and operators, and wrong value types, are left to the policy and the
 * translator, so their answers (and their precedence) do not change for filters within bounds.
 */
export function checkFilterBounds(filter: unknown, base = 'filter_conditions'): FilterBounds {
  if (!isPlainObject(filter)) return { ok: true };
  const stack: { node: Record<string, unknown>; depth: number; path: string }[] = [
    { node: filter, depth: 0, path: base },
  ];
  let conditions = 0;
  const countCondition = (path: string): FilterBounds | undefined => {
    conditions += 1;
    if (conditions <= FILTER_LIMITS.conditions) return undefined;
    return {
      ok: false,
      code: 'FILTER_TOO_MANY_CONDITIONS',
      message: `${base} has more than ${String(FILTER_LIMITS.conditions)} conditions (counted up to ${path})`,
    };
  };
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { node, depth, path } = entry;
    if (depth > FILTER_LIMITS.depth) {
      return {
        ok: false,
        code: 'FILTER_TOO_DEEP',
        message: `${path} nests $and/$or/$nor deeper than ${String(FILTER_LIMITS.depth)} levels`,
      };
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      const at = keyPath(path, key);
      if (LOGICAL.has(key)) {
        if (!Array.isArray(value)) continue;
        const problem = listTooLong(at, value);
        if (problem !== undefined) return problem;
        value.forEach((item: unknown, index) => {
          if (isPlainObject(item)) {
            stack.push({ node: item, depth: depth + 1, path: `${at}[${String(index)}]` });
          }
        });
      } else if (key.startsWith('$')) {
        continue;
      } else if (isPlainObject(value)) {
        for (const operator of Object.keys(value)) {
          const operatorPath = keyPath(at, operator);
          const problem =
            countCondition(operatorPath) ??
            (Array.isArray(value[operator])
              ? listTooLong(operatorPath, value[operator] as unknown[])
              : undefined);
          if (problem !== undefined) return problem;
        }
      } else {
        const problem =
          countCondition(at) ?? (Array.isArray(value) ? listTooLong(at, value) : undefined);
        if (problem !== undefined) return problem;
      }
    }
  }
  // Bounded by now (and by the body limit): at most a few hundred thousand scalars.
  const bytes = Buffer.byteLength(JSON.stringify(filter), 'utf8');
  if (bytes > FILTER_LIMITS.bytes) {
    return {
      ok: false,
      code: 'FILTER_TOO_LARGE',
      message: `${base} is ${String(bytes)} bytes of JSON; at most ${String(FILTER_LIMITS.bytes)}`,
    };
  }
  return { ok: true };
}
