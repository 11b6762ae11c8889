// Golden tests of `rolecall check` output: each test/golden/check-NAME/ holds a rolecall.yaml and
// the reviewed expected/ output per format; UPDATE_GOLDEN=1 rewrites expected/ instead.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-io.js';

const goldenRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';
const caseNames = readdirSync(goldenRoot).filter((name) => name.startsWith('check-'));
const outputs = [
  { format: 'text', file: 'text.txt' },
  { format: 'json', file: 'json.json' },
  { format: 'github', file: 'github.txt' },
] as const;

function runCheck(caseDir: string, format: string) {
  return runCli(['check', 'rolecall.yaml', '--format', format], caseDir);
}

function compareGolden(expectedPath: string, actual: string): void {
  if (update) {
    mkdirSync(path.dirname(expectedPath), { recursive: true });
    writeFileSync(expectedPath, actual);
    return;
  }
  expect(existsSync(expectedPath), `${expectedPath} is missing; run with UPDATE_GOLDEN=1`).toBe(
    true,
  );
  expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
}

describe('rolecall check golden output', () => {
  it('has golden cases', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(caseNames)('%s', (caseName) => {
    const caseDir = path.join(goldenRoot, caseName);
    it.each(outputs)('$format', async ({ format, file }) => {
      const result = await runCheck(caseDir, format);
      expect(result.stderr).toBe('');
      compareGolden(path.join(caseDir, 'expected', file), result.stdout);
      compareGolden(path.join(caseDir, 'expected', 'exit-code.txt'), `${result.code}\n`);
    });
  });
});
