// docs/catalog.md (and the catalog section of README.md) is exactly what scripts/catalog-docs.ts generates from policies/*.json, so the
// documented catalog never drifts from the shipped one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../compiler/validate/catalog.js';
import {
  catalogDocsPath,
  readmePath,
  renderCatalogDocs,
  renderReadmeCatalog,
} from '../../scripts/catalog-docs.js';

describe('docs/catalog.md', () => {
  it('is up to date (regenerate with: npx tsx scripts/catalog-docs.ts)', async () => {
    expect(readFileSync(catalogDocsPath, 'utf8')).toBe(await renderCatalogDocs());
  });

  it('README.md carries the same catalog tables (regenerate with the same script)', async () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(readme).toBe(await renderReadmeCatalog(readme));
    expect(readme).toContain('#### Call type `audio_room`');
  });

  it('lists every action, permission, role and builtin call type', async () => {
    const docs = await renderCatalogDocs();
    for (const name of [
      ...builtinCatalog.actions.keys(),
      ...builtinCatalog.permissions.keys(),
      ...builtinCatalog.roles.keys(),
    ]) {
      expect(docs).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
    }
    for (const callType of builtinCatalog.callTypes) {
      expect(docs).toContain(`### Call type \`${callType}\``);
    }
  });

  it('shows the default grants of each scope', async () => {
    const docs = await renderCatalogDocs();
    const appSection = docs.slice(docs.indexOf('### `.app`'), docs.indexOf('### Call type'));
    for (const [role, permissions] of Object.entries(builtinCatalog.defaults.app)) {
      const row = appSection.split('\n').find((line) => line.startsWith(`| \`${role}\` `));
      expect(row, role).toBeDefined();
      for (const permission of permissions) expect(row).toContain(`\`${permission}\``);
    }
  });
});
