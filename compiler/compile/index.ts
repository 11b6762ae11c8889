// The compile pipeline: load → validate → resolve → emit → pack. Pure apart from reading the
// shipped engine assets; writing the result is writeCompileOutput's job.
import { loadGrants } from '../load/index.js';
import type { Result } from '../types.js';
import { validateGrants } from '../validate/index.js';
import { compileSpec, type CompileOptions, type CompileOutput } from './spec.js';

export { BUNDLE_ARCHIVE, BUNDLE_DIR, emitOutputFiles } from './emit.js';
export { compileSpec, type CompileOptions, type CompileOutput } from './spec.js';
export { ROLECALL_VERSION } from './version.js';
export { OutputDirError, writeCompileOutput } from './write.js';

/** Compiles a grants file's text; diagnostics (warnings too) come back in either case. */
export async function compileGrants(
  source: { file: string; text: string },
  options: CompileOptions = {},
): Promise<Result<CompileOutput>> {
  const loaded = loadGrants(source.file, source.text);
  if (!loaded.ok) return loaded;
  const validated = validateGrants(loaded.value);
  const diagnostics = [...loaded.diagnostics, ...validated.diagnostics];
  if (!validated.ok) return { ok: false, diagnostics };
  const output = await compileSpec(validated.value, { ...options, locate: loaded.value.locate });
  return { ok: true, value: output, diagnostics };
}
