// Reads what an evaluator needs out of a rolecall OPA bundle (bundle.tar.gz) or a data.json,
// with fflate and nanotar only, so it runs the same in Node and in the browser.
import { gunzipSync } from 'fflate';
import { parseTar } from 'nanotar';
import {
  buildDataDocument,
  type PolicyDataDocument as BuiltDataDocument,
} from '../core/data-document.js';
import type { ResolvedPolicy } from '../core/policy.js';
import { BundleFormatError } from './errors.js';

/** data.json of a bundle: the resolved policy lives under `rolecall_data`. */
export interface PolicyDataDocument {
  rolecall_data: Record<string, unknown>;
}

/** What `setData` accepts: the data.json document or its text/bytes, or the bare resolved policy. */
export type PolicyDataSource =
  PolicyDataDocument | BuiltDataDocument | Record<string, unknown> | string | Uint8Array;

export interface BundleContents {
  wasm: Uint8Array;
  data: PolicyDataDocument;
}

/**
 * A resolved policy without the derived parts (a bare `resolveGrants` result, or data.json of an
 * older compile) gets them from the core's builder, the one `compile` uses; a document that has
 * them is taken as it is.
 */
function withDerivedParts(policy: Record<string, unknown>): PolicyDataDocument {
  const isRecord = (value: unknown) => typeof value === 'object' && value !== null;
  const derivable =
    !isRecord(policy['decision_tables']) &&
    ['permissions', 'actions', 'app_grants', 'call_types', 'call_overrides', 'sources'].every(
      (key) => isRecord(policy[key]),
    );
  if (!derivable) return { rolecall_data: policy };
  return buildDataDocument(policy as unknown as ResolvedPolicy) as unknown as PolicyDataDocument;
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
    return withDerivedParts(inner as Record<string, unknown>);
  }
  // A bare ResolvedPolicy (what the compiler's resolve stage returns) is wrapped.
  if (typeof record['revision'] === 'string') return withDerivedParts(record);
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

/** The files of a bundle.tar.gz by name (leading `./` and `/` dropped). */
function bundleEntries(bytes: Uint8Array | ArrayBuffer): Map<string, Uint8Array> {
  let tarBytes: Uint8Array;
  try {
    tarBytes = gunzipSync(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  } catch (error) {
    throw new BundleFormatError('bundle is not a gzip archive', { cause: error });
  }
  const entries = new Map<string, Uint8Array>();
  try {
    for (const entry of parseTar(tarBytes)) {
      if (entry.data !== undefined) entries.set(entryName(entry.name), entry.data);
    }
  } catch (error) {
    throw new BundleFormatError('bundle is not a tar archive', { cause: error });
  }
  return entries;
}

/** Unpacks `policy.wasm` and `data.json` from bundle.tar.gz bytes. */
export function readBundle(bytes: Uint8Array | ArrayBuffer): BundleContents {
  const entries = bundleEntries(bytes);
  const wasm = entries.get('policy.wasm');
  const dataBytes = entries.get('data.json');
  if (wasm === undefined) throw new BundleFormatError('bundle has no /policy.wasm');
  if (dataBytes === undefined) throw new BundleFormatError('bundle has no /data.json');
  return { wasm, data: toDataDocument(dataBytes) };
}

/** Unpacks only `data.json` from bundle.tar.gz bytes (all the JS engine needs). */
export function readBundleData(bytes: Uint8Array | ArrayBuffer): PolicyDataDocument {
  const dataBytes = bundleEntries(bytes).get('data.json');
  if (dataBytes === undefined) throw new BundleFormatError('bundle has no /data.json');
  return toDataDocument(dataBytes);
}
