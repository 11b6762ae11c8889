// Reads what an evaluator needs out of a rolecall OPA bundle (bundle.tar.gz) or a data.json,
// with fflate and nanotar only, so it runs the same in Node and in the browser.
import { gunzipSync } from 'fflate';
import { parseTar } from 'nanotar';
import { BundleFormatError } from './errors.js';

/** data.json of a bundle: the resolved policy lives under `rolecall_data`. */
export interface PolicyDataDocument {
  rolecall_data: Record<string, unknown>;
}

/** What `setData` accepts: the data.json document or its text/bytes, or the bare resolved policy. */
export type PolicyDataSource = PolicyDataDocument | Record<string, unknown> | string | Uint8Array;

export interface BundleContents {
  wasm: Uint8Array;
  data: PolicyDataDocument;
}

/** Normalizes any accepted data source to the `{rolecall_data: …}` document the engine reads. */
export function toDataDocument(source: PolicyDataSource): PolicyDataDocument {
  let parsed: unknown = source;
  if (typeof source === 'string' || source instanceof Uint8Array) {
    const text = typeof source === 'string' ? source : new TextDecoder().decode(source);
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new BundleFormatError('policy data is not valid JSON', { cause: error });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BundleFormatError('policy data must be a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  const inner = record['rolecall_data'];
  if (inner !== undefined) {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
      throw new BundleFormatError('rolecall_data must be a JSON object');
    }
    return { rolecall_data: inner as Record<string, unknown> };
  }
  // A bare ResolvedPolicy (what the compiler's resolve stage returns) is wrapped.
  if (typeof record['revision'] === 'string') return { rolecall_data: record };
  throw new BundleFormatError('policy data has neither rolecall_data nor a revision');
}

/** The data revision the engine reports in decisions (empty when the data has none). */
export function dataRevision(document: PolicyDataDocument): string {
  const revision = document.rolecall_data['revision'];
  return typeof revision === 'string' ? revision : '';
}

function entryName(name: string): string {
  return name.replace(/^(\.?\/)+/, '');
}

/** Unpacks `policy.wasm` and `data.json` from bundle.tar.gz bytes. */
export function readBundle(bytes: Uint8Array | ArrayBuffer): BundleContents {
  let tarBytes: Uint8Array;
  try {
    tarBytes = gunzipSync(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  } catch (error) {
    throw new BundleFormatError('bundle is not a gzip archive', { cause: error });
  }
  let wasm: Uint8Array | undefined;
  let dataBytes: Uint8Array | undefined;
  try {
    for (const entry of parseTar(tarBytes)) {
      const name = entryName(entry.name);
      if (name === 'policy.wasm') wasm = entry.data;
      if (name === 'data.json') dataBytes = entry.data;
    }
  } catch (error) {
    throw new BundleFormatError('bundle is not a tar archive', { cause: error });
  }
  if (wasm === undefined) throw new BundleFormatError('bundle has no /policy.wasm');
  if (dataBytes === undefined) throw new BundleFormatError('bundle has no /data.json');
  return { wasm, data: toDataDocument(dataBytes) };
}
