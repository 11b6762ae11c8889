// Type test of the generated typed factory: rolecall.gen.ts (compiled from the contract grants
// file, kept as a golden in test/types/build/) makes misspelt roles, actions, call types and
// permission ids compile errors. Runs the TypeScript compiler API on typed-client.usage.ts.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGrants } from '../../compiler/compile/index.js';
import { CONTRACT_GRANTS_FILE, CONTRACT_GRANTS_YAML } from '../contract/fixture.js';
import { ensureFreshPolicyWasm } from '../support/wasm.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const usagePath = path.join(here, 'typed-client.usage.ts');
// `build/` keeps the generated file out of Prettier and ESLint (it is compiler output), while
// the usage file still pulls it into the project's type check.
const goldenPath = path.join(here, 'build', 'rolecall.gen.ts');
const updateGolden = process.env['UPDATE_GOLDEN'] === '1';

function projectOptions(): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error('tsconfig.json could not be read');
  return { ...parsed.options, noEmit: true };
}

/** Type-checks `text` as if it were the file at `filePath`; returns that file's errors. */
function typeErrors(filePath: string, text: string) {
  const options = projectOptions();
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) =>
    path.resolve(fileName) === filePath
      ? ts.createSourceFile(fileName, text, language, true)
      : readSource(fileName, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => path.resolve(fileName) === filePath || fileExists(fileName);
  const program = ts.createProgram([filePath], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file && path.resolve(diagnostic.file.fileName) === filePath)
    .map((diagnostic) => ({
      line:
        diagnostic.file === undefined || diagnostic.start === undefined
          ? -1
          : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    }));
}

let usage: string;

beforeAll(async () => {
  usage = await readFile(usagePath, 'utf8');
});

describe('the generated typed PolicyClient factory', () => {
  it('test/types/build/rolecall.gen.ts is what `rolecall compile` emits today', async () => {
    await ensureFreshPolicyWasm();
    const compiled = await compileGrants({
      file: CONTRACT_GRANTS_FILE,
      text: CONTRACT_GRANTS_YAML,
    });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
    const generated = compiled.value.files.find((file) => file.path === 'rolecall.gen.ts');
    const text = typeof generated?.contents === 'string' ? generated.contents : '';
    if (updateGolden) await writeFile(goldenPath, text);
    expect(text).toContain('export function createPolicyClient(');
    expect(await readFile(goldenPath, 'utf8')).toBe(text);
  });

  it('compiles with every misspelling marked as an expected error', () => {
    expect(typeErrors(usagePath, usage)).toEqual([]);
  });

  it('fails on exactly the marked lines once the @ts-expect-error markers are removed', () => {
    const lines = usage.split('\n');
    const markedLines = lines.flatMap((line, index) =>
      line.includes('// @ts-expect-error') ? [index + 2] : [],
    );
    expect(markedLines.length).toBeGreaterThanOrEqual(7);
    const stripped = lines
      .map((line) => (line.includes('// @ts-expect-error') ? '' : line))
      .join('\n');
    const errors = typeErrors(usagePath, stripped);
    expect([...new Set(errors.map((error) => error.line))]).toEqual(markedLines);
    const messages = errors.map((error) => error.message).join('\n');
    for (const misspelt of [
      'admn',
      'SendVidoe',
      'town_hal',
      'stage_managr',
      'send-vidoe',
      'stage_mgr',
    ]) {
      expect(messages).toContain(misspelt);
    }
  });

  it('without the generated types the same misspellings compile (the factory is what checks)', () => {
    const untyped = [
      "import { PolicyClient, type Evaluator } from 'rolecall';",
      'declare const evaluator: Evaluator;',
      "const client = new PolicyClient(evaluator, { id: 'mallory', role: 'admn' });",
      "export const check = client.can('SendVidoe', { kind: 'call', call_type: 'town_hal', id: 'c1' });",
    ].join('\n');
    expect(typeErrors(path.join(here, 'untyped.usage.ts'), untyped)).toEqual([]);
  });
});
