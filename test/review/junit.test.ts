// `rolecall test --junit`: the XML is parsed by a strict well-formedness checker (no XML parser
// ships with the project) and checked against the structure of the Jenkins/Ant JUnit XSD.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import { renderJunit, type SuiteResult } from '../../review/test-suite/index.js';
import { captureCliIo } from '../support/cli-io.js';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`raw "<" in text or attribute near offset ${at}`);
  return raw.replace(/&([^;]*);|&/g, (match, body: string | undefined) => {
    if (body === undefined) throw new Error(`bare "&" near offset ${at}`);
    const numeric = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(body);
    if (numeric?.[1] !== undefined) {
      const value = numeric[1];
      return String.fromCodePoint(
        value.startsWith('x') ? parseInt(value.slice(1), 16) : Number(value),
      );
    }
    const named = ENTITIES[body];
    if (named === undefined) throw new Error(`unknown entity ${match} near offset ${at}`);
    return named;
  });
}

/**
 * A strict parser for the XML subset JUnit reports use (declaration, elements, attributes,
 * text, entities). It throws on anything not well-formed: unclosed or crossed tags, raw `<` or
 * `&`, duplicate or unquoted attributes, text outside the root, a second root.
 */
function parseXml(xml: string): XmlElement {
  let position = 0;
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n?/.exec(xml);
  if (declaration === null) throw new Error('missing XML declaration');
  position = declaration[0].length;
  const stack: XmlElement[] = [];
  let rootElement: XmlElement | undefined;
  while (position < xml.length) {
    const next = xml.indexOf('<', position);
    const text = xml.slice(position, next === -1 ? xml.length : next);
    const parent = stack.at(-1);
    if (parent === undefined) {
      if (text.trim() !== '') throw new Error(`text outside the root element at ${position}`);
    } else {
      parent.text += decodeEntities(text, position);
    }
    if (next === -1) break;
    position = next;
    if (xml.startsWith('</', position)) {
      const close = /^<\/([A-Za-z_:][A-Za-z0-9_.:-]*)\s*>/.exec(xml.slice(position));
      const open = stack.pop();
      if (close === null || open === undefined || close[1] !== open.name) {
        throw new Error(`mismatched closing tag at ${position}`);
      }
      position += close[0].length;
      continue;
    }
    position += 1;
    const name = NAME.exec(xml.slice(position))?.[0];
    if (name === undefined) throw new Error(`bad tag name at ${position}`);
    position += name.length;
    const element: XmlElement = { name, attributes: {}, children: [], text: '' };
    for (;;) {
      const space = /^\s*/.exec(xml.slice(position))?.[0] ?? '';
      position += space.length;
      if (xml.startsWith('/>', position) || xml.startsWith('>', position)) break;
      if (space === '') throw new Error(`attributes must be separated by space at ${position}`);
      const attribute = /^([A-Za-z_:][A-Za-z0-9_.:-]*)="([^"]*)"/.exec(xml.slice(position));
      if (attribute?.[1] === undefined || attribute[2] === undefined) {
        throw new Error(`bad attribute at ${position}`);
      }
      if (attribute[1] in element.attributes)
        throw new Error(`duplicate attribute ${attribute[1]}`);
      element.attributes[attribute[1]] = decodeEntities(attribute[2], position);
      position += attribute[0].length;
    }
    const selfClosing = xml.startsWith('/>', position);
    position += selfClosing ? 2 : 1;
    if (parent === undefined) {
      if (rootElement !== undefined) throw new Error('a second root element');
      rootElement = element;
    } else {
      parent.children.push(element);
    }
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed element <${stack.at(-1)?.name ?? ''}>`);
  if (rootElement === undefined) throw new Error('no root element');
  return rootElement;
}

const isCount = (value: string | undefined): boolean => value !== undefined && /^\d+$/.test(value);
const isTime = (value: string | undefined): boolean =>
  value !== undefined && /^\d+(\.\d+)?$/.test(value);

/** The structure of the Jenkins/Ant JUnit XSD: element names, required attributes, counts. */
function checkJunitStructure(root: XmlElement): void {
  expect(root.name).toBe('testsuites');
  for (const key of ['tests', 'failures', 'errors'])
    expect(isCount(root.attributes[key])).toBe(true);
  expect(isTime(root.attributes['time'])).toBe(true);
  let total = 0;
  let failures = 0;
  for (const suite of root.children) {
    expect(suite.name).toBe('testsuite');
    expect(suite.attributes['name']).toBeTruthy();
    for (const key of ['tests', 'failures', 'errors', 'skipped']) {
      expect(isCount(suite.attributes[key])).toBe(true);
    }
    expect(isTime(suite.attributes['time'])).toBe(true);
    let suiteFailures = 0;
    for (const testCase of suite.children) {
      expect(testCase.name).toBe('testcase');
      expect(testCase.attributes['name']).toBeTruthy();
      expect(testCase.attributes['classname']).toBeTruthy();
      expect(isTime(testCase.attributes['time'])).toBe(true);
      for (const child of testCase.children) {
        expect(['failure', 'error', 'skipped', 'system-out', 'system-err']).toContain(child.name);
        if (child.name === 'failure') {
          expect(child.attributes['message']).toBeTruthy();
          expect(child.attributes['type']).toBeTruthy();
          suiteFailures += 1;
        }
      }
    }
    expect(Number(suite.attributes['tests'])).toBe(suite.children.length);
    expect(Number(suite.attributes['failures'])).toBe(suiteFailures);
    total += suite.children.length;
    failures += suiteFailures;
  }
  expect(Number(root.attributes['tests'])).toBe(total);
  expect(Number(root.attributes['failures'])).toBe(failures);
}

const root = path.resolve(import.meta.dirname, '..', '..');
const templateGrants = path.join(root, 'templates', 'init', 'rolecall.yaml');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'rolecall-junit-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the XML checker', () => {
  it('rejects malformed XML, so a broken report cannot pass', () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${head}<a><b></a></b>`)).toThrow(/mismatched/);
    expect(() => parseXml(`${head}<a x="1" x="2"/>`)).toThrow(/duplicate/);
    expect(() => parseXml(`${head}<a>fish & chips</a>`)).toThrow(/bare "&"/);
    expect(() => parseXml(`${head}<a x="<"/>`)).toThrow(/raw "<"/);
    expect(() => parseXml(`${head}<a>`)).toThrow(/unclosed/);
    expect(() => parseXml(`${head}<a/><b/>`)).toThrow(/second root/);
    expect(() => parseXml('<a/>')).toThrow(/declaration/);
    expect(parseXml(`${head}<a k="&lt;&#10;">x &amp; y<b/></a>`)).toEqual({
      name: 'a',
      attributes: { k: '<\n' },
      children: [{ name: 'b', attributes: {}, children: [], text: '' }],
      text: 'x & y',
    });
  });
});

