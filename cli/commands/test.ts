// `rolecall test FILE|DIR…`: compiles each suite's grants file in memory, runs every case through
// the JS engine (or WASM, or a running OPA with `--engine opa --url`), prints failures with the
// case's YAML line, and optionally writes JUnit XML, coverage and `_test.rego` files. A folder
// stands for the `*.test.yaml` files under it; a suite that cannot load is reported (JUnit too)
// while the other suites still run.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  computeCoverage,
  emitRegoTests,
  failuresAsDiagnostics,
  isFullyCovered,
  loadTestSuite,
  renderCoverage,
  renderJunit,
  renderSuiteFailures,
  renderSummary,
  runTestSuite,
  type SuiteLoadError,
  type SuiteResult,
  type TestSuite,
} from '../../review/test-suite/index.js';
import { renderDiagnostics } from '../../compiler/diagnostics/index.js';
import { defineCommand, parseCommandArgs, parseEngineChoice, usageLine } from '../args.js';
import { errorReason, readGrantsText } from '../files.js';
import { openEvaluator, printDiagnostics, resolveGrantsText } from '../grants-policy.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';

export const spec = defineCommand({
  usage:
    'SUITE|DIR… [--grants FILE] [--junit FILE] [--coverage] [--coverage-fail]\n' +
    '       [--emit-rego DIR] [--engine js|wasm|opa] [--url URL] [--format text|github]',
  summary:
    "Runs YAML policy test suites (a folder: its *.test.yaml files) against each suite's grants file.",
  options: {
    grants: { type: 'string' },
    junit: { type: 'string' },
    coverage: { type: 'boolean', default: false },
    'coverage-fail': { type: 'boolean', default: false },
    'emit-rego': { type: 'string' },
    engine: { type: 'string' },
    url: { type: 'string' },
    format: { type: 'string', default: 'text' },
  },
  flags: {
    grants: "the grants file for every suite (instead of each suite's grants:)",
    junit: 'write a JUnit XML report (suites that cannot load appear as errors)',
    coverage: 'print which grants the cases exercised',
    'coverage-fail': 'like --coverage, and exit 1 unless every grant is exercised',
    'emit-rego': 'also write each suite as an OPA _test.rego file into this folder',
    engine: 'js (default), wasm, or opa with --url',
    url: 'the OPA server to ask (with --engine opa)',
    format: 'text, or github (annotations on failing cases)',
  },
  notes:
    'exit codes: 0 all passed, 1 a case failed (or a grants file has errors), 2 usage or a suite that cannot load',
});

const USAGE = usageLine('test', spec);

const SUITE_FILE = /\.test\.ya?ml$/;

/** The suite files a folder holds (`*.test.yaml`, `*.test.yml`, at any depth), sorted. */
async function suitesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && SUITE_FILE.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.split(path.sep).includes('node_modules'))
    .sort();
}

/** The suite files the arguments name: files as given, folders expanded (relative to cwd). */
async function suiteFiles(positionals: string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const argument of positionals) {
    const absolute = path.resolve(cwd, argument);
    const isFolder = await stat(absolute).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (!isFolder) {
      files.push(argument);
      continue;
    }
    const found = await suitesIn(absolute);
    if (found.length === 0) throw new UsageError(`no *.test.yaml suite files in ${argument}`);
    files.push(...found.map((file) => path.relative(cwd, file)));
  }
  return [...new Set(files)];
}

