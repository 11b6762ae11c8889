// Builds the peer baseline of bench/decisions.ts: its data document from a compiled rolecall
// data.json (so both policies see the same grants), peer.rego and floor.rego compiled to WASM by
// the pinned opa, and a bundle folder of both + data.json for `opa run`.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { gunzipSync } from 'fflate';
import { parseTar } from 'nanotar';
import type { GrantsMap, ResolvedPolicy } from '../../core/policy.js';
import { runOpaOrThrow } from '../../scripts/opa.js';

export const PEER_ENTRYPOINT = 'peer/decision';
/** A constant answer beside the peer (floor.rego): the fixed cost of one evaluation. */
export const FLOOR_ENTRYPOINT = 'floor/decision';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const POLICY_FILES = ['peer.rego', 'floor.rego'];

/** What peer.rego reads at `data.peer_data`: plain grants tables, no precomputed layers. */
export interface PeerDataDocument {
  peer_data: {
    multi_tenant: boolean;
    call_types: Record<string, GrantsMap>;
    permissions: Record<string, { action: string; owner: boolean }>;
    /** action → its permission ids: the index any hand-written policy would keep. */
    actions: Record<string, string[]>;
    call_overrides: Record<string, GrantsMap>;
  };
}

export interface PeerDecision {
  allow: boolean;
  reason: string;
}

export interface Peer {
  /** peer.rego as opa-wasm, its data set. */
  policy: LoadedPolicy;
  data: PeerDataDocument;
  /** A bundle folder (roots `peer`, `peer_data`) that `opa run` can serve next to rolecall's. */
  bundleDir: string;
  cleanup: () => Promise<void>;
}

/** The peer's data from rolecall's compiled data.json: the same call type grants and overrides. */
export function peerDataFrom(dataJson: string): PeerDataDocument {
  const policy = (JSON.parse(dataJson) as { rolecall_data: ResolvedPolicy }).rolecall_data;
  const permissions: PeerDataDocument['peer_data']['permissions'] = {};
  const actions: PeerDataDocument['peer_data']['actions'] = {};
  for (const [permissionId, permission] of Object.entries(policy.permissions)) {
    permissions[permissionId] = { action: permission.action, owner: permission.owner };
    (actions[permission.action] ??= []).push(permissionId);
  }
  return {
    peer_data: {
      multi_tenant: policy.settings.multi_tenant_enabled,
      call_types: policy.call_types,
      permissions,
      actions,
      call_overrides: policy.call_overrides,
    },
  };
}

/** /policy.wasm out of the bundle.tar.gz `opa build -t wasm` wrote. */
function policyWasmOf(bundleBytes: Uint8Array): Uint8Array {
  for (const entry of parseTar(gunzipSync(bundleBytes))) {
    if (entry.name.replace(/^(\.?\/)+/, '') === 'policy.wasm' && entry.data !== undefined) {
      return entry.data;
    }
  }
  throw new Error('opa build wrote no /policy.wasm');
}

/** Compiles peer.rego to WASM with the pinned opa and loads it with the peer data. */
export async function buildPeer(dataJson: string): Promise<Peer> {
  const data = peerDataFrom(dataJson);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-peer-'));
  try {
    const bundleDir = path.join(dir, 'bundle');
    await mkdir(bundleDir);
    for (const file of POLICY_FILES)
      await copyFile(path.join(HERE, file), path.join(bundleDir, file));
    const wasmBundle = path.join(dir, 'peer-wasm.tar.gz');
    await runOpaOrThrow([
      'build',
      '-t',
      'wasm',
      '-e',
      PEER_ENTRYPOINT,
      '-e',
      FLOOR_ENTRYPOINT,
      '-o',
      wasmBundle,
      ...POLICY_FILES.map((file) => path.join(bundleDir, file)),
    ]);
    const policy = await loadPolicy(policyWasmOf(new Uint8Array(await readFile(wasmBundle))));
    policy.setData(data);
    // Written after the build, so the WASM bundle holds the policy alone (data is set above).
    await writeFile(path.join(bundleDir, 'data.json'), JSON.stringify(data));
    await writeFile(
      path.join(bundleDir, '.manifest'),
      JSON.stringify({ roots: ['peer', 'peer_data', 'floor'] }),
    );
    return { policy, data, bundleDir, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** One peer decision in opa-wasm (or the floor's constant one). */
export function peerDecide(
  policy: LoadedPolicy,
  input: unknown,
  entrypoint = PEER_ENTRYPOINT,
): PeerDecision {
  const resultSet: unknown = policy.evaluate(input, entrypoint);
  const first: unknown = Array.isArray(resultSet) ? resultSet[0] : undefined;
  if (typeof first !== 'object' || first === null || !('result' in first)) {
    throw new Error(`${entrypoint} is undefined for this input`);
  }
  return first.result as PeerDecision;
}
