// Every grants file under examples/ checks clean through the CLI, and the video-saas example
// shows each feature of the format it is meant to demonstrate.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-io.js';
import type { GrantsSpec } from '../../compiler/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Grants files: rolecall.yaml or NAME.rolecall.yaml, outside compiled output folders. */
function grantsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'out' ? [] : grantsFiles(full);
    return /(^|\.)rolecall\.ya?ml$/.test(entry.name) ? [path.relative(root, full)] : [];
  });
}

const files = grantsFiles(path.join(root, 'examples'));

function check(file: string) {
  return runCli(['check', file], root);
}

describe('examples', () => {
  it('includes the video-saas example', () => {
    expect(files).toContain(path.join('examples', 'video-saas', 'rolecall.yaml'));
  });

  it.each(files)('%s checks clean (no errors, no warnings)', async (file) => {
    const result = await check(file);
    expect(result.stdout).toBe('0 errors, 0 warnings\n');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it.each(files)('%s names a schema that exists for yaml-language-server', (file) => {
    const firstLine = readFileSync(path.join(root, file), 'utf8').split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
    expect(match).not.toBeNull();
    const schemaPath = path.resolve(path.dirname(path.join(root, file)), match?.[1] ?? '');
    expect(existsSync(schemaPath)).toBe(true);
  });

  it('video-saas shows every feature of the grants file', () => {
    const text = readFileSync(path.join(root, 'examples/video-saas/rolecall.yaml'), 'utf8');
    const spec = parse(text) as GrantsSpec;
    expect(spec.app?.multi_tenant_enabled).toBe(true);
    const roles = Object.values(spec.roles ?? {});
    expect(roles.some((role) => role.level === 'call')).toBe(true);
    expect(spec.permissions?.length).toBeGreaterThan(0);
    const callTypes = Object.entries(spec.call_types ?? {});
    expect(
      callTypes.some(
        ([name]) => !['default', 'audio_room', 'livestream', 'development'].includes(name),
      ),
    ).toBe(true);
    expect(callTypes.some(([, callType]) => callType.grants === null)).toBe(true);
    expect(
      callTypes.some(([, callType]) =>
        Object.values(callType.grants ?? {}).some((list) => list.length === 0),
      ),
    ).toBe(true);
    const overrides = Object.values(spec.calls ?? {}).flatMap((call) =>
      Object.values(call.config_overrides?.grants ?? {}).flat(),
    );
    expect(overrides.some((modifier) => modifier.startsWith('!'))).toBe(true);
    expect(overrides.some((modifier) => !modifier.startsWith('!'))).toBe(true);
  });
});
