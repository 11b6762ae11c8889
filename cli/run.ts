// Dispatches `rolecall <command>` to its module and maps the outcome to an exit code.
import { EXIT_USAGE, UsageError, type CliIo, type Command } from './io.js';

const commands: Record<string, () => Promise<{ run: Command }>> = {
  check: () => import('./commands/check.js'),
  compile: () => import('./commands/compile.js'),
  eval: () => import('./commands/eval.js'),
  test: () => import('./commands/test.js'),
  diff: () => import('./commands/diff.js'),
  init: () => import('./commands/init.js'),
  matrix: () => import('./commands/matrix.js'),
  serve: () => import('./commands/serve.js'),
};

const USAGE = `usage: rolecall <command> [options]

commands:
  check FILE [--format text|json|github]     validate a grants file
  compile FILE -o DIR                        compile a grants file into an OPA bundle
  eval DIR|BUNDLE --input FILE|- [--entrypoint E] [--engine js|wasm|opa] [--url URL]
                                             evaluate decision inputs
  test SUITE… [--junit FILE] [--coverage] [--emit-rego DIR] [--engine js|wasm|opa] [--url URL]
                                             run YAML policy test suites
  diff OLD NEW | FILE --base REV | FILE --live URL --api-key KEY --api-secret SECRET
       [--suite FILE] [--format markdown|json] [--fail-on removed,widened,any]
                                             permission changes, for PR review and CI gates
  init [DIR]                                 write a grants-repo template
  matrix FILE [-o matrix.html] [--link vscode|relative|none]
                                             roles × permissions of every scope, as one HTML page
  serve [--config FILE] [--port N] --api-key KEY --api-secret SECRET [--data-dir DIR] [--engine js|wasm]
                                             the reference server (PGlite, or DATABASE_URL)
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    io.stderr(`rolecall: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    const command = await load();
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`rolecall ${name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
