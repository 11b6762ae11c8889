// The matrix straight from a grants file's text (load → validate → resolve → build), for the CLI,
// the diff view and the tests; diagnostics come back as data like every other stage.
import { checkGrantsText } from '../../compiler/compile/check.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import type { Result } from '../../compiler/types.js';
import { buildMatrix, type MatrixModel } from './model.js';

export function buildMatrixFromText(file: string, text: string): Result<MatrixModel> {
  const checked = checkGrantsText(file, text);
  if (!checked.ok) return checked;
  const { document, spec } = checked.value;
  const policy = resolveGrants(spec, { locate: document.locate });
  const model = buildMatrix(policy, spec, { file, locateKey: document.locateKey });
  return { ok: true, value: model, diagnostics: checked.diagnostics };
}
