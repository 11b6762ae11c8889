// The matrix straight from a grants file's text (load → validate → resolve → build), for the CLI,
// the diff view and the tests; diagnostics come back as data like every other stage.
import { loadGrants } from '../load/index.js';
import { resolveGrants } from '../resolve/index.js';
import type { Result } from '../types.js';
import { validateGrants } from '../validate/index.js';
import { buildMatrix, type MatrixModel } from './model.js';

export function buildMatrixFromText(file: string, text: string): Result<MatrixModel> {
  const loaded = loadGrants(file, text);
  if (!loaded.ok) return loaded;
  const validated = validateGrants(loaded.value);
  const diagnostics = [...loaded.diagnostics, ...validated.diagnostics];
  if (!validated.ok) return { ok: false, diagnostics };
  const policy = resolveGrants(validated.value, { locate: loaded.value.locate });
  const model = buildMatrix(policy, validated.value, { file, locateKey: loaded.value.locateKey });
  return { ok: true, value: model, diagnostics };
}
