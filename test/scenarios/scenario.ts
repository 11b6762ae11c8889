// Loads the engine scenario files (test/scenarios/*.yaml): a grants spec plus decision and
// query_filter cases with their expected answers. `fixtures:` only holds YAML anchors.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { GrantsSpec } from '../../compiler/types.js';

export interface DecisionCase {
  name: string;
  input: unknown;
  expect: { allow: boolean; reason: string; message?: string; grants?: unknown[] };
}

export interface QueryFilterCase {
  name: string;
  input: unknown;
  expect: {
    allow: boolean;
    reason: string;
    message?: string;
    filter?: unknown;
    injected?: boolean;
  };
}

export interface Scenario {
  file: string;
  description: string;
  grants: GrantsSpec;
  decisions: DecisionCase[];
  query_filters: QueryFilterCase[];
}

export const scenarioDir = path.dirname(fileURLToPath(import.meta.url));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readCases<T extends DecisionCase | QueryFilterCase>(file: string, raw: unknown): T[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error(`${file}: cases must be a list`);
  return raw.map((item: unknown, index) => {
    if (!isRecord(item) || typeof item['name'] !== 'string' || !isRecord(item['expect'])) {
      throw new Error(`${file}: case ${String(index)} needs a name, an input and an expect`);
    }
    const expected = item['expect'];
    if (typeof expected['allow'] !== 'boolean' || typeof expected['reason'] !== 'string') {
      throw new Error(`${file}: case "${item['name']}" must expect allow and reason`);
    }
    return item as unknown as T;
  });
}

/** Parses one scenario file; throws with the file name on a malformed file. */
export function loadScenario(file: string): Scenario {
  const raw: unknown = parse(readFileSync(path.join(scenarioDir, file), 'utf8'), { merge: true });
  if (!isRecord(raw) || !isRecord(raw['grants']) || typeof raw['description'] !== 'string') {
    throw new Error(`${file}: a scenario needs a description and a grants spec`);
  }
  return {
    file,
    description: raw['description'],
    grants: raw['grants'] as unknown as GrantsSpec,
    decisions: readCases<DecisionCase>(file, raw['decisions']),
    query_filters: readCases<QueryFilterCase>(file, raw['query_filters']),
  };
}

/** Every scenario file, sorted by name. */
export function loadScenarios(): Scenario[] {
  return readdirSync(scenarioDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map(loadScenario);
}
