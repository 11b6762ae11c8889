// The SDK and the core ship to browsers (DESIGN §1, STYLE "Parts"): no file of core/ imports
// node:*, undici or another part of ours; no file of sdk/ imports node:*, undici, a *.node.ts
// module or anything outside sdk/ but core/, except files whose names end in .node.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const NODE_ONLY = [/^node:/, /^undici$/, /\.node(\.js)?$/];

/** Every import of the part's files that leaves the folders it may import from. */
function importProblems(part: string, allowed: readonly string[]): string[] {
  const files = tsFiles(path.join(root, part));
  expect(files.length).toBeGreaterThan(5);
  const problems: string[] = [];
  for (const file of files) {
    const relative = path.relative(root, file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(file), specifier));
        const folder = target.split(path.sep)[0] ?? '';
        if (!allowed.includes(folder))
          problems.push(`${relative} imports ${specifier} (${folder}/)`);
      }
      if (!file.endsWith('.node.ts') && NODE_ONLY.some((pattern) => pattern.test(specifier))) {
        problems.push(`${relative} imports ${specifier} (Node-only)`);
      }
    }
  }
  return problems;
}

it('browser-safe sdk modules import nothing Node-only and nothing outside sdk/ and core/', () => {
  expect(importProblems('sdk', ['sdk', 'core'])).toEqual([]);
});

it('the core imports nothing Node-only and no other part of ours', () => {
  expect(importProblems('core', ['core'])).toEqual([]);
});
