// `rolecall diff OLD NEW`: the permission changes between two grants files (or git revisions of
// one, `REV:FILE` / `FILE --base REV`) as markdown for a PR comment, JSON, or one HTML page (the
// matrix view), with the suite cases whose outcome changes (`--suite`) and `--fail-on` gates for CI.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  compareCaseResults,
  diffPolicies,
  renderDiffMarkdown,
  triggeredFailOn,
  type FailOnKind,
  type PolicyDiff,
} from '../../review/diff/index.js';
import { buildMatrix, renderMatrixDiffHtml } from '../../review/matrix/index.js';
import { loadTestSuite, runTestSuite } from '../../review/test-suite/index.js';
import type { ResolvedPolicy } from '../../compiler/types.js';
import { defineCommand, parseCommandArgs, usageLine } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';
import { errorReason, readGrantsText } from '../files.js';
import { openEvaluator, printDiagnostics, resolveGrantsText } from '../grants-policy.js';
import {
  connectAdmin,
  describeFailure,
  serverCredentials,
  serverUrl,
  type ServerCredentials,
} from '../live-grants.js';

const runFile = promisify(execFile);

export const spec = defineCommand({
  usage:
    'OLD NEW | FILE --base REV | REV:FILE FILE | FILE --live URL\n' +
    '       [--suite FILE] [--format markdown|json|html] [--fail-on removed,widened,any]',
  summary:
    'The permission changes (scope × role × permission) between two grants files, git revisions, or a file and a running server; for PR review and CI gates.',
  options: {
    base: { type: 'string' },
    suite: { type: 'string' },
    format: { type: 'string', default: 'markdown' },
    'fail-on': { type: 'string' },
    live: { type: 'string' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
  },
  flags: {
    base: 'compare FILE against the same path at this git revision (missing there: empty)',
    suite: "list the test cases whose outcome changes (the suite's grants: is ignored)",
    format:
      'markdown (one PR comment, ≤ 60,000 characters), json (everything) or html (one offline page, the matrix view)',
    'fail-on': 'exit 1 on such changes: removed, widened, any (comma separated)',
    live: 'compare the grants a running reference server serves (old side) with FILE',
    'api-key': 'the app key for --live (or ROLECALL_API_KEY)',
    'api-secret': 'the app secret for --live (or ROLECALL_API_SECRET)',
  },
  notes:
    'exit codes: 0 (also with changes, unless --fail-on), 1 --fail-on matched or a side has grants errors, 2 usage or an unreadable side',
});

const USAGE = usageLine('diff', spec);

const FAIL_ON_KINDS: readonly FailOnKind[] = ['removed', 'widened', 'any'];

/** Where one side of the diff comes from. */
type Side =
  | { kind: 'file'; file: string }
  | { kind: 'git'; revision: string; file: string }
  | ({ kind: 'live'; url: string } & ServerCredentials);

function parseSide(argument: string, cwd: string): Side {
  if (existsSync(path.resolve(cwd, argument))) return { kind: 'file', file: argument };
  const match = /^([^:]+):(.+)$/.exec(argument);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    return { kind: 'git', revision: match[1], file: match[2] };
  }
  return { kind: 'file', file: argument };
}

function labelOf(side: Side): string {
  if (side.kind === 'live') return `live ${side.url}`;
  return side.kind === 'file' ? side.file : `${side.revision}:${side.file}`;
}

/**
 * The grants a running reference server serves (its resolved policy, the document OPA sidecars
 * poll), read through the SDK's server client with the app's credentials.
 */
async function fetchLivePolicy(side: Extract<Side, { kind: 'live' }>): Promise<ResolvedPolicy> {
  let answer: { policy: unknown };
  try {
    answer = await connectAdmin(side.url, side).getLiveGrants({ timeoutMs: 10_000 });
  } catch (error) {
    throw new Error(`the server answered ${describeFailure(error)}`, { cause: error });
  }
  const policy = answer.policy as Partial<ResolvedPolicy> | undefined;
  if (typeof policy?.revision !== 'string' || typeof policy.call_types !== 'object') {
    throw new Error('the server sent no resolved policy');
  }
  return policy as ResolvedPolicy;
}

/** The grants file a base revision lacks: nothing granted beyond the builtin defaults. */
const EMPTY_GRANTS = 'version: 1\n';

/** git's own words when it failed (its stderr), else the error's message. */
class GitError extends Error {
  override name = 'GitError';
}

/**
 * A side's text. A file the base revision does not have (the pull request that adds the grants
 * file) is an empty grants file, so every grant shows as added; any other git failure (an
 * unknown revision, no repository) is reported in git's words.
 */
async function readSide(
  side: Exclude<Side, { kind: 'live' }>,
  cwd: string,
  io: CliIo,
): Promise<string> {
  if (side.kind === 'file') return readGrantsText(path.resolve(cwd, side.file));
  try {
    // `git show REV:./path` resolves from the working directory, `REV:path` from the repo root.
    const { stdout } = await runFile('git', ['show', `${side.revision}:${side.file}`], {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
      encoding: 'utf8',
    });
    return stdout;
  } catch (error) {
    const output = (error as { stderr?: unknown }).stderr;
    const stderr = typeof output === 'string' ? output.trim() : '';
    if (/does not exist in|exists on disk, but not in/.test(stderr)) {
      io.stderr(
        `rolecall diff: ${side.file} is not in ${side.revision}; comparing against an empty grants file\n`,
      );
      return EMPTY_GRANTS;
    }
    throw new GitError(stderr === '' ? String(error) : `git: ${stderr.replace(/^fatal: /, '')}`);
  }
}

