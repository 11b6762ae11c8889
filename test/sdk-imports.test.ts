// The SDK core ships to browsers: no file of sdk/ imports node:*, undici, a *.node.ts module,
// compiler/ or server/, except files whose names end in .node.ts (DESIGN §1, STYLE).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const sdkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sdk');

function sdkFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sdkFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const NODE_ONLY = [/^node:/, /^undici$/, /\.node(\.js)?$/];
const OUTSIDE_SDK = /(^|\/)(compiler|server|cli|scripts)\//;

it('browser-safe sdk modules import nothing Node-only and nothing outside the SDK', () => {
  const files = sdkFiles(sdkDir);
  expect(files.length).toBeGreaterThan(5);
  const problems: string[] = [];
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      const relative = path.relative(sdkDir, file);
      const resolved = specifier.startsWith('.')
        ? path.relative(sdkDir, path.resolve(path.dirname(file), specifier))
        : specifier;
      if (specifier.startsWith('.') && (resolved.startsWith('..') || OUTSIDE_SDK.test(resolved))) {
        problems.push(`${relative} imports ${specifier} (outside sdk/)`);
      }
      if (!file.endsWith('.node.ts') && NODE_ONLY.some((pattern) => pattern.test(specifier))) {
        problems.push(`${relative} imports ${specifier} (Node-only)`);
      }
    }
  }
  expect(problems).toEqual([]);
});
