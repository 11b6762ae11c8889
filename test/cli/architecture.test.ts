// The import picture of STYLE.md "Parts": every import (static, re-export, dynamic, type-only) of
// every .ts file under core/, compiler/, review/, sdk/, server/ and cli/ runs along an allowed
// arrow. A failure lists each offending import with its file.
// (test/sdk/browser-safe-imports.test.ts adds the browser rule: nothing Node-only in core/ and the
// browser-safe sdk/ modules.)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

type Part = 'core' | 'compiler' | 'review' | 'sdk' | 'server' | 'cli';

const PARTS: readonly Part[] = ['core', 'compiler', 'review', 'sdk', 'server', 'cli'];

/**
 * What each part may import besides itself. `policies/` (catalog, defaults) and `schema/` (the
 * published JSON Schemas) are data, not code: the compiler reads both, review reads the suite
 * schema. Everything else follows the table: core/ imports nothing of ours; sdk/ and core/ ship
 * to browsers, so never compiler/ or server/; compiler/ never sdk/, review/, server/, cli/; and
 * nothing but cli/ imports review/.
 */
const ALLOWED: Record<Part, readonly string[]> = {
  core: [],
  compiler: ['core', 'policies', 'schema'],
  sdk: ['core'],
  review: ['compiler', 'core', 'sdk', 'schema'],
  server: ['compiler', 'core', 'sdk'],
  cli: ['core', 'compiler', 'review', 'sdk', 'server', 'policies', 'schema', 'package.json'],
};

/** The packages' own entry points (package.json `exports`, rolecall's and @rolecall/sdk's), by the part each one opens. */
const SELF_IMPORTS: Record<string, string> = {
  rolecall: 'sdk',
  'rolecall/browser': 'sdk',
  'rolecall/node': 'sdk',
  '@rolecall/sdk': 'sdk',
  '@rolecall/sdk/browser': 'sdk',
  '@rolecall/sdk/node': 'sdk',
  'rolecall/compiler': 'compiler',
  'rolecall/review': 'review',
  'rolecall/server': 'server',
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The top-level folder (or root file) an import of `file` reaches, or none for a package. */
function targetOf(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = path.relative(root, path.resolve(path.dirname(file), specifier));
    return target.split(path.sep)[0];
  }
  return SELF_IMPORTS[specifier.replace(/\.js$/, '')];
}

/** Every import of one file (path relative to the root) that leaves its part along no allowed arrow. */
function forbiddenImports(relativeFile: string, text: string): string[] {
  const part = relativeFile.split('/')[0] as Part;
  const file = path.join(root, relativeFile);
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.flatMap(({ fileName: specifier }) => {
    const target = targetOf(file, specifier);
    if (target === undefined || target === part || ALLOWED[part].includes(target)) return [];
    return [`${relativeFile} imports ${specifier} (${part}/ → ${target})`];
  });
}

describe('imports follow STYLE.md "Parts"', () => {
  for (const part of PARTS) {
    it(`${part}/ imports only ${[part, ...ALLOWED[part]].join(', ')}`, () => {
      const files = tsFiles(path.join(root, part));
      expect(files.length).toBeGreaterThan(3);
      const offending = files.flatMap((file) =>
        forbiddenImports(
          path.relative(root, file).split(path.sep).join('/'),
          readFileSync(file, 'utf8'),
        ),
      );
      expect(offending).toEqual([]);
    });
  }

  it('nothing but cli/ imports review/', () => {
    const importers = PARTS.filter((part) => part !== 'review' && ALLOWED[part].includes('review'));
    expect(importers).toEqual(['cli']);
  });

  it('catches static, type-only, re-exported and dynamic imports, and self-imports', () => {
    const text = [
      "import { renderMatrixHtml } from '../review/matrix/index.js';",
      "import type { Evaluator } from '../sdk/evaluator.js';",
      "export { startServer } from '../server/index.js';",
      "const cli = await import('../cli/run.js');",
      "import { PolicyClient } from 'rolecall';",
      "import { buildDataDocument } from '../core/data-document.js';",
      "import { parse } from 'yaml';",
    ].join('\n');
    expect(forbiddenImports('compiler/example.ts', text)).toEqual([
      'compiler/example.ts imports ../review/matrix/index.js (compiler/ → review)',
      'compiler/example.ts imports ../sdk/evaluator.js (compiler/ → sdk)',
      'compiler/example.ts imports ../server/index.js (compiler/ → server)',
      'compiler/example.ts imports ../cli/run.js (compiler/ → cli)',
      'compiler/example.ts imports rolecall (compiler/ → sdk)',
    ]);
    expect(forbiddenImports('sdk/nested/example.ts', "import '../../compiler/types.js';")).toEqual([
      'sdk/nested/example.ts imports ../../compiler/types.js (sdk/ → compiler)',
    ]);
  });
});

/**
 * The server's rooms (STYLE.md: routes → services → store): routes hold Stream's paths and the
 * JSON Schemas they are checked with, services decide and shape answers, store/ holds every SQL
 * statement (db/ the connection, migrations and change feed). What each room never imports:
 */
const SERVER_NEVER: Readonly<Record<string, readonly string[]>> = {
  services: ['routes'],
  schemas: ['routes', 'services', 'store', 'db'],
  store: ['routes', 'services', 'schemas', 'policy'],
  db: ['routes', 'services', 'schemas', 'store'],
};

/** The room of a file under server/ (`store` of server/store/users.ts; a root file is its name). */
const serverRoom = (relativeFile: string): string | undefined =>
  relativeFile.startsWith('server/') ? relativeFile.split('/')[1] : undefined;

function serverRoomViolations(relativeFile: string, text: string): string[] {
  const room = serverRoom(relativeFile);
  const never = room === undefined ? [] : (SERVER_NEVER[room] ?? []);
  const file = path.join(root, relativeFile);
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.flatMap(({ fileName: specifier }) => {
    if (!specifier.startsWith('.')) return [];
    const target = path.relative(root, path.resolve(path.dirname(file), specifier));
    const targetRoom = serverRoom(target.split(path.sep).join('/'));
    return targetRoom !== undefined && never.includes(targetRoom)
      ? [`${relativeFile} imports ${specifier} (server/${String(room)} → server/${targetRoom})`]
      : [];
  });
}

/** A call of a database client's `query`: SQL is written only in server/store/ and server/db/. */
const SQL_CALL = /\.query\s*(<[^>]*>)?\s*\(/;

describe('the server: routes → services → store', () => {
  const serverFiles = tsFiles(path.join(root, 'server')).map((file) => ({
    relativeFile: path.relative(root, file).split(path.sep).join('/'),
    text: readFileSync(file, 'utf8'),
  }));

  it('each room imports none of the rooms it must not', () => {
    const offending = serverFiles.flatMap(({ relativeFile, text }) =>
      serverRoomViolations(relativeFile, text),
    );
    expect(offending).toEqual([]);
    expect(serverRoomViolations('server/store/x.ts', "import '../services/users.js';")).toEqual([
      'server/store/x.ts imports ../services/users.js (server/store → server/services)',
    ]);
  });

  it('runs SQL only from server/store/ and server/db/', () => {
    const withSql = serverFiles
      .filter(({ text }) => SQL_CALL.test(text))
      .map(({ relativeFile }) => relativeFile);
    expect(withSql.length).toBeGreaterThan(3);
    expect(withSql.filter((file) => !/^server\/(store|db)\//.test(file))).toEqual([]);
  });
});
