// `rolecall compile --types js`: rolecall.gen.ts as a rolecall.gen.js (ESM, what Node runs) and
// a rolecall.gen.d.ts (what editors and `tsc --checkJs` read), for projects without TypeScript.
import { ts } from 'ts-morph';
import type { EmittedFile } from '../types.js';

/**
 * The .js and .d.ts of a generated rolecall.gen.ts, each transpiled from that one file alone
 * (its signatures are all written out, so no other file is needed), in path order.
 */
export function emitTypesAsJavaScript(typesFile: EmittedFile): EmittedFile[] {
  if (typeof typesFile.contents !== 'string' || !typesFile.path.endsWith('.ts')) {
    throw new TypeError(`not a generated TypeScript file: ${typesFile.path}`);
  }
  const stem = typesFile.path.slice(0, -'.ts'.length);
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    verbatimModuleSyntax: true,
    newLine: ts.NewLineKind.LineFeed,
  };
  const javascript = ts.transpileModule(typesFile.contents, {
    compilerOptions,
    fileName: typesFile.path,
    reportDiagnostics: true,
  });
  const declarations = ts.transpileDeclaration(typesFile.contents, {
    compilerOptions: { ...compilerOptions, declaration: true, isolatedDeclarations: true },
    fileName: typesFile.path,
    reportDiagnostics: true,
  });
  const problems = [...(javascript.diagnostics ?? []), ...(declarations.diagnostics ?? [])];
  if (problems.length > 0) {
    // The emitter writes every signature out; a problem here is a bug in it, not in the YAML.
    const messages = problems.map((problem) =>
      ts.flattenDiagnosticMessageText(problem.messageText, '\n'),
    );
    throw new Error(`rolecall.gen.ts does not transpile on its own: ${messages.join('; ')}`);
  }
  // The declaration emitter drops the header comment; the .d.ts is what editors show, so keep it.
  const header = leadingLineComments(typesFile.contents);
  return [
    { path: `${stem}.d.ts`, contents: `${header}\n\n${declarations.outputText}` },
    { path: `${stem}.js`, contents: javascript.outputText },
  ];
}

/** The `//` comment lines a file starts with. */
function leadingLineComments(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((line) => !line.startsWith('//'));
  return lines.slice(0, end === -1 ? lines.length : end).join('\n');
}
