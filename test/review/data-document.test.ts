// `rolecall test` and `rolecall diff --suite` evaluate the same data document `rolecall compile`
// ships: both come from the core's one builder, and the revision does not depend on the folder
// a grants file is compiled from.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEvaluator, resolveGrantsText } from '../../cli/grants-policy.js';
import { stableJson } from '../../compiler/emit-data/index.js';
import type { Decision } from '../../core/contract.js';
import { buildDataDocument } from '../../core/data-document.js';
import { CONTRACT_GRANTS_YAML } from '../contract/fixture.js';
import { runCli } from '../support/cli-io.js';

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-review-document-'));
  await writeFile(path.join(workDir, 'rolecall.yaml'), CONTRACT_GRANTS_YAML);
  await mkdir(path.join(workDir, 'nested', 'deeper'), { recursive: true });
  await writeFile(path.join(workDir, 'nested', 'deeper', 'grants.yaml'), CONTRACT_GRANTS_YAML);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function compiledData(file: string, out: string): Promise<string> {
  const compiled = await runCli(['compile', file, '-o', out], workDir);
  expect(compiled.code, compiled.stderr).toBe(0);
  return readFile(path.join(workDir, out, 'bundle', 'data.json'), 'utf8');
}

it('the document rolecall test evaluates is byte for byte the data.json compile writes', async () => {
  const shipped = await compiledData('rolecall.yaml', 'out');
  const resolved = resolveGrantsText('rolecall.yaml', CONTRACT_GRANTS_YAML);
  if (!resolved.ok) throw new Error('the contract grants file is valid');
  expect(stableJson(buildDataDocument(resolved.value))).toBe(shipped);
  expect(shipped).toContain('"decision_tables"');

  // And the evaluator rolecall test opens decides with it: same revision, same sources.
  const evaluator = await openEvaluator({ engine: 'js' }, resolved.value);
  const { decisions } = await evaluator.evaluateBatch({
    decisions: [
      {
        subject: { id: 'alice', role: 'user', teams: ['red'], call_role: 'call_member' },
        action: 'SendVideo',
        resource: { kind: 'call', call_type: 'default', id: 'weekly', team: 'red' },
      },
    ],
    query_filters: [],
  });
  await evaluator.close();
  const decision = decisions[0] as Decision;
  const revision = (JSON.parse(shipped) as { rolecall_data: { revision: string } }).rolecall_data
    .revision;
  expect(decision).toMatchObject({ allow: true, reason: 'GRANTED', revision });
  expect(decision.grants[0]?.source).toMatch(/^rolecall\.yaml:\d+:\d+$/);
});

it('the same grants compiled from another folder and file name have the same revision', async () => {
  const revisionOf = (text: string) =>
    (JSON.parse(text) as { rolecall_data: { revision: string } }).rolecall_data.revision;
  const here = await compiledData('rolecall.yaml', 'out-here');
  const there = await compiledData(path.join('nested', 'deeper', 'grants.yaml'), 'out-there');
  expect(here).not.toBe(there);
  expect(revisionOf(there)).toBe(revisionOf(here));
});
