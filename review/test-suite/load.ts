// Loads a YAML policy test suite: YAML → JSON Schema (schema/rolecall-test.schema.json) →
// fixture references → ready-to-evaluate inputs, each problem a Diagnostic with its line.
import { Ajv } from 'ajv';
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
import { own } from '../../core/engine/json.js';
import { diagnosticAt, type DiagnosticCode } from '../../compiler/diagnostics/codes.js';
import { loadGrants, type DocumentKind } from '../../compiler/load/index.js';
import { createLocator } from '../../compiler/validate/locate.js';
import { schemaDiagnostics } from '../../compiler/validate/schema-errors.js';

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

/** How the YAML loader names a suite and advises on whole-file problems. */
const TEST_SUITE: DocumentKind = {
  name: 'test suite',
  tooLargeHelp: 'split the cases into several suite files (rolecall test takes a folder)',
  multipleDocumentsHelp:
    'remove the "---" separator, or put each document in a suite file of its own',
  emptyHelp: 'start with "cases:"; see docs/gitops.md',
  nestingHelp: 'write deep inputs as fixtures; a suite nests only a few levels',
  wellFormedText: false,
};

export function loadTestSuite(file: string, text: string): Result<TestSuite> {
  const parsed = loadGrants(file, text, TEST_SUITE);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const source = parsed.value;
  const span = (path: SpecPath, key = false): SourceSpan => spanNear(source, file, path, key);

  if (!validateSuiteSchema(source.spec)) {
    const diagnostics = schemaDiagnostics(
      validateSuiteSchema.errors ?? [],
      source.spec,
      createLocator(source),
      { documentName: 'the suite' },
    );
    return {
      ok: false,
      diagnostics: diagnostics.sort((a, b) => a.line - b.line || a.column - b.column),
    };
  }
  const raw = source.spec as unknown as RawSuite;
  const diagnostics: Diagnostic[] = [];
  const subjects = raw.fixtures?.subjects ?? {};
  const resources = raw.fixtures?.resources ?? {};
  const seenNames = new Map<string, number>();
  const cases: SuiteCase[] = [];

  raw.cases.forEach((rawCase, index) => {
    const at = ['cases', index];
    const error = (path: SpecPath, code: DiagnosticCode, message: string, help?: string) => {
      diagnostics.push(diagnosticAt(span(path), code, message, help));
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
      // Fixture names are the suite's own (`toString` is one): own properties only.
      const found = own(table, ref);
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
function spanNear(source: GrantsDocument, file: string, path: SpecPath, key: boolean): SourceSpan {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const found = key && length === path.length ? source.locateKey(prefix) : source.locate(prefix);
    if (found !== undefined) return found;
  }
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}
