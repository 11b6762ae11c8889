// `rolecall pull --url URL [-o FILE]`: the live app's permission model as a grants file, the
// smallest patch over the builtin defaults that resolves to what the server reports, so the
// file round-trips (`rolecall apply` of it plans nothing) and pulling twice gives the same bytes.
import path from 'node:path';
import { renderGrantsYaml, unresolveGrants } from '../../compiler/unresolve/index.js';
import { defineCommand, parseCommandArgs, usageLine } from '../args.js';
import { errorReason, writeFileAtomically } from '../files.js';
import { printDiagnostics, resolveGrantsText } from '../grants-policy.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from '../io.js';
import {
  connectAdmin,
  describeFailure,
  readLiveGrants,
  serverCredentials,
  serverUrl,
} from '../live-grants.js';

export const spec = defineCommand({
  usage: '--url URL [-o FILE]',
  summary:
    "Writes the live app's permission model (settings, grants, custom roles and permissions, call types, call overrides) as a grants file.",
  options: {
    url: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
  },
  flags: {
    url: "the app's server (Stream's REST wire)",
    out: 'the grants file to write (atomically); standard output when absent',
    'api-key': 'the app key (or ROLECALL_API_KEY)',
    'api-secret': 'the app secret (or ROLECALL_API_SECRET)',
  },
  notes: 'exit codes: 0 written, 1 the server refused or the result is invalid, 2 usage',
});

const USAGE = usageLine('pull', spec);

/** The header of a pulled file: where it came from, never when (pulling twice is byte-equal). */
export function pulledHeader(url: string): string[] {
  return [
    'yaml-language-server: $schema=./node_modules/rolecall/schema/rolecall.schema.json',
    `Pulled from ${displayUrl(url)} by \`rolecall pull\`.`,
    'A patch over the builtin defaults: roles and call types not named here keep their defaults.',
  ];
}

/** The URL without credentials, query or fragment, which have no place in a committed file. */
function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString().replace(/\/$/, '');
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, spec.options, USAGE);
  if (positionals.length > 0)
    throw new UsageError(`takes no FILE argument (use -o FILE)\n${USAGE}`);
  const url = serverUrl(values.url, USAGE);
  const admin = connectAdmin(url, serverCredentials(values, 'pull'));

  let text: string;
  let serverRevision: string | undefined;
  try {
    const live = await readLiveGrants(admin, (note) => {
      io.stderr(`rolecall pull: ${note}`);
    });
    serverRevision = live.revision;
    text = renderGrantsYaml(unresolveGrants(live.grants), pulledHeader(url));
  } catch (error) {
    io.stderr(
      `rolecall pull: cannot read the permission model of ${url}: ${describeFailure(error)}\n`,
    );
    return EXIT_FAILURE;
  }

  // What the server holds always was a valid grants file; check anyway, so a server that answers
  // something the validator refuses is reported here and never written to disk.
  const label = values.out ?? 'pulled grants';
  const checked = resolveGrantsText(label, text);
  if (!checked.ok) {
    printDiagnostics(io, checked.diagnostics, { [label]: text });
    io.stderr(
      `rolecall pull: ${url} answered a permission model that is not a valid grants file\n`,
    );
    return EXIT_FAILURE;
  }

  // Equal revisions are equal grants (DESIGN §7): a different one means the server holds
  // something its API did not show, and the file would not reproduce it.
  const revision = checked.value.revision;
  if (serverRevision !== undefined && serverRevision !== revision) {
    io.stderr(
      `rolecall pull: warning: the file resolves to revision ${revision.slice(0, 12)}, the server reports ${serverRevision.slice(0, 12)}; part of its permission model is not readable over its API\n`,
    );
  }

  if (values.out === undefined || values.out === '-') {
    io.stdout(text);
    return EXIT_OK;
  }
  try {
    await writeFileAtomically(path.resolve(io.cwd, values.out), text);
  } catch (error) {
    io.stderr(`rolecall pull: cannot write ${values.out}: ${errorReason(error)}\n`);
    return EXIT_FAILURE;
  }
  io.stderr(`pulled ${displayUrl(url)} → ${values.out} (revision ${revision.slice(0, 12)})\n`);
  return EXIT_OK;
}
