// The policy every evaluator test runs against: the grants file of DESIGN §2, compiled into a
// real bundle.tar.gz (and its folder) in a temporary directory, with a fresh policy.wasm.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compileGrants } from '../../compiler/compile/index.js';
import { ensureFreshPolicyWasm } from '../support/wasm.js';

export const CONTRACT_GRANTS_FILE = 'rolecall.yaml';

/** DESIGN §2's example grants file: multi-tenant, custom roles and permission, overrides. */
export const CONTRACT_GRANTS_YAML = `version: 1
app:
  multi_tenant_enabled: true
  grants:
    user: [search-user-same-team, update-user-owner, query-calls-same-team]
    special_agent: [search-user, query-calls]
roles:
  special_agent: { description: Field agents }
  stage_manager: { level: call }
permissions:
  - id: end-call-same-team
    action: EndCall
    same_team: true
    name: End call in own team
call_types:
  default:
    grants:
      call_member: [read-call, join-call, send-audio, send-video]
      guest: []
  livestream:
    grants: null
  town_hall:
    grants:
      user: [read-call, join-call]
      stage_manager: [read-call, join-call, send-audio, send-video, mute-users]
calls:
  "livestream:example":
    config_overrides:
      grants:
        user: ["!send-video", create-reaction]
`;

export interface ContractBundle {
  dir: string;
  bundlePath: string;
  bundleDir: string;
  bundleBytes: Uint8Array;
  wasm: Uint8Array;
  dataJson: string;
  cleanup: () => Promise<void>;
}

/** Compiles the grants text into a temporary folder (bundle.tar.gz + bundle/). */
export async function buildContractBundle(
  yaml: string = CONTRACT_GRANTS_YAML,
): Promise<ContractBundle> {
  await ensureFreshPolicyWasm();
  const compiled = await compileGrants({ file: CONTRACT_GRANTS_FILE, text: yaml });
  if (!compiled.ok) {
    throw new Error(`contract grants do not compile: ${JSON.stringify(compiled.diagnostics)}`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-contract-'));
  for (const file of compiled.value.files) {
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
  }
  const bundlePath = path.join(dir, 'bundle.tar.gz');
  const bundleDir = path.join(dir, 'bundle');
  return {
    dir,
    bundlePath,
    bundleDir,
    bundleBytes: new Uint8Array(await readFile(bundlePath)),
    wasm: new Uint8Array(await readFile(path.join(bundleDir, 'policy.wasm'))),
    dataJson: await readFile(path.join(bundleDir, 'data.json'), 'utf8'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