function parseFailOn(value: string | undefined): FailOnKind[] {
  if (value === undefined) return [];
  return value.split(',').map((part) => {
    const kind = part.trim();
    if (!(FAIL_ON_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`unknown --fail-on kind "${kind}" (removed, widened or any)`);
    }
    return kind as FailOnKind;
  });
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, spec.options, USAGE);
  const format = values.format;
  if (format !== 'markdown' && format !== 'json' && format !== 'html') {
    throw new UsageError(`unknown format "${format}" (markdown, json or html)`);
  }
  const failOn = parseFailOn(values['fail-on']);
  if (values.live !== undefined && values.base !== undefined) {
    throw new UsageError('--live and --base exclude each other');
  }
  if (values.live === undefined && (values['api-key'] ?? values['api-secret']) !== undefined) {
    throw new UsageError('--api-key and --api-secret go with --live URL');
  }

  let before: Side;
  let after: Side;
  if (values.live !== undefined) {
    const [file, extra] = positionals;
    if (file === undefined || extra !== undefined) {
      throw new UsageError(`--live takes exactly one FILE\n${USAGE}`);
    }
    before = {
      kind: 'live',
      url: serverUrl(values.live, USAGE, '--live'),
      ...serverCredentials(values, '--live'),
    };
    after = { kind: 'file', file };
  } else if (values.base !== undefined) {
    const [file, extra] = positionals;
    if (file === undefined || extra !== undefined) {
      throw new UsageError(`--base takes exactly one FILE\n${USAGE}`);
    }
    const relative = `./${path.relative(io.cwd, path.resolve(io.cwd, file)).split(path.sep).join('/')}`;
    before = { kind: 'git', revision: values.base, file: relative };
    after = { kind: 'file', file };
  } else {
    const [old, current, extra] = positionals;
    if (old === undefined || current === undefined || extra !== undefined) {
      throw new UsageError(`give two grants files (or one with --base REV)\n${USAGE}`);
    }
    before = parseSide(old, io.cwd);
    after = parseSide(current, io.cwd);
  }

  const policies: ResolvedPolicy[] = [];
  for (const side of [before, after]) {
    const label = labelOf(side);
    if (side.kind === 'live') {
      try {
        policies.push(await fetchLivePolicy(side));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        io.stderr(`rolecall diff: cannot read the live grants of ${side.url}: ${detail}\n`);
        return EXIT_USAGE;
      }
      continue;
    }
    let text: string;
    try {
      text = await readSide(side, io.cwd, io);
    } catch (error) {
      const detail =
        error instanceof GitError
          ? error.message
          : error instanceof Error
            ? error.message.split('\n')[0]
            : String(error);
      io.stderr(`rolecall diff: cannot read ${label}: ${detail ?? ''}\n`);
      return EXIT_USAGE;
    }
    const resolved = resolveGrantsText(label, text);
    // Warnings of a valid file are printed too, as `rolecall check` would (on stderr).
    if (!resolved.ok || resolved.diagnostics.length > 0) {
      printDiagnostics(io, resolved.diagnostics, { [label]: text });
    }
    if (!resolved.ok) return EXIT_FAILURE;
    policies.push(resolved.value);
  }
  const [oldPolicy, newPolicy] = policies as [ResolvedPolicy, ResolvedPolicy];
  const diff: PolicyDiff = diffPolicies(oldPolicy, newPolicy, {
    before: labelOf(before),
    after: labelOf(after),
  });

  if (values.suite !== undefined) {
    const suiteFile = values.suite;
    let text: string;
    try {
      text = await readGrantsText(path.resolve(io.cwd, suiteFile));
    } catch (error) {
      io.stderr(`rolecall diff: cannot read suite ${suiteFile}: ${errorReason(error)}\n`);
      return EXIT_USAGE;
    }
    const loaded = loadTestSuite(suiteFile, text);
    if (!loaded.ok) {
      printDiagnostics(io, loaded.diagnostics, { [suiteFile]: text });
      return EXIT_USAGE;
    }
    const results = [];
    for (const policy of [oldPolicy, newPolicy]) {
      const evaluator = await openEvaluator({ engine: 'js' }, policy);
      try {
        results.push(await runTestSuite(loaded.value, evaluator));
      } finally {
        await evaluator.close();
      }
    }
    const [oldResults, newResults] = results;
    if (oldResults !== undefined && newResults !== undefined) {
      diff.cases = compareCaseResults(oldResults, newResults);
    }
  }

  io.stdout(
    format === 'json'
      ? `${JSON.stringify(diff, null, 2)}\n`
      : format === 'html'
        ? renderMatrixDiffHtml(diff, {
            // The page's layout; a live side has no spec, so both are built from the policies.
            before: buildMatrix(oldPolicy, undefined, { file: diff.before.label }),
            after: buildMatrix(newPolicy, undefined, { file: diff.after.label }),
          })
        : renderDiffMarkdown(diff),
  );
  const triggered = triggeredFailOn(diff, failOn);
  if (triggered.length > 0) {
    io.stderr(`rolecall diff: --fail-on ${triggered.join(',')}: such changes occur\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}
