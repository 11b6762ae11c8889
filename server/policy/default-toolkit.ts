// The toolkit the server runs with: the compiler's own load, validate, resolve, emit and pack
// stages, and the SDK's JsEvaluator (or WasmEvaluator), so API-side grants resolve exactly like
// `rolecall compile`.
import { ROLECALL_VERSION } from '../../compiler/compile/index.js';
import { buildDataDocument } from '../../core/data-document.js';
import { emitData } from '../../compiler/emit-data/index.js';
import { emitManifest } from '../../compiler/emit-manifest/index.js';
import { loadGrants } from '../../compiler/load/index.js';
import { packBundle, readEngineAssets, type EngineAssets } from '../../compiler/pack/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import type { GrantsDocument, GrantsSpec, ResolvedPolicy } from '../../compiler/types.js';
import { validateGrants } from '../../compiler/validate/index.js';
import { JsEvaluator } from '../../sdk/js-evaluator.js';
import { WasmEvaluator } from '../../sdk/wasm-evaluator.js';
import type { PolicyToolkit } from './toolkit.js';

/** A spec that came through the API has no file and no positions. */
function apiDocument(spec: GrantsSpec): GrantsDocument {
  return { file: '<api>', source: '', spec, locate: () => undefined, locateKey: () => undefined };
}

/** The local engine the server decides with: the JS engine (default) or the bundle's WASM. */
export type ServerEngine = 'js' | 'wasm';

export async function createDefaultToolkit(engine: ServerEngine = 'js'): Promise<PolicyToolkit> {
  const assets: EngineAssets = await readEngineAssets();
  return {
    loadFile(file, text) {
      const loaded = loadGrants(file, text);
      if (!loaded.ok) return { ok: false, diagnostics: loaded.diagnostics };
      const validated = validateGrants(loaded.value);
      if (!validated.ok) return { ok: false, diagnostics: validated.diagnostics };
      return { ok: true, spec: validated.value };
    },
    validateSpec(spec) {
      return validateGrants(apiDocument(spec)).diagnostics;
    },
    resolve: (spec) => resolveGrants(spec),
    dataDocument: (policy: ResolvedPolicy) =>
      buildDataDocument(policy) as unknown as Record<string, unknown>,
    packBundle: (policy) =>
      packBundle([
        emitManifest(policy, ROLECALL_VERSION),
        emitData(policy),
        { path: 'policy.wasm', contents: assets.wasm },
        ...assets.rego,
      ]),
    createEvaluator: async (data) =>
      engine === 'wasm'
        ? await WasmEvaluator.fromWasm(assets.wasm, data)
        : JsEvaluator.fromData(data),
  };
}
