// `rolecall apply FILE --url URL [--yes]`: makes the live app's permission model the grants
// file's. Shows the plan (the permission diff of `rolecall diff`, live → file, and the API steps),
// asks before changing anything, then runs the steps in dependency order. A plan is always made
// from what the server reports, so a second apply after a failure finishes the first one.
import { createInterface } from 'node:readline/promises';
import { diffPolicies, renderDiffMarkdown } from '../../review/diff/index.js';
import { resolveGrants } from '../../compiler/resolve/index.js';
import { liveGrantsOf, unresolveGrants, type LiveGrants } from '../../compiler/unresolve/index.js';
import { planApply, type ApplyStep } from '../apply-plan.js';
import { defineCommand, parseCommandArgs, usageLine } from '../args.js';
import { readGrantsFile } from '../files.js';
import { printDiagnostics, resolveGrantsText } from '../grants-policy.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';
import {
  connectAdmin,
  describeFailure,
  readLiveGrants,
  serverCredentials,
  serverUrl,
  type AdminClient,
} from '../live-grants.js';

export const spec = defineCommand({
  usage: 'FILE --url URL [--yes]',
  summary:
    "Shows the plan (rolecall diff of live → FILE, then the API steps) and makes the live app's permission model the file's, in dependency order.",
  options: {
    url: { type: 'string' },
    yes: { type: 'boolean', short: 'y', default: false },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
  },
  flags: {
    url: "the app's server (Stream's REST wire)",
    yes: 'apply without asking (needed when standard input is not a terminal)',
    'api-key': 'the app key (or ROLECALL_API_KEY)',
    'api-secret': 'the app secret (or ROLECALL_API_SECRET)',
  },
  notes:
    'exit codes: 0 applied or nothing to do, 1 refused, a step failed or grants errors, 2 usage',
});

const USAGE = usageLine('apply', spec);

/**
 * What apply asks through, beyond CliIo: whether a person is at a terminal, and a question to
 * them. Absent (the `rolecall` binary), the process's own standard input decides.
 */
export interface ConfirmIo {
  interactive?: boolean;
  ask?: (question: string) => Promise<string>;
}

export async function run(argv: string[], io: CliIo & ConfirmIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, spec.options, USAGE);
  const [file, extra] = positionals;
  if (file === undefined || extra !== undefined) {
    throw new UsageError(`expects one grants FILE\n${USAGE}`);
  }
  const url = serverUrl(values.url, USAGE);
  const credentials = serverCredentials(values, 'apply');

  const text = await readGrantsFile(io, 'apply', file);
  if (text === undefined) return EXIT_USAGE;
  const resolved = resolveGrantsText(file, text);
  if (!resolved.ok || resolved.diagnostics.length > 0) {
    printDiagnostics(io, resolved.diagnostics, { [file]: text });
  }
  if (!resolved.ok) return EXIT_FAILURE;
  const filePolicy = resolved.value;
  const target = liveGrantsOf(filePolicy);

  const admin = connectAdmin(url, credentials);
  const live = await readLive(admin, url, io);
  if (live === undefined) return EXIT_FAILURE;
  const steps = planApply(live, target);

  if (steps.length === 0) {
    io.stdout(`No changes: ${url} already has the permission model of ${file}.\n`);
    return EXIT_OK;
  }
  // The same rendering as `rolecall diff FILE --live URL`: the live side is what the server
  // reports, resolved like a file (so its grants carry no file positions).
  const diff = diffPolicies(resolveGrants(unresolveGrants(live)), filePolicy, {
    before: `live ${url}`,
    after: file,
  });
  io.stdout(renderDiffMarkdown(diff));
  io.stdout(
    `\n### Steps\n\n${steps.map((step, index) => `${String(index + 1)}. ${step.description}`).join('\n')}\n`,
  );

  const changes = `${String(steps.length)} change${steps.length === 1 ? '' : 's'}`;
  if (!values.yes) {
    const interactive = io.interactive ?? process.stdin.isTTY;
    if (!interactive) {
      io.stderr(
        `rolecall apply: nothing applied: standard input is not a terminal, so there is no one to confirm; run with --yes to apply ${changes}\n`,
      );
      return EXIT_FAILURE;
    }
    const answer = await (io.ask ?? askOnTerminal)(`Apply ${changes} to ${url}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.stderr('rolecall apply: nothing applied\n');
      return EXIT_FAILURE;
    }
  }

  const failed = await runSteps(admin, steps, io);
  if (failed !== undefined) return EXIT_FAILURE;

  // Read back: what the server reports now must be the file's (a server that silently dropped
  // part of a change would otherwise go unnoticed until the next apply).
  const after = await readLive(admin, url, io);
  if (after === undefined) return EXIT_FAILURE;
  const remaining = planApply(after, target);
  if (remaining.length > 0) {
    io.stderr(
      `rolecall apply: applied ${changes}, but ${url} still differs from ${file}:\n${remaining.map((step) => `  ${step.description}`).join('\n')}\n`,
    );
    return EXIT_FAILURE;
  }
  io.stdout(`Applied ${changes} to ${url}.\n`);
  return EXIT_OK;
}

async function readLive(
  admin: AdminClient,
  url: string,
  io: CliIo,
): Promise<LiveGrants | undefined> {
  try {
    const { grants } = await readLiveGrants(admin, (note) => {
      io.stderr(`rolecall apply: ${note}`);
    });
    return grants;
  } catch (error) {
    io.stderr(
      `rolecall apply: cannot read the permission model of ${url}: ${describeFailure(error)}\n`,
    );
    return undefined;
  }
}

/** Runs the steps in order; on the first failure prints which and why, and returns its index. */
async function runSteps(
  admin: AdminClient,
  steps: readonly ApplyStep[],
  io: CliIo,
): Promise<number | undefined> {
  for (const [index, step] of steps.entries()) {
    const position = `${String(index + 1)}/${String(steps.length)}`;
    try {
      await step.run(admin);
    } catch (error) {
      io.stderr(
        `rolecall apply: step ${position} failed: ${step.description}: ${describeFailure(error)}\n` +
          `rolecall apply: steps before it were applied; fix the cause and run rolecall apply again to finish\n`,
      );
      return index;
    }
    io.stdout(`✓ ${position} ${step.description}\n`);
  }
  return undefined;
}

async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}
