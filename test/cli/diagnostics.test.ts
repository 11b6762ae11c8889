// `rolecall test` and `rolecall diff` print what `rolecall check` prints for a grants file: the
// loader's warnings as well as the validator's errors, and the warnings of a valid file too.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-io.js';

// An unknown YAML directive is a loader warning; the unknown role a validation error.
const INVALID_GRANTS = '%FOO bar\n---\nversion: 1\napp:\n  grants:\n    usr: [search-user]\n';
const VALID_GRANTS = 'version: 1\napp:\n  grants:\n    user: [search-user]\n';
const WARNED_GRANTS = `%FOO bar\n---\n${VALID_GRANTS}`;
const SUITE = `grants: bad.yaml
cases:
  - name: a user searches users
    subject: { id: ann, role: user }
    action: SearchUser
    resource: { kind: app }
    expect: { allow: true }
`;

const FILES = {
  'bad.yaml': INVALID_GRANTS,
  'good.yaml': VALID_GRANTS,
  'warned.yaml': WARNED_GRANTS,
  'bad.test.yaml': SUITE,
  'warned.test.yaml': SUITE.replace('grants: bad.yaml', 'grants: warned.yaml'),
};

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
    // The diagnostics as check prints them, then which suites could not run.
    expect(test.stderr).toBe(
      `${check.stdout}rolecall test: 1 suite(s) could not run: bad.test.yaml\n`,
    );
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

describe('warnings of a valid grants file', () => {
  it('rolecall test runs the suite and prints the warnings as rolecall check does', async () => {
    const check = await runCli(['check', 'warned.yaml'], work);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('warned.yaml:1:1: warning YAML_WARNING');
    const test = await runCli(['test', 'warned.test.yaml'], work);
    expect(test.code).toBe(0);
    expect(test.stderr).toBe(check.stdout);
    expect(test.stdout).toContain('1 passed');
  });

  it('rolecall diff compares and prints the warnings as rolecall check does', async () => {
    const check = await runCli(['check', 'warned.yaml'], work);
    const diff = await runCli(['diff', 'good.yaml', 'warned.yaml'], work);
    expect(diff.code).toBe(0);
    expect(diff.stderr).toBe(check.stdout);
    const silent = await runCli(['diff', 'good.yaml', 'good.yaml'], work);
    expect(silent.stderr).toBe('');
  });
});
