// Dispatches `rolecall <command>` to its module and maps the outcome to an exit code; answers
// `--help`/`-h` (every command), `help COMMAND` and `--version` from the commands' specs.
import { packageVersion } from '../compiler/assets.js';
import { didYouMean } from '../compiler/validate/suggest.js';
import { renderHelp, type CommandSpec } from './args.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type Command } from './io.js';

/** What each command module exports: its runner and its spec (usage, flags and their help). */
interface CommandModule {
  run: Command;
  spec: CommandSpec;
}

export const commands: Record<string, () => Promise<CommandModule>> = {
  check: () => import('./commands/check.js'),
  compile: () => import('./commands/compile.js'),
  eval: () => import('./commands/eval.js'),
  test: () => import('./commands/test.js'),
  diff: () => import('./commands/diff.js'),
  pull: () => import('./commands/pull.js'),
  apply: () => import('./commands/apply.js'),
  init: () => import('./commands/init.js'),
  matrix: () => import('./commands/matrix.js'),
  serve: () => import('./commands/serve.js'),
};

const USAGE = `usage: rolecall <command> [options]   (rolecall <command> --help, rolecall --version)

commands:
  check FILE [--format text|json|github] [--color]
                                             validate a grants file
  compile FILE -o DIR [--types ts|js] [--format text|json|github]
                                             compile a grants file into an OPA bundle
  eval DIR|BUNDLE --input FILE|- [--entrypoint E] [--engine js|wasm|opa] [--url URL]
       [--format table|json]   or   eval DIR|BUNDLE --action A [--role R] [--call TYPE:ID] …
                                             evaluate decision inputs, or a quick question
  test SUITE|DIR… [--grants FILE] [--junit FILE] [--coverage] [--coverage-fail] [--emit-rego DIR]
       [--engine js|wasm|opa] [--url URL] [--format text|github]
                                             run YAML policy test suites
  diff OLD NEW | FILE --base REV | REV:FILE FILE | FILE --live URL --api-key KEY --api-secret SECRET
       [--suite FILE] [--format markdown|json|html] [--fail-on removed,widened,any]
                                             permission changes, for PR review and CI gates
  pull --url URL [-o FILE]                   the live app's permission model as a grants file
  apply FILE --url URL [--yes]               make the live app's permission model the file's
                                             (pull, apply: ROLECALL_API_KEY, ROLECALL_API_SECRET)
  init [DIR]                                 write a grants-repo template
  matrix FILE [-o matrix.html] [--link vscode|relative|none]
                                             roles × permissions of every scope, as one HTML page
  serve [--config FILE] [--port N] [--host H] --api-key KEY --api-secret SECRET [--data-dir DIR]
       [--engine js|wasm] [--call-ids any|team-prefixed] [--log-level L] [--decision-log all|deny|off]
                                             the reference server (PGlite, or DATABASE_URL)
`;

/** `--help` or `-h` among a command's flags (not after `--`, nor as a flag's value). */
function asksHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [first, ...after] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    (first === undefined ? io.stderr : io.stdout)(USAGE);
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`rolecall ${packageVersion()}\n`);
    return EXIT_OK;
  }
  // `rolecall help` is the overview, `rolecall help COMMAND` that command's help.
  const helpOnly = first === 'help';
  const name = helpOnly ? after[0] : first;
  const rest = helpOnly ? ['--help'] : after;
  if (name === undefined) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (load === undefined) {
    const hint = didYouMean(name, Object.keys(commands));
    io.stderr(
      `rolecall: unknown command "${name}"${hint === undefined ? '' : `; ${hint}`}\n\n${USAGE}`,
    );
    return EXIT_USAGE;
  }
  try {
    const command = await load();
    if (asksHelp(rest)) {
      io.stdout(renderHelp(name, command.spec));
      return EXIT_OK;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`rolecall ${name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    // A file or folder the command cannot read or write (-o into a file, a read-only folder …):
    // the path and the reason, exit 2 like any unreadable input, never a stack trace.
    const failed = fileSystemFailure(error);
    if (failed !== undefined) {
      io.stderr(`rolecall ${name}: ${failed}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** `cannot open PATH: EACCES` for a Node file-system error; undefined for anything else. */
function fileSystemFailure(error: unknown): string | undefined {
  const { code, syscall, path: file } = (error ?? {}) as Record<string, unknown>;
  if (typeof code !== 'string' || typeof syscall !== 'string' || typeof file !== 'string') {
    return undefined;
  }
  const reason = error instanceof Error ? error.message.split(',')[0] : code;
  return `cannot ${syscall} ${file}: ${reason ?? code}`;
}