/** Revisions seen in the decisions of a run, to catch an OPA serving other grants. */
function revisionsOf(result: SuiteResult): Set<string> {
  const revisions = new Set<string>();
  for (const caseResult of result.results) {
    const revision = caseResult.outcome.decision?.revision;
    if (revision !== undefined && revision !== '') revisions.add(revision);
  }
  return revisions;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, spec.options, USAGE);
  if (positionals.length === 0) throw new UsageError(`no suite file given\n${USAGE}`);
  const engine = parseEngineChoice(values.engine, values.url);
  const format = values.format;
  if (format !== 'text' && format !== 'github') {
    throw new UsageError(`unknown format "${format}" (text or github)`);
  }

  // Load every suite first. One that cannot load is reported (and in the JUnit file) and the
  // others still run; the exit code is then 2.
  const suites: { suite: TestSuite; grantsFile: string }[] = [];
  const loadErrors: SuiteLoadError[] = [];
  for (const file of await suiteFiles(positionals, io.cwd)) {
    const absolute = path.resolve(io.cwd, file);
    let text: string;
    try {
      text = await readGrantsText(absolute);
    } catch (error) {
      const message = `cannot read ${file}: ${errorReason(error)}`;
      io.stderr(`rolecall test: ${message}\n`);
      loadErrors.push({ file, message });
      continue;
    }
    const loaded = loadTestSuite(file, text);
    if (!loaded.ok) {
      printDiagnostics(io, loaded.diagnostics, { [file]: text }, format);
      loadErrors.push({
        file,
        message: renderDiagnostics(loaded.diagnostics, { [file]: text }, 'text'),
      });
      continue;
    }
    const grants =
      values.grants !== undefined
        ? path.resolve(io.cwd, values.grants)
        : loaded.value.grants !== undefined
          ? path.resolve(path.dirname(absolute), loaded.value.grants)
          : undefined;
    if (grants === undefined) {
      const message = `${file} names no grants file; add "grants:" or pass --grants`;
      io.stderr(`rolecall test: ${message}\n`);
      loadErrors.push({ file, message });
      continue;
    }
    suites.push({ suite: loaded.value, grantsFile: grants });
  }

  if (values['emit-rego'] !== undefined) {
    const outDir = path.resolve(io.cwd, values['emit-rego']);
    await mkdir(outDir, { recursive: true });
    const taken = new Set<string>();
    for (const { suite } of suites) {
      // Suites named alike in different folders get a numbered package each.
      let emitted = emitRegoTests(suite);
      for (let number = 2; taken.has(emitted.path); number++) {
        emitted = emitRegoTests(suite, `_${number}`);
      }
      taken.add(emitted.path);
      await writeFile(path.join(outDir, emitted.path), emitted.contents);
      io.stdout(`wrote ${path.relative(io.cwd, path.join(outDir, emitted.path))}\n`);
    }
  }

  const byGrantsFile = new Map<string, typeof suites>();
  for (const entry of suites) {
    byGrantsFile.set(entry.grantsFile, [...(byGrantsFile.get(entry.grantsFile) ?? []), entry]);
  }
  const allResults: SuiteResult[] = [];
  let coverageFailed = false;
  // A grants file with errors fails the run (exit 1, as `rolecall check` would).
  let suitesOfInvalidGrants = 0;
  for (const [grantsFile, group] of byGrantsFile) {
    const label = path.relative(io.cwd, grantsFile) || grantsFile;
    /** The group's suites cannot run: each is reported as not loaded. */
    const groupFailed = (message: string): number => {
      for (const { suite } of group) loadErrors.push({ file: suite.file, message });
      return group.length;
    };
    let text: string;
    try {
      text = await readGrantsText(grantsFile);
    } catch (error) {
      const message = `cannot read grants file ${label}: ${errorReason(error)}`;
      io.stderr(`rolecall test: ${message}\n`);
      groupFailed(message);
      continue;
    }
    const resolved = resolveGrantsText(label, text);
    // Warnings of a valid file are printed too, as `rolecall check` would (on stderr).
    if (!resolved.ok || resolved.diagnostics.length > 0) {
      printDiagnostics(io, resolved.diagnostics, { [label]: text }, format);
    }
    if (!resolved.ok) {
      suitesOfInvalidGrants += groupFailed(
        renderDiagnostics(resolved.diagnostics, { [label]: text }, 'text'),
      );
      continue;
    }
    const policy = resolved.value;
    const evaluator = await openEvaluator(engine, policy);
    const results: SuiteResult[] = [];
    try {
      for (const { suite } of group) results.push(await runTestSuite(suite, evaluator));
    } finally {
      await evaluator.close();
    }
    if (engine.engine === 'opa') {
      const served = [...new Set(results.flatMap((result) => [...revisionsOf(result)]))];
      if (served.some((revision) => revision !== policy.revision)) {
        io.stderr(
          `rolecall test: the OPA at ${engine.url} serves revision ${served.join(', ')}, ` +
            `but ${label} resolves to ${policy.revision}; load the bundle compiled from ${label}\n`,
        );
        return EXIT_USAGE;
      }
    }
    for (const result of results) {
      io.stdout(renderSuiteFailures(result));
      // GitHub turns these workflow commands into annotations on the suite's lines.
      if (format === 'github')
        io.stdout(renderDiagnostics(failuresAsDiagnostics(result), {}, 'github'));
    }
    if (values.coverage || values['coverage-fail']) {
      const coverage = computeCoverage(policy, results);
      io.stdout(`${label} ${renderCoverage(coverage)}`);
      if (!isFullyCovered(coverage)) coverageFailed = true;
    }
    allResults.push(...results);
  }

  if (allResults.length > 0) io.stdout(renderSummary(allResults));
  // After the results are printed, so a report that cannot be written does not hide them.
  if (values.junit !== undefined) {
    const report = path.resolve(io.cwd, values.junit);
    try {
      await mkdir(path.dirname(report), { recursive: true });
      await writeFile(report, renderJunit(allResults, loadErrors));
    } catch (error) {
      io.stderr(`rolecall test: cannot write ${values.junit}: ${errorReason(error)}\n`);
      return EXIT_FAILURE;
    }
  }
  if (loadErrors.length > 0) {
    io.stderr(
      `rolecall test: ${String(loadErrors.length)} suite(s) could not run: ${loadErrors.map((error) => error.file).join(', ')}\n`,
    );
    // Only grants errors: a failure, as `rolecall check` exits; an unusable suite: a usage error.
    const onlyGrants = loadErrors.length === suitesOfInvalidGrants;
    return onlyGrants ? EXIT_FAILURE : EXIT_USAGE;
  }
  const failed = allResults.some((result) => result.failed > 0);
  return failed || (values['coverage-fail'] && coverageFailed) ? EXIT_FAILURE : EXIT_OK;
}
