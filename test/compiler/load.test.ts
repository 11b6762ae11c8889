// loadGrants: every problem with the text itself is a diagnostic with an exact position, and
// spans of nodes and keys point at the right characters.
import { describe, expect, it } from 'vitest';
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES, loadGrants } from '../../compiler/load/index.js';
import { positionOf } from '../support/text-position.js';

function diagnosticsOf(text: string) {
  const result = loadGrants('rolecall.yaml', text);
  return result.diagnostics;
}

describe('loadGrants', () => {
  it('parses a file and keeps the spec as plain data', () => {
    const result = loadGrants('f.yaml', 'version: 1\napp:\n  multi_tenant_enabled: true\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.spec).toEqual({ version: 1, app: { multi_tenant_enabled: true } });
    expect(result.value.file).toBe('f.yaml');
    expect(result.diagnostics).toEqual([]);
  });

  it('locates values, list items and keys', () => {
    const text = [
      'version: 1',
      'call_types:',
      '  default:',
      '    grants:',
      '      user: [read-call, join-call]',
      '      guest:',
      '        - read-call',
      '',
    ].join('\n');
    const result = loadGrants('f.yaml', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { locate, locateKey } = result.value;
    expect(locate(['call_types', 'default', 'grants', 'user', 1])).toEqual({
      file: 'f.yaml',
      ...positionOf(text, 'join-call'),
    });
    expect(locateKey(['call_types', 'default', 'grants', 'guest'])).toEqual({
      file: 'f.yaml',
      ...positionOf(text, 'guest'),
    });
    expect(locate(['call_types', 'default', 'grants', 'guest', 0])).toMatchObject(
      positionOf(text, 'read-call', 1),
    );
    // A list item has no key: locateKey gives the item itself.
    expect(locateKey(['call_types', 'default', 'grants', 'user', 0])).toMatchObject(
      positionOf(text, 'read-call'),
    );
    expect(locate(['call_types', 'nope'])).toBeUndefined();
    expect(locate(['version', 'x'])).toBeUndefined();
  });

  it('locates an omitted value at its key', () => {
    const text = 'version: 1\nroles:\n  agent:\n';
    const result = loadGrants('f.yaml', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.locate(['roles', 'agent'])).toMatchObject(positionOf(text, 'agent'));
  });

  it('counts columns in UTF-16 code units, like editors', () => {
    const text = 'version: 1\nroles: {"🎥é": {}, x: {}}\n';
    const result = loadGrants('f.yaml', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // "🎥" is two code units: x sits at column 20 (1 + 'roles: {"🎥é": {}, '.length).
    expect(result.value.locateKey(['roles', 'x'])).toMatchObject({
      line: 2,
      column: 20,
      endColumn: 21,
    });
  });

  it('locates paths below an alias at the alias', () => {
    const text = 'version: 1\nbase: &members [read-call, join-call]\nother: *members\n';
    const result = loadGrants('f.yaml', text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.spec).toMatchObject({ other: ['read-call', 'join-call'] });
    expect(result.value.locate(['other', 1])).toMatchObject(positionOf(text, '*members'));
  });

  it('reports an empty file', () => {
    for (const text of ['', '\n\n', '# only a comment\n', '---\n']) {
      expect(diagnosticsOf(text)).toMatchObject([
        { code: 'EMPTY_FILE', severity: 'error', line: 1, column: 1 },
      ]);
    }
  });

  it('reports YAML syntax errors at their position', () => {
    const text = 'version: 1\napp: [1, 2\nroles: {}\n';
    const diagnostics = diagnosticsOf(text);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatchObject({ code: 'YAML_SYNTAX', severity: 'error', line: 3 });
  });

  it('reports tabs used as indentation as a syntax error', () => {
    expect(diagnosticsOf('version: 1\nroles:\n\tx: {}\n')[0]).toMatchObject({
      code: 'YAML_SYNTAX',
      line: 3,
      column: 1,
    });
  });

  it('reports a duplicate key at the second occurrence and names the first', () => {
    const text = 'version: 1\nroles:\n  agent: {}\n  bot: {}\n  agent: {}\n';
    const [diagnostic, ...rest] = diagnosticsOf(text);
    expect(rest).toEqual([]);
    expect(diagnostic).toMatchObject({
      code: 'DUPLICATE_KEY',
      severity: 'error',
      ...positionOf(text, 'agent', 1),
    });
    expect(diagnostic?.help).toContain('line 3');
  });

  it('reports duplicate keys in flow maps and at the top level', () => {
    const text = 'version: 1\nversion: 1\n';
    expect(diagnosticsOf(text)).toMatchObject([{ code: 'DUPLICATE_KEY', line: 2, column: 1 }]);
    const flow = 'version: 1\nroles: {a: {}, a: {}}\n';
    expect(diagnosticsOf(flow)).toMatchObject([
      { code: 'DUPLICATE_KEY', line: 2, column: 16, endLine: 2, endColumn: 17 },
    ]);
  });

  it('reports a second document at its separator', () => {
    const text = 'version: 1\n---\nversion: 1\n';
    expect(diagnosticsOf(text)).toMatchObject([
      { code: 'MULTIPLE_DOCUMENTS', line: 2, column: 1, endLine: 2, endColumn: 4 },
    ]);
  });

  it('reports an unquoted ! as a YAML tag with a quoting hint', () => {
    const text =
      'version: 1\ncalls:\n  "default:x":\n    config_overrides:\n      grants:\n        user: [!send-video]\n';
    const [diagnostic] = diagnosticsOf(text);
    expect(diagnostic).toMatchObject({
      code: 'YAML_TAG',
      severity: 'error',
      ...positionOf(text, '!send-video'),
    });
    expect(diagnostic?.help).toContain('"!send-video"');
  });

  it('reports an alias with no anchor', () => {
    const text = 'version: 1\nroles: *missing\n';
    expect(diagnosticsOf(text)).toMatchObject([
      { code: 'YAML_SYNTAX', ...positionOf(text, '*missing') },
    ]);
  });

  it('names an alias used as a map key as such, and a collection key as such', () => {
    const alias = 'version: 1\nx: &k helper\nroles:\n  *k : { level: user }\n';
    expect(diagnosticsOf(alias)).toMatchObject([
      {
        code: 'YAML_SYNTAX',
        message: 'a map key cannot be an alias ("*k")',
        ...positionOf(alias, '*k'),
      },
    ]);
    const collection = 'version: 1\nroles:\n  ? [a, b]\n  : {}\n';
    expect(diagnosticsOf(collection)).toMatchObject([
      { code: 'YAML_SYNTAX', message: 'map keys must be plain strings, not collections' },
    ]);
  });

  it('refuses a lone surrogate escape in a string or a key, at its position', () => {
    const value = 'version: 1\nroles:\n  agent: {description: "lone \\ud800 here"}\n';
    expect(diagnosticsOf(value)).toMatchObject([
      {
        code: 'YAML_SYNTAX',
        message: 'a string holds a lone surrogate escape (\\ud800–\\udfff not in a pair)',
        ...positionOf(value, '"lone \\ud800 here"'),
      },
    ]);
    const key = 'version: 1\nroles:\n  "a\\udc00": {}\n';
    expect(diagnosticsOf(key)).toMatchObject([
      { code: 'YAML_SYNTAX', ...positionOf(key, '"a\\udc00"') },
    ]);
    // A pair is one character like any other.
    expect(
      loadGrants('f.yaml', 'version: 1\nroles:\n  agent: {description: "\\ud83d\\ude00"}\n').ok,
    ).toBe(true);
  });

  it('resolves aliases of anchors nested deeper than the span index goes', () => {
    const nested = '['.repeat(70) + '&deep [1]' + ']'.repeat(70);
    expect(loadGrants('f.yaml', `version: 1\nx: ${nested}\ny: *deep\n`).ok).toBe(true);
    const text = `version: 1\nx: ${'['.repeat(70)}${']'.repeat(70)}\ny: *nope\n`;
    expect(diagnosticsOf(text)).toMatchObject([
      { code: 'YAML_SYNTAX', ...positionOf(text, '*nope') },
    ]);
  });

  it('reports collection keys', () => {
    const text = 'version: 1\n? [a, b]\n: 1\n';
    expect(diagnosticsOf(text)).toMatchObject([{ code: 'YAML_SYNTAX', line: 2, column: 3 }]);
  });

  it('refuses alias bombs past the alias limit', () => {
    const lines = ['version: 1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 6; level += 1) {
      const previous = `*a${level - 1}`;
      lines.push(`a${level}: &a${level} [${Array(10).fill(previous).join(', ')}]`);
    }
    const text = lines.join('\n') + '\n';
    const diagnostics = diagnosticsOf(text);
    // Reported at the first alias of the file.
    expect(diagnostics).toMatchObject([
      { code: 'ALIAS_LIMIT', severity: 'error', ...positionOf(text, '*a0') },
    ]);
    expect(diagnostics[0]?.message).toContain(String(MAX_ALIAS_COUNT));
  });

  it('accepts a few ordinary aliases', () => {
    const text =
      'version: 1\nx: &talk [send-audio, send-video]\ny: *talk\nz: *talk\nw: [*talk, *talk]\n';
    expect(loadGrants('f.yaml', text).ok).toBe(true);
  });

  it('refuses files over 4 MiB before parsing', () => {
    // Not valid YAML at all: the size check must come first.
    const text = '[' + 'x'.repeat(MAX_FILE_BYTES);
    expect(diagnosticsOf(text)).toMatchObject([
      { code: 'FILE_TOO_LARGE', severity: 'error', line: 1, column: 1 },
    ]);
    // Multi-byte characters count as bytes, not as characters.
    const wide = '#' + 'é'.repeat(MAX_FILE_BYTES / 2) + '\n';
    expect(wide.length).toBeLessThan(MAX_FILE_BYTES);
    expect(diagnosticsOf(wide)[0]?.code).toBe('FILE_TOO_LARGE');
    expect(diagnosticsOf('#' + 'x'.repeat(MAX_FILE_BYTES - 2) + '\n')[0]?.code).not.toBe(
      'FILE_TOO_LARGE',
    );
  });

  it('reports nesting too deep to parse', () => {
    const depth = 20_000;
    const diagnostics = diagnosticsOf('version: 1\nx: ' + '['.repeat(depth) + ']'.repeat(depth));
    const nesting = diagnostics.find((diagnostic) => diagnostic.code === 'NESTING_LIMIT');
    // The column is wherever the parser's stack ran out, which depends on the engine.
    expect(nesting).toMatchObject({ code: 'NESTING_LIMIT', severity: 'error', line: 2 });
    expect(nesting?.column).toBeGreaterThan(3);
  });

  it('keeps YAML warnings as warnings and still loads', () => {
    const result = loadGrants('f.yaml', '%FOO bar\n---\nversion: 1\n');
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toMatchObject([
      { code: 'YAML_WARNING', severity: 'warning', line: 1, column: 1 },
    ]);
  });

  it('keeps __proto__ keys as plain data', () => {
    const result = loadGrants('f.yaml', 'version: 1\n__proto__: {polluted: true}\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.hasOwn(result.value.spec as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
