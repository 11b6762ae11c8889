// `rolecall check` in-process: exit codes (0 valid, 1 errors, 2 usage), formats and file errors.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-io.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'rolecall-check-'));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(workDir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return name;
}

function check(...argv: string[]) {
  return runCli(['check', ...argv], workDir);
}

describe('rolecall check', () => {
  it('exits 0 on a valid file', async () => {
    const file = write('valid.yaml', 'version: 1\napp:\n  grants:\n    user: [search-user]\n');
    const result = await check(file);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('0 errors, 0 warnings\n');
  });

  it('exits 0 with warnings only, and prints them', async () => {
    const file = write(
      'warn.yaml',
      'version: 1\napp:\n  grants:\n    user: [search-user, search-user]\n',
    );
    const result = await check(file);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warn.yaml:4:25: warning DUPLICATE_GRANT');
    expect(result.stdout).toContain('0 errors, 1 warning');
  });

  it('exits 1 on errors from the loader and from the validator', async () => {
    const syntax = await check(write('syntax.yaml', 'version: 1\napp: [\n'));
    expect(syntax.code).toBe(1);
    expect(syntax.stdout).toContain('error YAML_SYNTAX');
    const semantic = await check(
      write('semantic.yaml', 'version: 1\napp:\n  grants:\n    usr: [search-user]\n'),
    );
    expect(semantic.code).toBe(1);
    expect(semantic.stdout).toContain('semantic.yaml:4:5: error UNKNOWN_ROLE: unknown role "usr"');
  });

  it('resolves the file against the working directory and reports it as given', async () => {
    const file = write('nested/dir/rolecall.yaml', 'version: 1\nextra: 1\n');
    const result = await check(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('nested/dir/rolecall.yaml:2:1: error UNKNOWN_KEY');
  });

  it('prints json and github formats', async () => {
    const file = write('bad.yaml', 'version: 1\nroles:\n  Bad: {}\n');
    const json = await check(file, '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { code: 'INVALID_NAME', file: 'bad.yaml', line: 3, column: 3 },
    ]);
    const github = await check('--format=github', file);
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(/^::error file=bad\.yaml,line=3,col=3,.*title=INVALID_NAME::/);
  });

  it('handles CRLF line endings and a byte order mark', async () => {
    const crlf = write('crlf.yaml', '\uFEFFversion: 1\r\napp:\r\n  grants:\r\n    usr: []\r\n');
    const result = await check(crlf);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('crlf.yaml:4:5: error UNKNOWN_ROLE');
    expect(result.stdout).toContain('> 4 |     usr: []\n');
    expect(result.stdout).not.toContain('\r');
  });

  it('reports a file over 4 MiB without reading all of it', async () => {
    const file = write('huge.yaml', 'version: 1\n' + '#'.repeat(5 * 1024 * 1024) + '\n');
    const result = await check(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('huge.yaml:1:1: error FILE_TOO_LARGE');
  });

  it('colors the text format only with --color', async () => {
    const file = write('color.yaml', 'version: 1\nextra: 1\n');
    expect((await check(file)).stdout).not.toContain('\u001b[');
    expect((await check(file, '--color')).stdout).toContain('\u001b[31merror');
  });

  it('exits 2 with a clear message when the file is missing or a directory', async () => {
    const missing = await check('nope.yaml');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe('rolecall check: cannot read nope.yaml: no such file\n');
    mkdirSync(path.join(workDir, 'adir'), { recursive: true });
    const directory = await check('adir');
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain('cannot read adir');
  });

  it('exits 2 on usage errors', async () => {
    const file = write('ok.yaml', 'version: 1\n');
    for (const argv of [[], [file, file], [file, '--format', 'xml'], [file, '--verbose']]) {
      const result = await check(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^rolecall check: /);
      expect(result.stdout).toBe('');
    }
  });
});