/** The `time` attribute in seconds. */
const timeOf = (element: XmlElement | undefined): number => Number(element?.attributes['time']);

/**
 * Times that hold whatever the machine's speed: none negative, each case within its suite, each
 * suite within the total, and the cases of a suite adding up to no more than the suite (up to the
 * rounding of each printed time to the microsecond).
 */
function checkJunitTimes(root: XmlElement): void {
  const rounding = 1e-6;
  expect(timeOf(root)).toBeGreaterThanOrEqual(0);
  let suitesTotal = 0;
  for (const suite of root.children) {
    expect(timeOf(suite)).toBeLessThanOrEqual(timeOf(root));
    let casesTotal = 0;
    for (const testCase of suite.children) {
      expect(timeOf(testCase)).toBeGreaterThanOrEqual(0);
      expect(timeOf(testCase)).toBeLessThanOrEqual(timeOf(suite));
      casesTotal += timeOf(testCase);
    }
    expect(casesTotal).toBeLessThanOrEqual(timeOf(suite) + (suite.children.length + 1) * rounding);
    suitesTotal += timeOf(suite);
  }
  expect(suitesTotal).toBeLessThanOrEqual(timeOf(root) + (root.children.length + 1) * rounding);
}

/** A result of one suite whose cases took the given milliseconds, all passing. */
function timedResult(name: string, caseMs: number[], suiteMs: number): SuiteResult {
  const suite = { file: `${name}.test.yaml`, name, cases: [] };
  const results = caseMs.map((durationMs, index) => ({
    case: {
      name: `case ${String(index + 1)}`,
      index,
      span: { file: suite.file, line: index + 1, column: 1, endLine: index + 1, endColumn: 2 },
      expect: {},
    },
    outcome: {},
    mismatches: [],
    passed: true,
    durationMs,
  }));
  return { suite, results, passed: results.length, failed: 0, durationMs: suiteMs };
}

describe('renderJunit times', () => {
  it('writes each case, suite and the total in seconds', () => {
    const document = parseXml(
      renderJunit([timedResult('first', [3, 0.25], 4), timedResult('second', [1500], 1500.5)]),
    );
    checkJunitStructure(document);
    checkJunitTimes(document);
    expect(document.attributes['time']).toBe('1.504500');
    const [first, second] = document.children;
    expect(first?.attributes['time']).toBe('0.004000');
    expect(first?.children.map((testCase) => testCase.attributes['time'])).toEqual([
      '0.003000',
      '0.000250',
    ]);
    expect(second?.attributes['time']).toBe('1.500500');
    expect(second?.children[0]?.attributes['time']).toBe('1.500000');
  });
});

