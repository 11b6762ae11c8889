// Loads a YAML policy test suite: YAML → JSON Schema (schema/rolecall-test.schema.json) →
// fixture references → ready-to-evaluate inputs, each problem a Diagnostic with its line.
import { Ajv, type ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import suiteSchema from '../../schema/rolecall-test.schema.json' with { type: 'json' };
import type {
  Diagnostic,
  GrantsDocument,
  Result,
  SourceSpan,
  SpecPath,
} from '../../compiler/types.js';
import type { CaseExpectation, SuiteCase, TestSuite } from './types.js';
import { loadGrants } from '../../compiler/load/index.js';
import { labelOf } from '../../compiler/validate/schema-check.js';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateSuiteSchema = ajv.compile(suiteSchema);

type Json = Record<string, unknown>;

interface RawCase {
  name: string;
  subject?: string | Json;
  action?: string;
  resource?: string | Json;
  changes?: string[];
  side?: 'client' | 'server';
  query?: { kind: 'users' | 'calls'; filter_conditions?: Json };
  input?: unknown;
  expect: CaseExpectation;
}

interface RawSuite {
  name?: string;
  grants?: string;
  fixtures?: { subjects?: Record<string, Json>; resources?: Record<string, Json> };
  cases: RawCase[];
}

export function loadTestSuite(file: string, text: string): Result<TestSuite> {
  // The grants loader is generic YAML with spans and limits; reuse it, reword its messages.
  const parsed = loadGrants(file, text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics.map(asSuiteDiagnostic) };
  const source = parsed.value;
  const span = (path: SpecPath, key = false): SourceSpan => spanNear(source, file, path, key);

  if (!validateSuiteSchema(source.spec)) {
    const diagnostics = schemaDiagnostics(validateSuiteSchema.errors ?? [], span);
    return { ok: false, diagnostics };
  }
  const raw = source.spec as unknown as RawSuite;
  const diagnostics: Diagnostic[] = [];
  const subjects = raw.fixtures?.subjects ?? {};
  const resources = raw.fixtures?.resources ?? {};
  const seenNames = new Map<string, number>();
  const cases: SuiteCase[] = [];

  raw.cases.forEach((rawCase, index) => {
    const at = ['cases', index];
    const error = (path: SpecPath, code: string, message: string, help?: string): void => {
      diagnostics.push({
        ...span(path),
        code,
        severity: 'error',
        message,
        ...(help === undefined ? {} : { help }),
      });
    };
    const previous = seenNames.get(rawCase.name);
    if (previous !== undefined) {
      error(
        [...at, 'name'],
        'DUPLICATE_CASE',
        `case name "${rawCase.name}" is used twice`,
        `first used by case ${previous + 1}; names identify cases in JUnit and diffs`,
      );
    }
    seenNames.set(rawCase.name, index);

    const resolveFixture = (
      kind: 'subject' | 'resource',
      table: Record<string, Json>,
    ): Json | undefined => {
      const ref = rawCase[kind];
      if (typeof ref !== 'string') return ref;
      const found = table[ref];
      if (found !== undefined) return found;
      const names = Object.keys(table);
      const suggestion = names.length > 0 ? closest(ref, names) : undefined;
      error(
        [...at, kind],
        'UNKNOWN_FIXTURE',
        `unknown ${kind} fixture "${ref}"`,
        suggestion !== undefined && distance(ref, suggestion) <= 3
          ? `did you mean "${suggestion}"?`
          : `declare it under fixtures.${kind}s`,
      );
      return undefined;
    };
    const subject = resolveFixture('subject', subjects);
    const resource = resolveFixture('resource', resources);
    // A missing fixture is already reported; building inputs would only repeat it.
    if (
      (typeof rawCase.subject === 'string' && subject === undefined) ||
      (typeof rawCase.resource === 'string' && resource === undefined)
    ) {
      return;
    }
    const built = buildInputs(rawCase, subject, resource);
    if (typeof built === 'string') {
      error(at, 'INVALID_CASE', `case "${rawCase.name}": ${built}`);
      return;
    }
    cases.push({
      name: rawCase.name,
      index,
      span: span([...at, 'name']),
      ...built,
      expect: rawCase.expect,
    });
  });

  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return {
    ok: true,
    diagnostics: [],
    value: {
      file,
      name: raw.name ?? file,
      ...(raw.grants === undefined ? {} : { grants: raw.grants }),
      cases,
    },
  };
}

type BuiltInputs = Pick<SuiteCase, 'decisionInput' | 'queryInput' | 'capabilitiesInput'>;

/** Turns one case into evaluator inputs, or explains why the combination of keys makes no sense. */
function buildInputs(
  rawCase: RawCase,
  subject: Json | undefined,
  resource: Json | undefined,
): BuiltInputs | string {
  const { expect } = rawCase;
  const context = rawCase.side === undefined ? {} : { context: { side: rawCase.side } };
  const wantsDecisionFields =
    expect.allow !== undefined || expect.reason !== undefined || expect.message !== undefined;
  const wantsQueryFields = expect.filter !== undefined || expect.injected !== undefined;

  if (rawCase.input !== undefined) {
    const extra = (['subject', 'action', 'resource', 'changes', 'side', 'query'] as const).filter(
      (key) => rawCase[key] !== undefined,
    );
    if (extra.length > 0) return `"input" is sent as is and excludes ${extra.join(', ')}`;
    if (wantsQueryFields || expect.capabilities !== undefined) {
      return 'a raw "input" case checks a decision: expect allow, reason or message';
    }
    return { decisionInput: rawCase.input };
  }
  if (subject === undefined) return 'needs a "subject"';

  if (rawCase.query !== undefined) {
    if (rawCase.action !== undefined || rawCase.resource !== undefined) {
      return 'a query case takes its action from query.kind and has no "action" or "resource"';
    }
    if (expect.capabilities !== undefined) return 'a query case has no capabilities';
    return {
      queryInput: {
        subject,
        action: rawCase.query.kind === 'users' ? 'QueryUsers' : 'QueryCalls',
        query: { filter_conditions: rawCase.query.filter_conditions ?? {} },
        ...context,
      },
    };
  }
  if (wantsQueryFields) return '"filter" and "injected" need a "query"';
  if (resource === undefined) return 'needs a "resource"';
  const inputs: BuiltInputs = {};
  if (rawCase.action !== undefined) {
    inputs.decisionInput = {
      subject,
      action: rawCase.action,
      resource,
      ...(rawCase.changes === undefined ? {} : { changes: rawCase.changes }),
      ...context,
    };
  } else if (wantsDecisionFields) {
    return 'needs an "action" to check allow, reason or message';
  }
  if (expect.capabilities !== undefined) {
    inputs.capabilitiesInput = { subject, resource, ...context };
  }
  if (inputs.decisionInput === undefined && inputs.capabilitiesInput === undefined) {
    return 'needs an "action" or "expect.capabilities"';
  }
  return inputs;
}

/** The span of a path, or of its nearest ancestor that exists in the YAML. */
function asSuiteDiagnostic(diagnostic: Diagnostic): Diagnostic {
  const reword = (text: string): string => text.replaceAll('grants file', 'test suite');
  return {
    ...diagnostic,
    message: reword(diagnostic.message),
    ...(diagnostic.help === undefined ? {} : { help: reword(diagnostic.help) }),
  };
}

function spanNear(source: GrantsDocument, file: string, path: SpecPath, key: boolean): SourceSpan {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const found = key && length === path.length ? source.locateKey(prefix) : source.locate(prefix);
    if (found !== undefined) return found;
  }
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Ajv reports every branch it tried; keep one message per place, skip the `if` wrappers of
 * fixture-or-inline references (the branch taken already explains), and name unknown keys.
 */
function schemaDiagnostics(
  errors: ErrorObject[],
  span: (path: SpecPath, key?: boolean) => SourceSpan,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const path = pathOf(error.instancePath);
    if (error.keyword === 'additionalProperties') {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = allowedKeys(error.parentSchema);
      const suggestion = allowed.length > 0 ? closest(key, allowed) : undefined;
      const id = `${error.instancePath}/${key}:unknown`;
      if (seen.has(id)) continue;
      seen.add(id);
      diagnostics.push({
        ...span([...path, key], true),
        code: 'UNKNOWN_KEY',
        severity: 'error',
        message: `unknown key "${key}" in ${path.length > 0 ? `"${labelOf(path)}"` : 'the top level'}`,
        help:
          suggestion !== undefined && distance(key, suggestion) <= 3
            ? `did you mean "${suggestion}"?`
            : `allowed keys: ${allowed.join(', ')}`,
      });
      continue;
    }
    const id = `${error.instancePath}:${error.keyword}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const where = path.length > 0 ? `"${labelOf(path)}"` : 'the suite';
    let message = `${where} ${error.message ?? 'is invalid'}`;
    if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      message = `${where} must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
    }
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      message = `${where} is missing required key "${missing}"`;
    }
    diagnostics.push({ ...span(path), code: 'SCHEMA', severity: 'error', message });
  }
  return diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
}

function allowedKeys(parentSchema: unknown): string[] {
  if (typeof parentSchema !== 'object' || parentSchema === null) return [];
  const properties = (parentSchema as { properties?: Record<string, unknown> }).properties;
  return properties === undefined ? [] : Object.keys(properties);
}
