// The toolkit the server runs with: the compiler's own front half (as `rolecall check`), resolve
// and bundle assembly (as `rolecall compile`), and the SDK's JsEvaluator (or WasmEvaluator), so API-side grants resolve exactly like
// `rolecall compile`.
import { checkGrantsText } from '../../compiler/compile/check.js';
import { packPolicyBundle } from '../../compiler/compile/index.js';
import { buildDataDocument } from '../../core/data-document.js';
import { readEngineAssets, type EngineAssets } from '../../compiler/pack/index.js';
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
      // The compiler's own front half, so a --config file is read exactly as `rolecall check`.
      const checked = checkGrantsText(file, text);
      if (!checked.ok) return { ok: false, diagnostics: checked.diagnostics };
      return { ok: true, spec: checked.value.spec, diagnostics: checked.diagnostics };
    },
    validateSpec(spec) {
      return validateGrants(apiDocument(spec)).diagnostics;
    },
    resolve: (spec) => resolveGrants(spec),
    dataDocument: (policy: ResolvedPolicy) =>
      buildDataDocument(policy) as unknown as Record<string, unknown>,
    packBundle: (policy) => packPolicyBundle(policy, assets),
    createEvaluator: async (data) =>
      engine === 'wasm'
        ? await WasmEvaluator.fromWasm(assets.wasm, data)
        : JsEvaluator.fromData(data),
  };
}
