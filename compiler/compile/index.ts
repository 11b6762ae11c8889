// The compile pipeline: load → validate → resolve → emit → pack. Pure apart from reading the
// shipped engine assets; writing the result is writeCompileOutput's job.
import type { Result } from '../types.js';
import { checkGrantsText } from './check.js';
import { compileSpec, type CompileOptions, type CompileOutput } from './spec.js';

export { checkGrantsText, type CheckedGrants } from './check.js';
export {
  BUNDLE_ARCHIVE,
  BUNDLE_DIR,
  bundleFiles,
  emitOutputFiles,
  packPolicyBundle,
  TYPES_LANGUAGES,
  type TypesLanguage,
} from './emit.js';
export { compileSpec, type CompileOptions, type CompileOutput } from './spec.js';
export { ROLECALL_VERSION } from './version.js';
export { OutputDirError, writeCompileOutput } from './write.js';

/** Compiles a grants file's text; diagnostics (warnings too) come back in either case. */
export async function compileGrants(
  source: { file: string; text: string },
  options: CompileOptions = {},
): Promise<Result<CompileOutput>> {
  const checked = checkGrantsText(source.file, source.text);
  if (!checked.ok) return checked;
  const { document, spec } = checked.value;
  const output = await compileSpec(spec, { ...options, locate: document.locate });
  return { ok: true, value: output, diagnostics: checked.diagnostics };
}
