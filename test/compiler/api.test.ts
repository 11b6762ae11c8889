// `rolecall/compiler` is a curated API: exactly these runtime names, documented in
// docs/compile.md; a new export is a decision, made here and in the docs together.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as compiler from '../../compiler/index.js';
import { packageRoot } from '../../compiler/assets.js';

const PUBLIC = [
  'BUNDLE_ARCHIVE',
  'BUNDLE_DIR',
  'DIAGNOSTIC_CODES',
  'DIAGNOSTIC_FORMATS',
  'ENTRYPOINTS',
  'MissingAssetError',
  'OutputDirError',
  'ROLECALL_VERSION',
  'compileGrants',
  'compileSpec',
  'emitData',
  'emitManifest',
  'emitOutputFiles',
  'emitTypes',
  'loadGrants',
  'packBundle',
  'readEngineAssets',
  'renderDiagnostics',
  'resolveGrants',
  'validateGrants',
  'writeCompileOutput',
];

describe('rolecall/compiler', () => {
  it('exports exactly the curated names, internals left out', () => {
    expect(Object.keys(compiler).sort()).toEqual([...PUBLIC].sort());
    for (const internal of ['applyModifiers', 'normalizeGrants', 'patchScope', 'stableJson']) {
      expect(Object.keys(compiler)).not.toContain(internal);
    }
  });

  it('documents every export in docs/compile.md', async () => {
    const docs = await readFile(path.join(packageRoot, 'docs', 'compile.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## The `rolecall/compiler` API'));
    expect(section.length).toBeLessThan(docs.length);
    for (const name of PUBLIC) expect(section, name).toMatch(new RegExp(`\`${name}[\`(]`));
  });
});