describe('rolecall test --junit', () => {
  it('writes one testsuite per suite file when suites use different grants files', async () => {
    const junitFile = path.join(work, 'two.xml');
    const suites = ['templates/init/rolecall.test.yaml', 'examples/video-saas/rolecall.test.yaml'];
    expect(await main(['test', ...suites, '--junit', junitFile], captureCliIo(root))).toBe(0);
    const document = parseXml(await readFile(junitFile, 'utf8'));
    checkJunitStructure(document);
    checkJunitTimes(document);
    // Evaluating more than a hundred cases takes longer than the microsecond the times show.
    expect(timeOf(document)).toBeGreaterThan(0);
    expect(document.children.map((suite) => suite.attributes['file'])).toEqual(suites);
    expect(document.attributes['failures']).toBe('0');
    expect(Number(document.attributes['tests'])).toBeGreaterThan(100);
  });

  it('writes one testcase per case, failures with expected vs actual, escaped names', async () => {
    const suite = path.join(work, 'junit.test.yaml');
    await writeFile(
      suite,
      `grants: ${JSON.stringify(templateGrants)}
name: "billing <&> \\"quotes\\""
fixtures:
  subjects:
    member: { id: alice, role: user, teams: [red], call_role: call_member }
  resources:
    red_call: { kind: call, call_type: default, id: red-1, team: red }
cases:
  - name: "member sends <video> & audio"
    subject: member
    action: SendVideo
    resource: red_call
    expect: { allow: true }
  - name: expects a revoke
    subject: member
    action: SendVideo
    resource: red_call
    expect: { allow: false, reason: REVOKED }
  - name: guest query
    subject: { id: g, role: guest, teams: [red] }
    query: { kind: users }
    expect: { reason: INJECTED }
`,
    );
    const junitFile = path.join(work, 'out.xml');
    expect(await main(['test', suite, '--junit', junitFile], captureCliIo(work))).toBe(1);
    const document = parseXml(await readFile(junitFile, 'utf8'));
    checkJunitStructure(document);
    checkJunitTimes(document);
    expect(document.attributes).toMatchObject({ tests: '3', failures: '1' });
    const [testSuite] = document.children;
    expect(testSuite?.attributes['name']).toBe('billing <&> "quotes"');
    const cases = testSuite?.children ?? [];
    expect(cases.map((testCase) => testCase.attributes['name'])).toEqual([
      'member sends <video> & audio',
      'expects a revoke',
      'guest query',
    ]);
    const failure = cases[1]?.children[0];
    expect(failure?.name).toBe('failure');
    expect(failure?.attributes['message']).toBe(
      'expected allow false, got true; expected reason "REVOKED", got "GRANTED"',
    );
    expect(failure?.text).toMatch(/junit\.test\.yaml:14:11\n/);
    expect(failure?.text).toContain('engine: allow GRANTED');
    expect(cases[1]?.attributes['line']).toBe('14');
  });

  it('reports a suite that cannot load as an errored suite, and still runs the others', async () => {
    const folder = path.join(work, 'suites');
    await mkdir(path.join(folder, 'nested'), { recursive: true });
    await writeFile(
      path.join(folder, 'good.test.yaml'),
      `grants: ${JSON.stringify(templateGrants)}
cases:
  - name: member joins
    subject: { id: alice, role: user, teams: [red], call_role: call_member }
    action: JoinCall
    resource: { kind: call, call_type: default, id: red-1, team: red }
    expect: { allow: true }
`,
    );
    await writeFile(
      path.join(folder, 'nested', 'broken.test.yaml'),
      `grants: ${JSON.stringify(templateGrants)}\ncases:\n  - name: no expectation\n    subjekt: x\n`,
    );
    // Not a suite: a folder stands for its *.test.yaml files only.
    await writeFile(path.join(folder, 'notes.yaml'), 'not: a suite\n');
    const junitFile = path.join(work, 'folder.xml');
    const io = captureCliIo(work);
    expect(await main(['test', 'suites', '--junit', junitFile], io)).toBe(2);
    expect(io.out()).toMatch(/^1 passed, 0 failed$/m);
    expect(io.err()).toContain('1 suite(s) could not run: suites/nested/broken.test.yaml');
    const document = parseXml(await readFile(junitFile, 'utf8'));
    checkJunitStructure(document);
    expect(document.attributes).toMatchObject({ tests: '2', failures: '0', errors: '1' });
    const names = document.children.map((suite) => suite.attributes['file']);
    expect(names).toEqual(['suites/nested/broken.test.yaml', 'suites/good.test.yaml']);
    const error = document.children[0]?.children[0]?.children[0];
    expect(error?.name).toBe('error');
    expect(error?.text).toContain('subjekt');
  });

  it('refuses a folder without suites (exit 2)', async () => {
    await mkdir(path.join(work, 'empty-suites'), { recursive: true });
    const io = captureCliIo(work);
    expect(await main(['test', 'empty-suites'], io)).toBe(2);
    expect(io.err()).toContain('no *.test.yaml suite files in empty-suites');
  });
});
