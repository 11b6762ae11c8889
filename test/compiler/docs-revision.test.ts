// README.md and docs/compile.md show what `rolecall compile` prints for the example grants file;
// the revision they quote must be the one it computes today, so the docs never show an output
// the CLI no longer gives (the revision changes whenever the resolved grants do).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkGrantsText } from '../../compiler/compile/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';

const EXAMPLE = 'examples/video-saas/rolecall.yaml';
const DOCS = ['README.md', 'docs/compile.md'];

function exampleRevision(): string {
  const checked = checkGrantsText(EXAMPLE, readFileSync(EXAMPLE, 'utf8'));
  if (!checked.ok) throw new Error(`${EXAMPLE} does not check: ${JSON.stringify(checked)}`);
  return resolveGrants(checked.value.spec).revision;
}

/** Every revision a doc quotes: the CLI's short one, `(revision abc…)`, and data.json's full one. */
function quotedRevisions(text: string): string[] {
  const short = [...text.matchAll(/\(revision ([0-9a-f]{12})\)/g)];
  const full = [...text.matchAll(/"revision": "([0-9a-f]{64})"/g)];
  return [...short, ...full].map((match) => match[1] ?? '');
}

describe('the example revision quoted in the docs', () => {
  const revision = exampleRevision();

  it.each(DOCS)('%s quotes the revision compile prints for the example today', (doc) => {
    const quoted = quotedRevisions(readFileSync(doc, 'utf8'));
    expect(quoted.length).toBeGreaterThan(0);
    for (const value of quoted) expect(revision.startsWith(value), value).toBe(true);
  });
});
