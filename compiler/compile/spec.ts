// The back half of the compile pipeline (resolve → emit → pack) for an already validated spec;
// the server and the benchmark enter here too.
import { readEngineAssets, type EngineAssets } from '../pack/index.js';
import { resolveGrants } from '../resolve/index.js';
import type { EmittedFile, GrantsSpec, ResolvedPolicy, SpanLocator } from '../types.js';
import { emitOutputFiles, type TypesLanguage } from './emit.js';

export interface CompileOutput {
  policy: ResolvedPolicy;
  /** Paths relative to the output folder: bundle.tar.gz, bundle/…, rolecall.gen.ts (or .js/.d.ts). */
  files: EmittedFile[];
}

export interface CompileOptions {
  /** Engine Rego and policy.wasm; read from the package when absent. */
  assets?: EngineAssets;
  /** `ts` (default): rolecall.gen.ts; `js`: rolecall.gen.js and rolecall.gen.d.ts. */
  types?: TypesLanguage;
}

/** Resolves, emits and packs an already validated spec. */
export async function compileSpec(
  spec: GrantsSpec,
  options: CompileOptions & { locate?: SpanLocator } = {},
): Promise<CompileOutput> {
  const policy = resolveGrants(
    spec,
    options.locate === undefined ? {} : { locate: options.locate },
  );
  const assets = options.assets ?? (await readEngineAssets());
  return { policy, files: await emitOutputFiles(policy, assets, options.types) };
}
