// Files and names a CLI user did not mean to hand over: bytes that are not UTF-8, a byte order
// mark, an endless file, control characters in names, a reader that closes the pipe early. Each
// gets a clear answer (or none needed), never a silently changed name or an acted-on escape.
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTextFile } from '../../cli/files.js';
import { printable } from '../../compiler/diagnostics/printable.js';
import { runCli, spawnCli } from '../support/cli-io.js';

const GRANTS = [
  'version: 1',
  'roles:',
  '  helper: { level: user }',
  'call_types:',
  '  default:',
  '    grants:',
  '      helper: [read-call]',
  '',
].join('\n');
const SUITE = [
  'grants: grants.yaml',
  'cases:',
  '  - name: "a host reads \\e[2J\\rcalls"',
  '    subject: { id: ann, role: helper }',
  '    action: ReadCall',
  '    resource: { kind: call, call_type: default, id: c1 }',
  '    expect: { allow: false }',
  '',
].join('\n');
const INPUT = {
  subject: { id: 'ann', role: 'helper' },
  action: 'ReadCall',
  resource: { kind: 'call', call_type: 'default', id: 'c1' },
};
const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);
/** What a terminal acts on: C0 controls but tab and newline, DEL, C1 controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTED_ON = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-hostile-files-'));
  const latin1 = Buffer.from(
    GRANTS.replace('  helper: { level: user }', '  helper: { level: user } # café'),
    'latin1',
  );
  const files: Record<string, string | Buffer> = {
    'grants.yaml': GRANTS,
    'latin1.yaml': latin1,
    'bom.yaml': Buffer.concat([BYTE_ORDER_MARK, Buffer.from(`version: 2\n${GRANTS.slice(11)}`)]),
    'plain.yaml': `version: 2\n${GRANTS.slice(11)}`,
    'escape.yaml': GRANTS.replace('roles:\n', 'roles:\n  "a\\e[31mred\\0": { level: user }\n'),
    'escape.test.yaml': SUITE,
    'latin1.test.yaml': Buffer.from(SUITE.replace('reads', 'réads'), 'latin1'),
    'input.json': Buffer.concat([BYTE_ORDER_MARK, Buffer.from(JSON.stringify(INPUT))]),
    'latin1.json': Buffer.from(JSON.stringify({ ...INPUT, action: 'Réad' }), 'latin1'),
  };
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(work, name), content);
  }
  const compiled = await runCli(['compile', 'grants.yaml', '-o', 'out'], work);
  expect(compiled.code).toBe(0);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a file that is not UTF-8', () => {
  const whereLatin1 = 'latin1.yaml: line 3, column 32 is not UTF-8 text; save the file as UTF-8';

  it.each([
    ['check', ['check', 'latin1.yaml']],
    ['matrix', ['matrix', 'latin1.yaml']],
    ['diff', ['diff', 'grants.yaml', 'latin1.yaml']],
    ['test --grants', ['test', 'escape.test.yaml', '--grants', 'latin1.yaml']],
  ])('is refused by %s with its line and column, not read with U+FFFD', async (_name, argv) => {
    const result = await runCli(argv, work);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(whereLatin1);
  });

  it('is refused by compile, which then writes nothing', async () => {
    const result = await runCli(['compile', 'latin1.yaml', '-o', 'latin1-out'], work);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(whereLatin1);
    expect(existsSync(path.join(work, 'latin1-out'))).toBe(false);
  });

  it('is refused as a test suite and as an eval input', async () => {
    const suite = await runCli(['test', 'latin1.test.yaml'], work);
    expect(suite.code).toBe(2);
    expect(suite.stderr).toContain('latin1.test.yaml: line 3, column 20 is not UTF-8 text');
    const input = await runCli(['eval', 'out', '--input', 'latin1.json'], work);
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/latin1\.json: line 1, column \d+ is not UTF-8 text/);
  });
});

describe('a byte order mark', () => {
  it('is dropped from a grants file: positions are those of the same file without it', async () => {
    const withMark = await runCli(['check', 'bom.yaml'], work);
    const without = await runCli(['check', 'plain.yaml'], work);
    expect(withMark.code).toBe(1);
    expect(withMark.stdout.replaceAll('bom.yaml', 'plain.yaml')).toBe(without.stdout);
  });

  it('is dropped from an eval input, from a file and from standard input', async () => {
    const fromFile = await runCli(['eval', 'out', '--input', 'input.json'], work);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ allow: true, reason: 'GRANTED' });
    const fromStdin = await runCli(
      ['eval', 'out', '--input', '-'],
      work,
      `\uFEFF${JSON.stringify(INPUT)}`,
    );
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });
});

describe('an endless or oversized file', () => {
  it.runIf(existsSync('/dev/zero'))(
    'is read only to one byte past the limit: FILE_TOO_LARGE, not an exhausted heap',
    async () => {
      const result = await runCli(['check', '/dev/zero'], work);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('FILE_TOO_LARGE');
    },
  );

  it.runIf(existsSync('/dev/zero'))('is refused as an eval input past its limit', async () => {
    await expect(readTextFile('/dev/zero', 1024)).rejects.toThrow(/larger than/);
  });
});

describe('control characters in names', () => {
  it('are shown, not acted on, in check output (text and GitHub annotations)', async () => {
    for (const format of ['text', 'github']) {
      const result = await runCli(['check', 'escape.yaml', '--format', format], work);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('INVALID_NAME');
      expect(result.stdout).not.toMatch(ACTED_ON);
      expect(result.stdout).toContain('a␛[31mred␀');
    }
  });

  it('are shown, not acted on, in a failing test case name', async () => {
    const result = await runCli(['test', 'escape.test.yaml'], work);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('a host reads ␛[2J␍calls');
    expect(result.stdout).not.toMatch(ACTED_ON);
  });

  it('keep the code frame aligned: one picture per character', () => {
    expect(printable('a\u001b[0m\tb\r\n\u007f\u009b')).toBe('a␛[0m\tb␍␊␡\uFFFD');
    expect(printable('plain text, ünïcode 🎉')).toBe('plain text, ünïcode 🎉');
  });
});

describe('an output path that is a symbolic link', () => {
  it('is replaced by the output, never written through', async () => {
    await mkdir(path.join(work, 'empty'));
    await writeFile(path.join(work, 'elsewhere.html'), 'mine');
    await symlink('empty', path.join(work, 'linked-out'));
    await symlink('elsewhere.html', path.join(work, 'linked.html'));

    expect((await runCli(['compile', 'grants.yaml', '-o', 'linked-out'], work)).code).toBe(0);
    expect((await runCli(['matrix', 'grants.yaml', '-o', 'linked.html'], work)).code).toBe(0);

    expect((await lstat(path.join(work, 'linked-out'))).isDirectory()).toBe(true);
    expect(await readdir(path.join(work, 'linked-out'))).toContain('bundle');
    expect(await readdir(path.join(work, 'empty'))).toEqual([]);
    expect((await lstat(path.join(work, 'linked.html'))).isFile()).toBe(true);
    expect(await readFile(path.join(work, 'elsewhere.html'), 'utf8')).toBe('mine');
  });

  it('to a folder with files of its own is refused, as that folder would be', async () => {
    await mkdir(path.join(work, 'project'));
    await writeFile(path.join(work, 'project', 'keep.txt'), 'mine');
    await symlink('project', path.join(work, 'linked-project'));
    const result = await runCli(['compile', 'grants.yaml', '-o', 'linked-project'], work);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('holds files a compile did not write (keep.txt)');
    expect((await lstat(path.join(work, 'linked-project'))).isSymbolicLink()).toBe(true);
    expect(await readdir(path.join(work, 'project'))).toEqual(['keep.txt']);
  });
});

describe('an output path in a folder that does not exist yet', () => {
  it('gets its folders made, like compile -o', async () => {
    const matrix = await runCli(['matrix', 'grants.yaml', '--out', 'site/a/matrix.html'], work);
    expect(matrix.code, matrix.stderr).toBe(0);
    expect(existsSync(path.join(work, 'site', 'a', 'matrix.html'))).toBe(true);
    const junit = await runCli(['test', 'escape.test.yaml', '--junit', 'reports/junit.xml'], work);
    expect(junit.code).toBe(1); // the suite's one case fails on purpose
    expect(await readFile(path.join(work, 'reports', 'junit.xml'), 'utf8')).toContain(
      '<testsuites',
    );
  });

  it('that cannot be made fails after the results are printed', async () => {
    const junit = await runCli(['test', 'escape.test.yaml', '--junit', 'grants.yaml/j.xml'], work);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toContain('0 passed, 1 failed');
    expect(junit.stderr).toContain('rolecall test: cannot write grants.yaml/j.xml');
  });
});

describe('standard output', () => {
  it('is where matrix -o - writes the page', async () => {
    const result = await runCli(['matrix', 'grants.yaml', '-o', '-'], work);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^<!doctype html>/);
    expect(existsSync(path.join(work, '-'))).toBe(false);
  });

  it('may be closed early by its reader without a crash', async () => {
    const child = spawnCli(['matrix', 'grants.yaml'], { cwd: work });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `| head -c 1`: take the first chunk and close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
