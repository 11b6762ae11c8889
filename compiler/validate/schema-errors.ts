// One mapping from JSON Schema (ajv) errors to diagnostics, for every YAML document rolecall
// reads: grants files and policy test suites. Each error points at the exact key or value it is
// about, unknown keys get a "did you mean", and ajv's repeats are dropped. A document adds only
// what is its own (grants: name patterns, the custom-role limit) through `special`.
import type { ErrorObject } from 'ajv';
import { diagnosticAt } from '../diagnostics/codes.js';
import type { Diagnostic, SpecPath } from '../types.js';
import type { Locator } from './locate.js';
import { didYouMean } from './suggest.js';

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  array: 'a list',
  object: 'a map',
  boolean: 'true or false',
  null: 'null',
  integer: 'an integer',
  number: 'a number',
};

export interface SchemaErrorOptions {
  /** How messages name the top level: `the file`, `the suite`. */
  documentName: string;
  /**
   * The document's own mapping of an error: a diagnostic, `null` to drop the error (another one
   * says more), or undefined for the shared mapping.
   */
  special?: (error: ErrorObject, path: SpecPath, locator: Locator) => Diagnostic | null | undefined;
  /** A hint for a value of the wrong type at `path`. */
  typeHelp?: (path: SpecPath, types: string[]) => string | undefined;
}

/** Diagnostics for ajv's errors on `document`, one per place and problem, in ajv's order. */
export function schemaDiagnostics(
  errors: readonly ErrorObject[],
  document: unknown,
  locator: Locator,
  options: SchemaErrorOptions,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = specPathOf(error.instancePath, document);
    const special = options.special?.(error, path, locator);
    const diagnostic =
      special === undefined ? sharedDiagnostic(error, path, locator, options) : special;
    if (diagnostic === null) continue;
    const identity = `${diagnostic.code}|${diagnostic.line}|${diagnostic.column}|${diagnostic.message}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

function sharedDiagnostic(
  error: ErrorObject,
  path: SpecPath,
  locator: Locator,
  options: SchemaErrorOptions,
): Diagnostic | null {
  const label = labelOf(path);
  const subject = label === '' ? options.documentName : `"${label}"`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = knownKeys(error.parentSchema);
      return diagnosticAt(
        locator.key([...path, key]),
        'UNKNOWN_KEY',
        `unknown key "${key}" in ${label === '' ? 'the top level' : `"${label}"`}`,
        didYouMean(key, known) ??
          (known.length > 0 ? `allowed keys: ${known.join(', ')}` : undefined),
      );
    }
    case 'if':
    case 'propertyNames':
      return null; // the nested error (the branch taken, the pattern) says more
    case 'required':
      return diagnosticAt(
        locator.head(path),
        'SCHEMA',
        `${subject} is missing the required key "${String(params['missingProperty'])}"`,
      );
    case 'type': {
      const types = String(params['type']).split(',');
      const expected = types.map((type) => TYPE_NAMES[type] ?? type).join(' or ');
      return diagnosticAt(
        locator.value(path),
        'SCHEMA',
        `${subject} must be ${expected}`,
        options.typeHelp?.(path, types),
      );
    }
    case 'const':
    case 'enum': {
      const allowed = (
        error.keyword === 'const'
          ? [params['allowedValue']]
          : (params['allowedValues'] as unknown[])
      ).map((value) => JSON.stringify(value));
      const which = allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`;
      return diagnosticAt(locator.value(path), 'SCHEMA', `${subject} must be ${String(which)}`);
    }
    case 'minLength':
      return diagnosticAt(locator.value(path), 'SCHEMA', `${subject} must not be empty`);
    default:
      return diagnosticAt(
        locator.value(path),
        'SCHEMA',
        `${subject} ${error.message ?? 'is invalid'}`,
      );
  }
}

/** Keys a map schema declares, for did-you-mean on unknown keys. */
function knownKeys(parentSchema: unknown): string[] {
  if (parentSchema === null || typeof parentSchema !== 'object') return [];
  const properties = (parentSchema as { properties?: unknown }).properties;
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}

/** Decodes an ajv instancePath (a JSON pointer) into a spec path, numbers for list indexes. */
function specPathOf(pointer: string, document: unknown): SpecPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node =
        node !== null && typeof node === 'object' && Object.hasOwn(node, segment)
          ? (node as Record<string, unknown>)[segment]
          : undefined;
    }
  }
  return path;
}

/** `call_types.default.grants.user[2]`: the path as a reader of the YAML would write it. */
export function labelOf(path: SpecPath): string {
  let label = '';
  for (const step of path) {
    if (typeof step === 'number') label += `[${step}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(step)) label += label === '' ? step : `.${step}`;
    else label += `[${JSON.stringify(step)}]`;
  }
  return label;
}
