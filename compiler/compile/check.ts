// The front half of the compile pipeline (load → validate) on a grants file's text, with every
// diagnostic of both stages, warnings included; compile, check and the matrix all start here.
import { loadGrants } from '../load/index.js';
import type { GrantsDocument, GrantsSpec, Result } from '../types.js';
import { validateGrants } from '../validate/index.js';

export interface CheckedGrants {
  /** The loaded file, for its span locators. */
  document: GrantsDocument;
  spec: GrantsSpec;
}

export function checkGrantsText(file: string, text: string): Result<CheckedGrants> {
  const loaded = loadGrants(file, text);
  if (!loaded.ok) return loaded;
  const validated = validateGrants(loaded.value);
  const diagnostics = [...loaded.diagnostics, ...validated.diagnostics];
  if (!validated.ok) return { ok: false, diagnostics };
  return { ok: true, value: { document: loaded.value, spec: validated.value }, diagnostics };
}
