// renderDiagnostics: the text, json and github forms, and the code registry against its docs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, diagnosticAt } from '../../compiler/diagnostics/codes.js';
import { renderDiagnostics } from '../../compiler/diagnostics/index.js';
import type { Diagnostic } from '../../compiler/types.js';

const source = [
  'version: 1',
  'call_types:',
  '  default:',
  '    grants:',
  '      user: [read-call, join-cal]',
  '',
].join('\n');

const unknownPermission: Diagnostic = {
  code: 'UNKNOWN_PERMISSION',
  severity: 'error',
  message: 'unknown permission "join-cal"',
  file: 'rolecall.yaml',
  line: 5,
  column: 25,
  endLine: 5,
  endColumn: 33,
  help: 'did you mean "join-call"?',
};

const duplicate: Diagnostic = {
  code: 'DUPLICATE_GRANT',
  severity: 'warning',
  message: '"read-call" is listed twice',
  file: 'rolecall.yaml',
  line: 5,
  column: 14,
  endLine: 5,
  endColumn: 23,
};

describe('text format', () => {
  const text = renderDiagnostics(
    [unknownPermission, duplicate],
    { 'rolecall.yaml': source },
    'text',
  );
  const lines = text.split('\n');

  it('starts each diagnostic with file:line:col: severity CODE: message', () => {
    expect(lines[0]).toBe(
      'rolecall.yaml:5:25: error UNKNOWN_PERMISSION: unknown permission "join-cal"',
    );
    expect(text).toContain(
      'rolecall.yaml:5:14: warning DUPLICATE_GRANT: "read-call" is listed twice\n',
    );
  });

  it('frames the line and underlines exactly the span', () => {
    const marked = lines.findIndex((line) => line.startsWith('> 5 |'));
    expect(lines[marked]).toBe('> 5 |       user: [read-call, join-cal]');
    const underline = lines[marked + 1] ?? '';
    const gutter = '> 5 | '.length;
    expect(underline.indexOf('^') - gutter + 1).toBe(25);
    expect(underline.match(/\^/g)).toHaveLength('join-cal'.length);
  });

  it('prints help and a summary', () => {
    expect(text).toContain('\nhelp: did you mean "join-call"?\n');
    expect(lines.at(-2)).toBe('1 error, 1 warning');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('pluralizes the summary and prints it for no diagnostics', () => {
    const two = renderDiagnostics([unknownPermission, unknownPermission], {}, 'text');
    expect(two.trimEnd().split('\n').at(-1)).toBe('2 errors, 0 warnings');
    expect(renderDiagnostics([], {}, 'text')).toBe('0 errors, 0 warnings\n');
  });

  it('frames only the first line of a span over several lines', () => {
    const block = { ...unknownPermission, line: 2, column: 1, endLine: 5, endColumn: 34 };
    const framed = renderDiagnostics([block], { 'rolecall.yaml': source }, 'text');
    expect(framed).toContain('> 2 | call_types:');
    expect(framed).not.toContain('> 3');
  });

  it('leaves the frame out when the source is unknown, and uses no colors unless asked', () => {
    const plain = renderDiagnostics([unknownPermission], new Map(), 'text');
    expect(plain).not.toContain('|');
    expect(plain).not.toContain('\u001b[');
    const colored = renderDiagnostics([unknownPermission], new Map(), 'text', { color: true });
    expect(colored).toContain('\u001b[31merror\u001b[0m');
  });

  it('leaves the frame out for very long lines', () => {
    const long = `version: 1\nx: ${'y'.repeat(1000)}\n`;
    const at = { ...unknownPermission, line: 2, column: 1, endLine: 2, endColumn: 2 };
    expect(renderDiagnostics([at], { 'rolecall.yaml': long }, 'text')).not.toContain('yyy');
  });

  it('accepts an options object as well', () => {
    expect(renderDiagnostics([unknownPermission], { sources: { 'rolecall.yaml': source } })).toBe(
      renderDiagnostics([unknownPermission], { 'rolecall.yaml': source }, 'text'),
    );
    expect(renderDiagnostics([unknownPermission], { sources: {}, format: 'json' })).toBe(
      renderDiagnostics([unknownPermission], {}, 'json'),
    );
  });
});

describe('json format', () => {
  it('prints the diagnostic list with a stable key order', () => {
    const shuffled = { help: duplicate.help, ...duplicate } as Diagnostic;
    const text = renderDiagnostics([unknownPermission, shuffled], {}, 'json');
    expect(JSON.parse(text)).toEqual([unknownPermission, duplicate]);
    expect(Object.keys((JSON.parse(text) as object[])[0] ?? {})).toEqual([
      'code',
      'severity',
      'message',
      'file',
      'line',
      'column',
      'endLine',
      'endColumn',
      'help',
    ]);
  });
});

describe('github format', () => {
  it('prints one workflow command per diagnostic with an inclusive end column', () => {
    const text = renderDiagnostics([unknownPermission, duplicate], {}, 'github');
    expect(text.split('\n')).toEqual([
      '::error file=rolecall.yaml,line=5,col=25,endLine=5,endColumn=32,title=UNKNOWN_PERMISSION::unknown permission "join-cal"%0Ahelp: did you mean "join-call"?',
      '::warning file=rolecall.yaml,line=5,col=14,endLine=5,endColumn=22,title=DUPLICATE_GRANT::"read-call" is listed twice',
      '',
    ]);
  });

  it('escapes properties and data per the workflow command rules', () => {
    const tricky: Diagnostic = {
      ...duplicate,
      file: 'a,b:c%.yaml',
      message: '100% wrong\r\nreally: yes, twice',
    };
    expect(renderDiagnostics([tricky], {}, 'github')).toBe(
      '::warning file=a%2Cb%3Ac%25.yaml,line=5,col=14,endLine=5,endColumn=22,title=DUPLICATE_GRANT::100%25 wrong%0D%0Areally: yes, twice\n',
    );
  });
});

describe('diagnostic codes', () => {
  it('takes the severity from the registry', () => {
    const span = { file: 'f', line: 1, column: 1, endLine: 1, endColumn: 2 };
    expect(diagnosticAt(span, 'DUPLICATE_GRANT', 'm').severity).toBe('warning');
    expect(diagnosticAt(span, 'UNKNOWN_ROLE', 'm', 'h')).toEqual({
      code: 'UNKNOWN_ROLE',
      severity: 'error',
      message: 'm',
      help: 'h',
      ...span,
    });
  });

  it('has a positional unit test for every code', () => {
    const tests = ['load.test.ts', 'validate.test.ts', '../review/suite.test.ts']
      .map((name) => readFileSync(new URL(name, import.meta.url), 'utf8'))
      .join('\n');
    const untested = Object.keys(DIAGNOSTIC_CODES).filter(
      (code) => !tests.includes(`code: '${code}'`),
    );
    expect(untested).toEqual([]);
  });

  it('documents every code, with its severity, in docs/diagnostics.md', () => {
    const docs = readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8');
    const rows = new Map(
      [...docs.matchAll(/^\| `([A-Z_]+)` +\| (error|warning) +\|/gm)].map((match) => [
        match[1],
        match[2],
      ]),
    );
    const registry = Object.entries(DIAGNOSTIC_CODES).map(([code, entry]) => [
      code,
      entry.severity,
    ]);
    expect([...rows].sort()).toEqual(registry.sort());
  });
});
