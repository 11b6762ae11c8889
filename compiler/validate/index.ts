// Stage 2 of the compiler: checks a loaded grants file against the published JSON Schema, then
// against the rules of DESIGN §2, and hands back the spec typed as GrantsSpec when it holds.
import { sortDiagnostics } from '../diagnostics/codes.js';
import type { GrantsDocument, GrantsSpec, Result } from '../types.js';
import { createLocator } from './locate.js';
import { checkSchema } from './schema-check.js';
import { checkSemantics } from './semantic-check.js';

export function validateGrants(document: GrantsDocument): Result<GrantsSpec> {
  const locator = createLocator(document);
  // Semantic rules assume the schema's shapes, so they run only on a file the schema accepts.
  const schemaDiagnostics = checkSchema(document.spec, locator);
  if (schemaDiagnostics.length > 0) {
    return { ok: false, diagnostics: sortDiagnostics(schemaDiagnostics) };
  }
  const spec = document.spec as GrantsSpec;
  const diagnostics = sortDiagnostics(checkSemantics(spec, locator, document.source));
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    return { ok: false, diagnostics };
  }
  return { ok: true, value: spec, diagnostics };
}
