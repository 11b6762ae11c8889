// Policy test suites: load a YAML suite, run it through an evaluator, and report (text, JUnit,
// coverage, or `_test.rego` for `opa test`).
export { loadTestSuite } from './load.js';
export { runTestSuite, canonicalJson } from './run.js';
export { failuresAsDiagnostics, renderSuiteFailures, renderSummary } from './report.js';
export { renderJunit, type SuiteLoadError } from './junit.js';
export { computeCoverage, isFullyCovered, renderCoverage, type Coverage } from './coverage.js';
export { emitRegoTests } from './emit-rego.js';
export type * from './types.js';
