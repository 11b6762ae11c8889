// First pass of validation: the published JSON Schema (schema/rolecall.schema.json) through ajv,
// each error mapped to a diagnostic at the exact key or value it is about.
import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../schema/rolecall.schema.json' with { type: 'json' };
import { diagnosticAt } from '../diagnostics/codes.js';
import type { Diagnostic, SpecPath } from '../types.js';
import type { Locator } from './locate.js';
import { didYouMean } from './suggest.js';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const validateSchema = ajv.compile(schema);

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  array: 'a list',
  object: 'a map',
  boolean: 'true or false',
  null: 'null',
  integer: 'an integer',
  number: 'a number',
};

export function checkSchema(spec: unknown, locator: Locator): Diagnostic[] {
  if (validateSchema(spec)) return [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of validateSchema.errors ?? []) {
    const diagnostic = diagnosticOf(error, spec, locator);
    if (diagnostic === undefined) continue;
    const identity = `${diagnostic.code}|${diagnostic.line}|${diagnostic.column}|${diagnostic.message}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

function diagnosticOf(error: ErrorObject, spec: unknown, locator: Locator): Diagnostic | undefined {
  const path = specPathOf(error.instancePath, spec);
  const label = labelOf(path);
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
    case 'propertyNames':
      return undefined; // the nested error (the pattern) says more
    case 'pattern': {
      const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
      const at =
        propertyName === undefined ? locator.value(path) : locator.key([...path, propertyName]);
      const value = propertyName ?? String(error.data);
      if (error.schemaPath.includes('/callKey/')) {
        return diagnosticAt(
          at,
          'INVALID_CALL_KEY',
          `call key "${value}" is not "<call_type>:<call_id>"`,
          'call types are lower-case names; call ids have 1 to 64 letters, digits, "_" or "-", e.g. "default:weekly-standup"',
        );
      }
      return diagnosticAt(
        at,
        'INVALID_NAME',
        `"${value}" is not a valid name`,
        'names start with a lower-case letter, then up to 63 lower-case letters, digits, "_" or "-"',
      );
    }
    case 'maxProperties': {
      const limit = Number(params['limit']);
      const data = error.data as Record<string, unknown>;
      const firstExtra = Object.keys(data)[limit];
      return diagnosticAt(
        firstExtra === undefined ? locator.key(path) : locator.key([...path, firstExtra]),
        'TOO_MANY_ROLES',
        `at most ${limit} custom roles are allowed, this is role ${limit + 1}`,
        'merge roles that hold the same grants; use call-level roles for per-call differences',
      );
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      return diagnosticAt(
        locator.head(path),
        'SCHEMA',
        `${label === '' ? 'the file' : `"${label}"`} is missing the required key "${missing}"`,
        missing === 'version' ? 'add "version: 1" at the top of the file' : undefined,
      );
    }
    case 'type': {
      const types = String(params['type']).split(',');
      const expected = types.map((type) => TYPE_NAMES[type] ?? type).join(' or ');
      return diagnosticAt(
        locator.value(path),
        'SCHEMA',
        `${subject(label)} must be ${expected}`,
        typeHelp(path, types),
      );
    }
    case 'const':
    case 'enum': {
      const allowed = (
        error.keyword === 'const'
          ? [params['allowedValue']]
          : (params['allowedValues'] as unknown[])
      ).map((value) => JSON.stringify(value));
      return diagnosticAt(
        locator.value(path),
        'SCHEMA',
        `${subject(label)} must be ${allowed.join(' or ')}`,
      );
    }
    case 'minLength':
      return diagnosticAt(locator.value(path), 'SCHEMA', `${subject(label)} must not be empty`);
    default:
      return diagnosticAt(
        locator.value(path),
        'SCHEMA',
        `${subject(label)} ${error.message ?? 'is invalid'}`,
      );
  }
}

function subject(label: string): string {
  return label === '' ? 'the file' : `"${label}"`;
}

function typeHelp(path: SpecPath, types: string[]): string | undefined {
  const last = path.at(-2);
  if (types.includes('array') && (last === 'grants' || path.at(-1) === 'grants')) {
    return "write the role's permissions as a list, e.g. [read-call, join-call]; [] clears them";
  }
  if (types.includes('object') && path.length === 2 && path[0] === 'roles') {
    return `a role needs only a name: write "${String(path[1])}: {}"`;
  }
  if (types.includes('object') && path.length === 0)
    return 'a grants file is a map that starts with "version: 1"';
  return undefined;
}

/** Keys a map schema declares, for did-you-mean on unknown keys. */
function knownKeys(parentSchema: unknown): string[] {
  if (parentSchema === null || typeof parentSchema !== 'object') return [];
  const properties = (parentSchema as { properties?: unknown }).properties;
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}

/** Decodes an ajv instancePath (a JSON pointer) into a spec path, numbers for list indexes. */
function specPathOf(pointer: string, spec: unknown): SpecPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: unknown = spec;
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
