// First pass of validation: the published JSON Schema (schema/rolecall.schema.json) through ajv,
// its errors mapped by the shared schema-errors.ts plus what only a grants file has.
import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../schema/rolecall.schema.json' with { type: 'json' };
import { diagnosticAt } from '../diagnostics/codes.js';
import type { Diagnostic, SpecPath } from '../types.js';
import type { Locator } from './locate.js';
import { schemaDiagnostics } from './schema-errors.js';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const validateSchema = ajv.compile(schema);

export function checkSchema(spec: unknown, locator: Locator): Diagnostic[] {
  if (validateSchema(spec)) return [];
  return schemaDiagnostics(validateSchema.errors ?? [], spec, locator, {
    documentName: 'the file',
    special: grantsDiagnostic,
    typeHelp,
  });
}

/** What only a grants file has: name and call-key patterns, the custom-role limit, `version`. */
function grantsDiagnostic(
  error: ErrorObject,
  path: SpecPath,
  locator: Locator,
): Diagnostic | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
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
        'names start with a lower-case letter, then up to 63 lower-case letters, digits, "_" or "-"; "constructor" is taken by JavaScript',
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
      if (params['missingProperty'] !== 'version' || path.length > 0) return undefined;
      return diagnosticAt(
        locator.head(path),
        'SCHEMA',
        'the file is missing the required key "version"',
        'add "version: 1" at the top of the file',
      );
    }
    default:
      return undefined;
  }
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

export { labelOf } from './schema-errors.js';
