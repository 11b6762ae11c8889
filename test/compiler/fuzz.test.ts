// Property tests: whatever text arrives (random, truncated, mutated, deeply nested, alias bombs,
// random data dumped as YAML), loading and validating never throws, and a rejected file always
// carries at least one error with a position inside the file.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadGrants } from '../../compiler/load/index.js';
import type { Diagnostic } from '../../compiler/types.js';
import { validateGrants } from '../../compiler/validate/index.js';

const example = readFileSync(
  new URL('../../examples/video-saas/rolecall.yaml', import.meta.url),
  'utf8',
);

function checkText(text: string): { ok: boolean; diagnostics: Diagnostic[] } {
  const loaded = loadGrants('fuzz.yaml', text);
  if (!loaded.ok) return loaded;
  const validated = validateGrants(loaded.value);
  return { ok: validated.ok, diagnostics: [...loaded.diagnostics, ...validated.diagnostics] };
}

function assertWellFormed(text: string): void {
  const result = checkText(text);
  const lineCount = text.split('\n').length;
  if (!result.ok) {
    expect(result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')).toBe(true);
  }
  for (const diagnostic of result.diagnostics) {
    expect(diagnostic.file).toBe('fuzz.yaml');
    expect(diagnostic.line).toBeGreaterThanOrEqual(1);
    expect(diagnostic.column).toBeGreaterThanOrEqual(1);
    expect(diagnostic.line).toBeLessThanOrEqual(lineCount);
    expect(
      diagnostic.endLine > diagnostic.line ||
        (diagnostic.endLine === diagnostic.line && diagnostic.endColumn >= diagnostic.column),
    ).toBe(true);
    expect(diagnostic.message.length).toBeGreaterThan(0);
    expect(diagnostic.code).toMatch(/^[A-Z][A-Z_]+$/);
  }
}

const vocabulary = [
  'version',
  'app',
  'grants',
  'roles',
  'permissions',
  'call_types',
  'calls',
  'config_overrides',
  'multi_tenant_enabled',
  'level',
  'user',
  'call',
  'admin',
  'guest',
  'anonymous',
  'call_member',
  'host',
  'default',
  'livestream',
  'town_hall',
  'id',
  'action',
  'owner',
  'same_team',
  'read-call',
  'join-call',
  '!send-video',
  'search-user',
  'EndCall',
  'default:x',
  'livestream:y',
  'nope:z',
  'constructor',
  '__proto__',
  'toString',
];

/** Grants-shaped data: real keys and names mixed with junk, so semantic checks run deep. */
const grantsLike = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...vocabulary),
    fc.constantFrom(1, 0, null, true, '', '!'),
    fc.string(),
    fc.array(fc.oneof(fc.constantFrom(...vocabulary), fc.string()), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...vocabulary), fc.string()), tie('value'), {
      maxKeys: 5,
    }),
  ),
}));
const grantsFile = fc.record(
  {
    version: fc.constantFrom(1, 1, 1, 2, '1'),
    app: fc.record(
      {
        multi_tenant_enabled: fc.boolean(),
        grants: grantsLike.value,
      },
      { requiredKeys: [] },
    ),
    roles: grantsLike.value,
    permissions: fc.array(
      fc.record({ id: fc.constantFrom(...vocabulary), action: fc.constantFrom(...vocabulary) }),
      { maxLength: 3 },
    ),
    call_types: fc.dictionary(
      fc.constantFrom(...vocabulary),
      fc.record({ grants: grantsLike.value }, { requiredKeys: [] }),
      { maxKeys: 3 },
    ),
    calls: fc.dictionary(
      fc.constantFrom('default:x', 'livestream:y', 'nope:z', 'bad key', 'town_hall:1'),
      fc.record({ config_overrides: fc.record({ grants: grantsLike.value }) }),
      { maxKeys: 3 },
    ),
  },
  { requiredKeys: [] },
);

const settings = { numRuns: 100 };

describe('loadGrants + validateGrants on hostile input', () => {
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), assertWellFormed), settings);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), assertWellFormed),
      settings,
    );
  });

  it('strings built from YAML punctuation and grants words', () => {
    const token = fc.constantFrom(
      ...vocabulary,
      ':',
      ': ',
      '- ',
      '\n',
      '\n  ',
      '  ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '"',
      "'",
      '&a ',
      '*a',
      '!',
      '!!str ',
      '? ',
      '|',
      '>',
      '#',
      '---\n',
      '...',
      '\t',
      '%YAML 1.2\n',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        assertWellFormed(tokens.join(''));
      }),
      settings,
    );
  });

  it('truncations of the example', () => {
    fc.assert(
      fc.property(fc.nat({ max: example.length }), (length) => {
        assertWellFormed(example.slice(0, length));
      }),
      settings,
    );
  });

  it('mutations of the example', () => {
    const edit = fc.record({
      at: fc.nat({ max: example.length }),
      remove: fc.nat({ max: 8 }),
      insert: fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom(':', '\n', '- ', '!', '  ', '"'),
      ),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = example;
        for (const { at, remove, insert } of edits) {
          text = text.slice(0, at) + insert + text.slice(at + remove);
        }
        assertWellFormed(text);
      }),
      settings,
    );
  });

  it('random data dumped as YAML', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 4 }).filter((value) => value !== undefined),
        (value) => {
          assertWellFormed(stringify(value));
        },
      ),
      settings,
    );
  });

  it('grants-shaped data dumped as YAML', () => {
    fc.assert(
      fc.property(grantsFile, fc.boolean(), (value, flow) => {
        assertWellFormed(stringify(value, flow ? { collectionStyle: 'flow' } : {}));
      }),
      { numRuns: 300 },
    );
  });

  it('deep nesting', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'block-map'),
        (depth, style) => {
          let text: string;
          if (style === 'flow-seq') text = '['.repeat(depth) + ']'.repeat(depth);
          else if (style === 'flow-map') text = '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
          else if (style === 'block-seq') text = '- '.repeat(Math.min(depth, 500)) + 'x';
          else {
            text = Array.from(
              { length: Math.min(depth, 300) },
              (_, i) => `${' '.repeat(i)}a:`,
            ).join('\n');
          }
          assertWellFormed(`version: 1\napp:\n  grants:\n    user: ${text}\n`);
          assertWellFormed(text);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('alias bombs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 2, max: 10 }),
        (levels, width) => {
          const lines = ['version: 1', 'a0: &a0 [x]'];
          for (let level = 1; level <= levels; level += 1) {
            lines.push(
              `a${level}: &a${level} [${Array(width)
                .fill(`*a${level - 1}`)
                .join(', ')}]`,
            );
          }
          const text = lines.join('\n') + '\n';
          assertWellFormed(text);
          const result = checkText(text);
          expect(result.ok).toBe(false);
          if (width ** levels > 1000) {
            expect(result.diagnostics.map((diagnostic) => diagnostic.code)).toContain(
              'ALIAS_LIMIT',
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
