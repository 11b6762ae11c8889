// The registry of every diagnostic code the front end emits, with its fixed severity, so codes
// stay stable, severities never drift between call sites, and the docs can be checked against it.
import { compareCodeUnits } from '../compare-code-units.js';
import type { Diagnostic, Severity, SourceSpan } from '../types.js';

export const DIAGNOSTIC_CODES = {
  FILE_TOO_LARGE: { severity: 'error', summary: 'the file is larger than 4 MiB' },
  EMPTY_FILE: { severity: 'error', summary: 'the file holds no YAML document' },
  YAML_SYNTAX: { severity: 'error', summary: 'the file is not valid YAML' },
  YAML_WARNING: { severity: 'warning', summary: 'the YAML parser warns about the file' },
  YAML_TAG: { severity: 'error', summary: 'a YAML tag such as an unquoted `!id`' },
  NESTING_LIMIT: { severity: 'error', summary: 'collections nested too deep to parse' },
  MULTIPLE_DOCUMENTS: { severity: 'error', summary: 'more than one YAML document' },
  DUPLICATE_KEY: { severity: 'error', summary: 'the same key twice in one map' },
  ALIAS_LIMIT: { severity: 'error', summary: 'YAML aliases expand past the limit' },
  SCHEMA: { severity: 'error', summary: 'a value of the wrong shape or type' },
  UNKNOWN_KEY: { severity: 'error', summary: 'a key the file format does not know' },
  INVALID_NAME: { severity: 'error', summary: 'a role, permission or call type name is malformed' },
  INVALID_CALL_KEY: { severity: 'error', summary: 'a `calls` key is not `<call_type>:<id>`' },
  TOO_MANY_ROLES: { severity: 'error', summary: 'more than 25 custom roles' },
  UNKNOWN_ROLE: { severity: 'error', summary: 'grants name a role that does not exist' },
  UNKNOWN_PERMISSION: {
    severity: 'error',
    summary: 'grants name a permission that does not exist',
  },
  UNKNOWN_CALL_TYPE: { severity: 'error', summary: 'a call key names an undeclared call type' },
  UNKNOWN_ACTION: { severity: 'error', summary: 'a custom permission names an unknown action' },
  ROLE_LEVEL_MISMATCH: { severity: 'error', summary: 'a call-level role in `app.grants`' },
  PERMISSION_LEVEL_MISMATCH: {
    severity: 'error',
    summary: 'a permission granted in a scope where it can never take effect',
  },
  MODIFIER_NOT_ALLOWED: { severity: 'error', summary: '`!id` outside call overrides' },
  CONFLICTING_MODIFIER: {
    severity: 'error',
    summary: 'one override list both grants and revokes a permission',
  },
  BUILTIN_REDEFINED: {
    severity: 'error',
    summary: 'a custom role or permission reuses a builtin name',
  },
  DUPLICATE_PERMISSION: { severity: 'error', summary: 'a custom permission id is declared twice' },
  DUPLICATE_GRANT: { severity: 'warning', summary: 'the same entry twice in one grants list' },
  EMPTY_OVERRIDE: { severity: 'warning', summary: 'an empty override list changes nothing' },
  ANONYMOUS_WRITE: {
    severity: 'warning',
    summary: 'a write permission granted to `anonymous`, which never writes',
  },
  OWNER_NEVER_HOLDS: {
    severity: 'warning',
    summary: 'an `owner` permission of an action that acts on nothing owned',
  },
  // Policy test suites (review/test-suite), read by the same front end.
  DUPLICATE_CASE: { severity: 'error', summary: 'two cases of a suite share a name' },
  UNKNOWN_FIXTURE: {
    severity: 'error',
    summary: 'a case names a fixture the suite does not declare',
  },
  INVALID_CASE: { severity: 'error', summary: 'a case whose keys cannot make one evaluation' },
  TEST_FAILED: { severity: 'error', summary: 'a case whose answer differs from its expectation' },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Builds a diagnostic whose severity comes from the registry. */
export function diagnosticAt(
  span: SourceSpan,
  code: DiagnosticCode,
  message: string,
  help?: string,
): Diagnostic {
  return {
    code,
    severity: DIAGNOSTIC_CODES[code].severity,
    message,
    file: span.file,
    line: span.line,
    column: span.column,
    endLine: span.endLine,
    endColumn: span.endColumn,
    ...(help === undefined ? {} : { help }),
  };
}

/** Orders diagnostics the way a reader scans a file: by file, position, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareCodeUnits(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      compareCodeUnits(a.code, b.code) ||
      compareCodeUnits(a.message, b.message),
  );
}
