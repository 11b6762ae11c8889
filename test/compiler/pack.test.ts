import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRYPOINTS, engineDir } from '../../compiler/assets.js';
import { compileSpec } from '../../compiler/compile/spec.js';
import { writeCompileOutput } from '../../compiler/compile/write.js';
import { packBundle, readEngineAssets } from '../../compiler/pack/index.js';
import type { GrantsSpec } from '../../compiler/types.js';
import { runOpa, runOpaOrThrow, spawnOpa } from '../../scripts/opa.js';
import { opaEvalValue } from '../support/opa-eval.js';
import { findFreePort } from '../support/opa-server.js';

const spec: GrantsSpec = {
  version: 1,
  app: { multi_tenant_enabled: true },
  roles: { stage_manager: { level: 'call' } },
  call_types: { town_hall: { grants: { stage_manager: ['read-call', 'send-audio'] } } },
};

interface TarEntryInfo {
  path: string;
  mtime: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  uname: string | undefined;
  gname: string | undefined;
}

async function listArchive(file: string): Promise<TarEntryInfo[]> {
  const entries: TarEntryInfo[] = [];
  await tar.t({
    file,
    onReadEntry: (entry) => {
      entries.push({
        path: entry.path,
        mtime: entry.mtime?.getTime(),
        uid: entry.uid,
        gid: entry.gid,
        uname: entry.uname,
        gname: entry.gname,
      });
    },
  });
  return entries;
}

let workDir: string;
let outDir: string;
let revision: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-pack-'));
  outDir = path.join(workDir, 'out');
  const output = await compileSpec(spec);
  revision = output.policy.revision;
  await writeCompileOutput(outDir, output.files);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('packBundle', () => {
  it('gives identical bytes for identical input, whatever the input order', async () => {
    const files = [
      { path: 'data.json', contents: '{}\n' },
      { path: '.manifest', contents: '{"revision":"x"}\n' },
      { path: 'rolecall/a.rego', contents: 'package rolecall\n' },
    ];
    const first = await packBundle(files);
    const second = await packBundle([...files].reverse());
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('writes sorted entries with mtime 0 and no owner names', async () => {
    const entries = await listArchive(path.join(outDir, 'bundle.tar.gz'));
    const paths = entries.map((entry) => entry.path);
    expect(paths).toEqual([...paths].sort());
    for (const entry of entries) {
      expect(entry.mtime).toBe(0);
      // portable headers leave the numeric owner fields blank (read as 0 by other tools)
      expect(entry.uid ?? 0).toBe(0);
      expect(entry.gid ?? 0).toBe(0);
      expect(entry.uname ?? '').toBe('');
      expect(entry.gname ?? '').toBe('');
    }
  });

  it('holds the manifest, data, policy.wasm and the engine Rego without its tests', async () => {
    const engineRego = (await readdir(engineDir)).filter(
      (name) => name.endsWith('.rego') && !name.endsWith('_test.rego'),
    );
    const expected = [
      '.manifest',
      'data.json',
      'policy.wasm',
      ...engineRego.map((name) => `rolecall/${name}`),
    ].sort();
    const entries = await listArchive(path.join(outDir, 'bundle.tar.gz'));
    expect(entries.map((entry) => entry.path)).toEqual(expected);
    const unpacked = (await readdir(path.join(outDir, 'bundle'), { recursive: true }))
      .map((name) => name.split(path.sep).join('/'))
      .filter((name) => name !== 'rolecall');
    expect(unpacked.sort()).toEqual(expected);
  });

  it('holds byte for byte the same files as the unpacked bundle/ folder', async () => {
    const archived = new Map<string, Buffer>();
    await tar.t({
      file: path.join(outDir, 'bundle.tar.gz'),
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => archived.set(entry.path, Buffer.concat(chunks)));
      },
    });
    expect(archived.size).toBeGreaterThan(3);
    for (const [name, contents] of archived) {
      const unpacked = await readFile(path.join(outDir, 'bundle', ...name.split('/')));
      expect(contents.equals(unpacked), name).toBe(true);
    }
  });

  it('explains how to build a missing policy.wasm', async () => {
    await expect(readEngineAssets(engineDir, path.join(workDir, 'missing.wasm'))).rejects.toThrow(
      /run npm run build/,
    );
  });
});

describe('the real OPA accepts the bundle', () => {
  const query = 'data.rolecall_data.revision';

  it('opa eval -b <dir> reads the revision', async () => {
    const stdout = await runOpaOrThrow(['eval', '-b', path.join(outDir, 'bundle'), query]);
    expect(opaEvalValue(stdout)).toBe(revision);
  });

  it('opa eval -b <bundle.tar.gz> reads the revision', async () => {
    const stdout = await runOpaOrThrow(['eval', '-b', path.join(outDir, 'bundle.tar.gz'), query]);
    expect(opaEvalValue(stdout)).toBe(revision);
  });

  it('the manifest lists every entrypoint under metadata, not the standard wasm field', async () => {
    const manifest = JSON.parse(
      await readFile(path.join(outDir, 'bundle', '.manifest'), 'utf8'),
    ) as {
      revision: string;
      roots: string[];
      wasm?: unknown;
      metadata: { rolecall: { wasm: { entrypoint: string; module: string }[] } };
    };
    expect(manifest.revision).toBe(revision);
    expect(manifest.roots).toEqual(['rolecall', 'rolecall_data']);
    expect(manifest.wasm).toBeUndefined();
    expect(manifest.metadata.rolecall.wasm).toEqual(
      ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
    );
  });

  it('opa check accepts the bundle as a whole', async () => {
    const result = await runOpa(['check', '-b', path.join(outDir, 'bundle')]);
    expect(result.stderr + result.stdout).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('opa run -s -b bundle.tar.gz', () => {
  let server: ChildProcess | undefined;
  let baseUrl: string;

  beforeAll(async () => {
    const port = await findFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawnOpa([
      'run',
      '-s',
      '--addr',
      `127.0.0.1:${port}`,
      '--log-level',
      'error',
      '-b',
      path.join(outDir, 'bundle.tar.gz'),
    ]);
    const exited = new Promise<never>((_, reject) => {
      server?.once('exit', (code) => {
        reject(new Error(`opa exited with ${String(code)}`));
      });
    });
    // Once ready, the rejection on the (expected) exit in afterAll must not go unhandled.
    exited.catch(() => undefined);
    const ready = (async () => {
      for (;;) {
        try {
          const response = await fetch(`${baseUrl}/health?bundles`);
          if (response.ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await Promise.race([ready, exited]);
  });

  afterAll(async () => {
    if (server === undefined || server.exitCode !== null) return;
    const stopped = new Promise((resolve) => server?.once('exit', resolve));
    server.kill();
    await stopped;
  });

  it('answers POST /v1/data/rolecall/decision with the bundle revision', async () => {
    const response = await fetch(`${baseUrl}/v1/data/rolecall/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        input: {
          subject: { id: 'ann', role: 'user', teams: ['red'], call_role: 'stage_manager' },
          action: 'SendAudio',
          resource: { kind: 'call', call_type: 'town_hall', id: 'all-hands', team: 'red' },
        },
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result?: { allow: boolean; revision: string } };
    expect(body.result?.revision).toBe(revision);
    expect(body.result?.allow).toBe(true);
  });

  it('serves the bundle revision as data', async () => {
    const response = await fetch(`${baseUrl}/v1/data/rolecall_data/revision`);
    expect(((await response.json()) as { result?: unknown }).result).toBe(revision);
  });
});
