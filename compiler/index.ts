// The `rolecall/compiler` entry point, a curated API for build tools (docs/compile.md): compile a
// grants file in one call or stage by stage, and render its diagnostics. Internals (the layering
// helpers, canonical JSON) stay inside; the review tools are `rolecall/review`.
export { loadGrants, type DocumentKind } from './load/index.js';
export { validateGrants } from './validate/index.js';
export { resolveGrants, type ResolveOptions } from './resolve/index.js';
export { emitData } from './emit-data/index.js';
export { emitManifest, type BundleManifest } from './emit-manifest/index.js';
export { emitTypes, type EmitTypesOptions, type TypesExtension } from './emit-types/index.js';
export {
  MissingAssetError,
  packBundle,
  readEngineAssets,
  type EngineAssets,
} from './pack/index.js';
export {
  BUNDLE_ARCHIVE,
  BUNDLE_DIR,
  compileGrants,
  compileSpec,
  emitOutputFiles,
  OutputDirError,
  ROLECALL_VERSION,
  writeCompileOutput,
  type CompileOptions,
  type CompileOutput,
} from './compile/index.js';
export { ENTRYPOINTS, type Entrypoint } from './assets.js';
export type * from './types.js';
export { DIAGNOSTIC_CODES, type DiagnosticCode } from './diagnostics/codes.js';
export {
  DIAGNOSTIC_FORMATS,
  renderDiagnostics,
  type DiagnosticFormat,
  type RenderOptions,
  type SourceTexts,
} from './diagnostics/index.js';
