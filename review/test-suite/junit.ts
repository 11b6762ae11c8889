// Renders suite results as JUnit XML (the Jenkins/Ant schema CI systems read): one <testsuite>
// per suite file, one <testcase> per case, a <failure> with expected vs actual on a failing case.
import { describeAnswer, describeMismatch } from './report.js';
import type { SuiteResult } from './types.js';

/** Escapes text for XML content and attributes; drops characters XML 1.0 cannot carry. */
function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replaceAll('\n', '&#10;')
    .replaceAll('\r', '&#13;')
    .replaceAll('\t', '&#9;');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
}

/**
 * JUnit times are seconds. Microsecond precision: a batched case takes well under a millisecond,
 * and would read 0 at the usual three digits.
 */
function seconds(durationMs: number): string {
  return (Math.max(0, durationMs) / 1000).toFixed(6);
}

/** A suite that could not run (unreadable, invalid, or its grants file invalid). */
export interface SuiteLoadError {
  file: string;
  message: string;
}

/** A suite that did not load, as a suite of one errored case, so CI shows it beside the others. */
function loadErrorLines(error: SuiteLoadError): string[] {
  return [
    `  <testsuite${attributes({ name: error.file, tests: 1, failures: 0, errors: 1, skipped: 0, time: seconds(0), file: error.file })}>`,
    `    <testcase${attributes({ name: 'load the suite', classname: error.file, time: seconds(0), file: error.file })}>`,
    `      <error${attributes({ message: error.message.split('\n')[0] ?? '', type: 'SuiteLoadError' })}>${escapeXml(error.message)}</error>`,
    '    </testcase>',
    '  </testsuite>',
  ];
}

export function renderJunit(
  results: readonly SuiteResult[],
  loadErrors: readonly SuiteLoadError[] = [],
): string {
  const total = results.reduce((sum, result) => sum + result.results.length, 0) + loadErrors.length;
  const failures = results.reduce((sum, result) => sum + result.failed, 0);
  const totalMs = results.reduce((sum, result) => sum + result.durationMs, 0);
  const time = seconds(totalMs);
  const errors = loadErrors.length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'rolecall', tests: total, failures, errors, time })}>`,
  ];
  for (const error of loadErrors) lines.push(...loadErrorLines(error));
  for (const result of results) {
    lines.push(
      `  <testsuite${attributes({
        name: result.suite.name,
        tests: result.results.length,
        failures: result.failed,
        errors: 0,
        skipped: 0,
        time: seconds(result.durationMs),
        file: result.suite.file,
      })}>`,
    );
    for (const caseResult of result.results) {
      const { span, name } = caseResult.case;
      const caseAttributes = attributes({
        name,
        classname: result.suite.name,
        time: seconds(caseResult.durationMs),
        file: span.file,
        line: span.line,
      });
      if (caseResult.passed) {
        lines.push(`    <testcase${caseAttributes}/>`);
        continue;
      }
      const message = caseResult.mismatches.map(describeMismatch).join('; ');
      const body = [
        `${span.file}:${span.line}:${span.column}`,
        ...caseResult.mismatches.map(describeMismatch),
        `engine: ${describeAnswer(caseResult)}`,
      ].join('\n');
      lines.push(
        `    <testcase${caseAttributes}>`,
        `      <failure${attributes({ message, type: 'PolicyMismatch' })}>${escapeXml(body)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
