// The `rolecall/compiler` entry point: every compiler stage, for build tools and the server.
export { loadGrants } from './load/index.js';
export { validateGrants } from './validate/index.js';
export {
  applyModifiers,
  defaultScopeGrants,
  modifierPermission,
  normalizeGrants,
  normalizeModifiers,
  patchScope,
  resolveGrants,
  revisionOf,
  type ResolveOptions,
} from './resolve/index.js';
export { emitData, stableJson } from './emit-data/index.js';
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
export {
  DIAGNOSTIC_FORMATS,
  renderDiagnostics,
  type DiagnosticFormat,
  type RenderOptions,
  type SourceTexts,
} from './diagnostics/index.js';
