// Walks a parsed YAML document once and records the source range of every node and map key by its
// path, so span lookups are O(path length) however large the file is; also finds the structural
// problems the yaml package does not report itself (duplicate and non-scalar keys).
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { SpecPath } from '../types.js';

/** [start, end) offsets into the source text. */
export type Range = readonly [number, number];

interface IndexEntry {
  value: Range | undefined;
  key: Range | undefined;
  /** The value is an alias: paths below it are located at the alias itself. */
  alias: boolean;
}

export interface StructureProblem {
  kind: 'duplicate-key' | 'complex-key' | 'alias-key' | 'undefined-alias';
  range: Range;
  key: string;
  /** For duplicates: where the first occurrence of the key is. */
  firstRange?: Range;
}

export interface SourceIndex {
  /** Range of the node at `path`, or of the alias the path runs through; undefined if absent. */
  valueRange: (path: SpecPath) => Range | undefined;
  /** Range of the map key at the end of `path` (the value's range for list items). */
  keyRange: (path: SpecPath) => Range | undefined;
  problems: StructureProblem[];
  firstAlias: Range | undefined;
}

/** Deeper than any valid grants file; keeps the walk's recursion bounded on hostile input. */
const MAX_INDEX_DEPTH = 64;

/** The key under which `toJS` stores a pair, so paths into the parsed value match the index. */
function jsKeyOf(pair: Pair): string | undefined {
  const key = pair.key;
  if (key === null) return '';
  if (isScalar(key)) {
    const value: unknown = key.value;
    if (value === null || value === undefined) return '';
    // Scalars hold strings, numbers, booleans or bigints, which toJS stringifies the same way.
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
      return String(value);
    }
    return undefined;
  }
  return undefined;
}

export function buildSourceIndex(root: Node | null): SourceIndex {
  const entries = new Map<string, IndexEntry>();
  const problems: StructureProblem[] = [];
  let firstAlias: Range | undefined;
  // Anchors seen so far in document order: an alias may only refer back to one of them.
  const anchors = new Set<string>();
  const walk = { truncated: false };
  const encode = (path: SpecPath): string => JSON.stringify(path.map(String));
  const rangeOf = (node: unknown): Range | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    const range = (node as { range?: readonly number[] | null }).range;
    return range?.[0] === undefined || range[1] === undefined ? undefined : [range[0], range[1]];
  };

  const visit = (node: unknown, path: (string | number)[], key: Range | undefined): void => {
    const alias = isAlias(node);
    entries.set(encode(path), { value: rangeOf(node), key, alias });
    if (isAlias(node)) {
      const range = rangeOf(node) ?? [0, 0];
      firstAlias ??= range;
      if (!anchors.has(node.source)) {
        problems.push({ kind: 'undefined-alias', range, key: node.source });
      }
      return;
    }
    const anchor = (node as { anchor?: unknown } | null)?.anchor;
    if (typeof anchor === 'string') anchors.add(anchor);
    if (path.length >= MAX_INDEX_DEPTH) {
      walk.truncated = true;
      return;
    }
    if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index], undefined);
      });
    } else if (isMap(node)) {
      const seen = new Map<string, Range | undefined>();
      for (const pair of node.items) {
        const keyRange = rangeOf(pair.key);
        const keyAnchor = (pair.key as { anchor?: unknown } | null)?.anchor;
        if (typeof keyAnchor === 'string') anchors.add(keyAnchor);
        const jsKey = jsKeyOf(pair);
        if (jsKey === undefined) {
          const range = keyRange ?? [0, 0];
          problems.push(
            isAlias(pair.key)
              ? { kind: 'alias-key', range, key: pair.key.source }
              : { kind: 'complex-key', range, key: '' },
          );
          continue;
        }
        if (seen.has(jsKey)) {
          const firstRange = seen.get(jsKey);
          problems.push({
            kind: 'duplicate-key',
            range: keyRange ?? rangeOf(pair.value) ?? [0, 0],
            key: jsKey,
            ...(firstRange === undefined ? {} : { firstRange }),
          });
          continue;
        }
        seen.set(jsKey, keyRange);
        visit(pair.value, [...path, jsKey], keyRange);
      }
    }
  };
  visit(root, [], undefined);
  // Anchors below the depth limit were not seen: leave unresolved aliases to toJS then.
  const reported = walk.truncated
    ? problems.filter((problem) => problem.kind !== 'undefined-alias')
    : problems;

  const find = (path: SpecPath): { entry: IndexEntry; exact: boolean } | undefined => {
    const exact = entries.get(encode(path));
    if (exact !== undefined) return { entry: exact, exact: true };
    // A path below an alias resolves to the alias: that is where the aliased data is used.
    for (let length = path.length - 1; length >= 0; length -= 1) {
      const ancestor = entries.get(encode(path.slice(0, length)));
      if (ancestor !== undefined)
        return ancestor.alias ? { entry: ancestor, exact: false } : undefined;
    }
    return undefined;
  };
  return {
    valueRange: (path) => {
      const entry = find(path)?.entry;
      // An omitted value (`user:`) has an empty range: point at its key instead.
      const value = entry?.value;
      return value !== undefined && value[1] > value[0] ? value : (entry?.key ?? value);
    },
    keyRange: (path) => {
      const found = find(path);
      if (found === undefined) return undefined;
      return found.exact ? (found.entry.key ?? found.entry.value) : found.entry.value;
    },
    problems: reported,
    firstAlias,
  };
}
