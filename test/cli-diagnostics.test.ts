// `rolecall test` and `rolecall diff` on a grants file that fails validation print what
// `rolecall check` prints for it: the loader's warnings as well as the validator's errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-io.js';

// An unknown YAML directive is a loader warning; the unknown role a validation error.
const INVALID_GRANTS = '%FOO bar\n---\nversion: 1\napp:\n  grants:\n    usr: [search-user]\n';
const VALID_GRANTS = 'version: 1\napp:\n  grants:\n    user: [search-user]\n';
const SUITE = `grants: bad.yaml
cases:
  - name: a user searches users
    subject: { id: ann, role: user }
    action: SearchUsers
    resource: { kind: app }
    expect: { allow: true }
`;

const FILES = { 'bad.yaml': INVALID_GRANTS, 'good.yaml': VALID_GRANTS, 'bad.test.yaml': SUITE };

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-cli-diagnostics-'));
  for (const [name, text] of Object.entries(FILES)) await writeFile(path.join(work, name), text);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('diagnostics of an invalid grants file', () => {
  it('rolecall check reports the loader warning and the validation error', async () => {
    const check = await runCli(['check', 'bad.yaml'], work);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('bad.yaml:1:1: warning YAML_WARNING');
    expect(check.stdout).toContain('bad.yaml:6:5: error UNKNOWN_ROLE');
    expect(check.stdout).toContain('1 error, 1 warning');
  });

  it.each([
    ['text', []],
    ['github', ['--format', 'github']],
  ])('rolecall test prints them as rolecall check does (%s)', async (_format, flags) => {
    const check = await runCli(['check', 'bad.yaml', ...flags], work);
    const test = await runCli(['test', 'bad.test.yaml', ...flags], work);
    expect(test.code).toBe(1);
    expect(test.stdout).toBe('');
    expect(test.stderr).toBe(check.stdout);
  });

  it('rolecall diff prints them as rolecall check does, on either side', async () => {
    const check = await runCli(['check', 'bad.yaml'], work);
    for (const sides of [
      ['good.yaml', 'bad.yaml'],
      ['bad.yaml', 'good.yaml'],
    ]) {
      const diff = await runCli(['diff', ...sides], work);
      expect(diff.code).toBe(1);
      expect(diff.stdout).toBe('');
      expect(diff.stderr).toBe(check.stdout);
    }
  });
});
