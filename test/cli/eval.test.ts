import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import { packageRoot } from '../../compiler/assets.js';
import { stableJson } from '../../compiler/emit-data/index.js';
import { runOpaOrThrow } from '../../scripts/opa.js';
import { captureCliIo, runCli } from '../support/cli-io.js';
import { opaEvalValue } from '../support/opa-eval.js';

const grantsFile = path.join(
  packageRoot,
  'test',
  'golden',
  'compile-design-example',
  'rolecall.yaml',
);

const sendAudio = {
  subject: { id: 'ann', role: 'user', teams: ['red'], call_role: 'stage_manager' },
  action: 'SendAudio',
  resource: { kind: 'call', call_type: 'town_hall', id: 'all-hands', team: 'red' },
};
const revokedVideo = {
  subject: { id: 'bob', role: 'user', teams: ['red'], call_role: 'call_member' },
  action: 'SendVideo',
  resource: {
    kind: 'call',
    call_type: 'default',
    id: 'weekly',
    team: 'red',
    config_overrides: { grants: { call_member: ['!send-video'] } },
  },
};
const guestDefault = {
  subject: { id: 'gus', role: 'guest', teams: ['red'], call_role: 'call_member' },
  action: 'JoinCall',
  resource: { kind: 'call', call_type: 'default', id: 'weekly', team: 'blue' },
};
const inputs = [sendAudio, revokedVideo, guestDefault];

const queryUsers = {
  subject: { id: 'ann', role: 'user', teams: ['red'] },
  action: 'QueryUsers',
  query: { filter_conditions: { name: 'x' } },
};

let workDir: string;

/** Runs `rolecall eval` in-process and returns exit code, parsed stdout and stderr. */
async function evalCli(args: string[], stdin = '') {
  const { code, stdout, stderr } = await runCli(['eval', ...args], workDir, stdin);
  return { code, output: code === 0 ? (JSON.parse(stdout) as unknown) : undefined, err: stderr };
}

/** The real OPA's answer for one input at a rule of package rolecall. */
async function opaAnswer(rule: string, input: unknown): Promise<unknown> {
  const stdout = await runOpaOrThrow(
    [
      'eval',
      '-f',
      'json',
      '-b',
      path.join(workDir, 'out', 'bundle'),
      '-I',
      `data.rolecall.${rule}`,
    ],
    { input: JSON.stringify(input) },
  );
  return opaEvalValue(stdout);
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'rolecall-eval-'));
  await writeFile(path.join(workDir, 'rolecall.yaml'), await readFile(grantsFile, 'utf8'));
  const io = captureCliIo(workDir);
  if ((await main(['compile', 'rolecall.yaml', '-o', 'out'], io)) !== 0) throw new Error(io.out());
  await writeFile(path.join(workDir, 'one.json'), JSON.stringify(sendAudio));
  await writeFile(path.join(workDir, 'many.json'), JSON.stringify(inputs));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('rolecall eval: single input', () => {
  it('answers rolecall/decision by default, as the real OPA does', async () => {
    const { code, output } = await evalCli(['out', '--input', 'one.json']);
    expect(code).toBe(0);
    expect(output).toMatchObject({ allow: true, reason: 'GRANTED' });
    expect(stableJson(output)).toBe(stableJson(await opaAnswer('decision', sendAudio)));
  });

  it('reads the same from DIR, DIR/bundle and bundle.tar.gz', async () => {
    const fromDir = await evalCli(['out', '--input', 'one.json']);
    const fromBundleDir = await evalCli(['out/bundle', '--input', 'one.json']);
    const fromArchive = await evalCli(['out/bundle.tar.gz', '--input', 'one.json']);
    expect(fromBundleDir.output).toEqual(fromDir.output);
    expect(fromArchive.output).toEqual(fromDir.output);
  });

  it('reads a bundle.tar.gz packed with tar -C bundle . (entries named ./data.json)', async () => {
    // The SDK's bundle reader, which eval shares, takes entry names with or without "./".
    await createTar(
      {
        gzip: true,
        cwd: path.join(workDir, 'out', 'bundle'),
        file: path.join(workDir, 'dot.tar.gz'),
      },
      ['.'],
    );
    const fromDotted = await evalCli(['dot.tar.gz', '--input', 'one.json']);
    expect(fromDotted.err).toBe('');
    expect(fromDotted.output).toEqual((await evalCli(['out', '--input', 'one.json'])).output);
  });

  it('reads standard input with -', async () => {
    const { code, output } = await evalCli(['out', '--input', '-'], JSON.stringify(revokedVideo));
    expect(code).toBe(0);
    expect(output).toMatchObject({ allow: false, reason: 'REVOKED' });
    expect(stableJson(output)).toBe(stableJson(await opaAnswer('decision', revokedVideo)));
  });

  it('evaluates other entrypoints like the real OPA', async () => {
    for (const rule of ['allow', 'capabilities']) {
      const { output } = await evalCli([
        'out',
        '-i',
        'one.json',
        '--entrypoint',
        `rolecall/${rule}`,
      ]);
      expect(stableJson(output), rule).toBe(stableJson(await opaAnswer(rule, sendAudio)));
    }
    const filter = await evalCli(
      ['out', '-i', '-', '-e', 'rolecall/query_filter'],
      JSON.stringify(queryUsers),
    );
    expect(filter.output).toMatchObject({ allow: true, injected: true });
    expect(stableJson(filter.output)).toBe(stableJson(await opaAnswer('query_filter', queryUsers)));
  });

  it('answers INVALID_INPUT for a top-level null, false, 0 or ""', async () => {
    const manifestText = await readFile(path.join(workDir, 'out', 'bundle', '.manifest'), 'utf8');
    const { revision } = JSON.parse(manifestText) as { revision: string };
    for (const value of ['null', 'false', '0', '""']) {
      const { code, output } = await evalCli(['out', '-i', '-'], value);
      expect(code, value).toBe(0);
      expect(output, value).toMatchObject({ allow: false, reason: 'INVALID_INPUT', revision });
    }
    const allow = await evalCli(['out', '-i', '-', '-e', 'rolecall/allow'], 'null');
    expect(allow.output).toBe(false);
    const capabilities = await evalCli(['out', '-i', '-', '-e', 'capabilities'], 'false');
    expect(capabilities.output).toEqual([]);
    const capabilityList = await evalCli(['out', '-i', '-', '-e', 'capabilities'], '[null, ""]');
    expect(capabilityList.output).toEqual([[], []]);
    const batch = await evalCli(['out', '-i', '-', '-e', 'batch'], 'null');
    expect(batch.output).toEqual({ decisions: [], query_filters: [] });
    const filter = await evalCli(['out', '-i', '-', '-e', 'rolecall/query_filter'], '0');
    expect(filter.output).toMatchObject({ allow: false, reason: 'INVALID_INPUT', filter: null });
  });

  it('answers INVALID_INPUT for a string with a lone surrogate instead of throwing', async () => {
    const input = JSON.stringify({ ...sendAudio, action: 'Send\\ud800Audio' }).replace(
      '\\\\ud800',
      '\\ud800',
    );
    const { code, output } = await evalCli(['out', '-i', '-'], input);
    expect(code).toBe(0);
    expect(output).toMatchObject({ allow: false, reason: 'INVALID_INPUT' });
  });
});

describe('rolecall eval: array input', () => {
  it('answers in order with the same results as single evaluations', async () => {
    const { code, output } = await evalCli(['out', '--input', 'many.json']);
    expect(code).toBe(0);
    const singles = [];
    for (const input of inputs) {
      singles.push((await evalCli(['out', '-i', '-'], JSON.stringify(input))).output);
    }
    expect(output).toEqual(singles);
    expect((output as { reason: string }[]).map((item) => item.reason)).toEqual([
      'GRANTED',
      'REVOKED',
      'TEAM_MISMATCH',
    ]);
  });

  it('matches the real OPA item by item, for decision, allow and capabilities', async () => {
    for (const rule of ['decision', 'allow', 'capabilities']) {
      const { output } = await evalCli(['out', '-i', 'many.json', '-e', rule]);
      const expected = [];
      for (const input of inputs) expected.push(await opaAnswer(rule, input));
      expect(stableJson(output), rule).toBe(stableJson(expected));
    }
  });

  it('answers query filters in order', async () => {
    const calls = {
      ...queryUsers,
      action: 'QueryCalls',
      query: { filter_conditions: { team: 'red' } },
    };
    const { output } = await evalCli(
      ['out', '-i', '-', '-e', 'query_filter'],
      JSON.stringify([queryUsers, calls]),
    );
    const expected = [
      await opaAnswer('query_filter', queryUsers),
      await opaAnswer('query_filter', calls),
    ];
    expect(stableJson(output)).toBe(stableJson(expected));
  });

  it('keeps malformed items in place as INVALID_INPUT', async () => {
    const { output } = await evalCli(['out', '-i', '-'], JSON.stringify([null, sendAudio, 0, [1]]));
    const reasons = (output as { reason: string }[]).map((item) => item.reason);
    expect(reasons).toEqual(['INVALID_INPUT', 'GRANTED', 'INVALID_INPUT', 'INVALID_INPUT']);
  });

  it('passes batch inputs to rolecall/batch as they are, one by one for an array', async () => {
    const batchInput = { decisions: inputs, query_filters: [queryUsers] };
    const single = await evalCli(['out', '-i', '-', '-e', 'batch'], JSON.stringify(batchInput));
    expect(stableJson(single.output)).toBe(stableJson(await opaAnswer('batch', batchInput)));
    const list = await evalCli(['out', '-i', '-', '-e', 'batch'], JSON.stringify([batchInput]));
    expect(list.output).toEqual([single.output]);
  });

  it('answers an empty array with an empty array', async () => {
    expect((await evalCli(['out', '-i', '-'], '[]')).output).toEqual([]);
  });
});

describe('rolecall eval: unusable input exits 2', () => {
  it('on bad JSON, naming the problem', async () => {
    const { code, err } = await evalCli(['out', '-i', '-'], '{"subject":');
    expect(code).toBe(2);
    expect(err).toContain('standard input is not valid JSON');
  });

  it('on a missing input file', async () => {
    const { code, err } = await evalCli(['out', '-i', 'missing.json']);
    expect(code).toBe(2);
    expect(err).toContain('cannot read input missing.json: no such file');
  });

  it('on a missing bundle, a file that is no bundle, or a bad entrypoint', async () => {
    expect((await evalCli(['nowhere', '-i', 'one.json'])).code).toBe(2);
    const notBundle = await evalCli(['one.json', '-i', 'one.json']);
    expect(notBundle.code).toBe(2);
    // A .json file is read as a data.json (the JS engine needs nothing else).
    expect(notBundle.err).toContain(
      'one.json is not a usable bundle: policy data has neither rolecall_data nor a revision',
    );
    const notArchive = await evalCli(['one.json', '-i', 'one.json', '--engine', 'wasm']);
    expect(notArchive.code).toBe(2);
    expect(notArchive.err).toContain(
      'one.json is not a usable bundle: bundle is not a gzip archive',
    );
    expect((await evalCli(['out', '-i', 'one.json', '-e', 'rolecall/nope'])).code).toBe(2);
    expect((await evalCli(['out'])).code).toBe(2);
  });

  it('naming the file of a bundle folder that is missing or broken', async () => {
    const folder = path.join(workDir, 'half');
    await mkdir(folder, { recursive: true });
    await copyFile(
      path.join(workDir, 'out', 'bundle', 'data.json'),
      path.join(folder, 'data.json'),
    );
    // The JS engine (the default) reads data.json only; WASM needs policy.wasm too.
    expect((await evalCli(['half', '-i', 'one.json'])).code).toBe(0);
    const noWasm = await evalCli(['half', '-i', 'one.json', '--engine', 'wasm']);
    expect(noWasm.code).toBe(2);
    expect(noWasm.err).toBe(
      `rolecall eval: cannot read bundle ${path.join('half', 'policy.wasm')}: no such file\n`,
    );
    await copyFile(
      path.join(workDir, 'out', 'bundle', 'policy.wasm'),
      path.join(folder, 'policy.wasm'),
    );
    await writeFile(path.join(folder, 'data.json'), '{"rolecall_data":');
    const badData = await evalCli(['half', '-i', 'one.json']);
    expect(badData.code).toBe(2);
    expect(badData.err).toContain('half is not a usable bundle: policy data is not valid JSON');
  });
});

describe('rolecall eval: quick questions and the table format', () => {
  const question = [
    'out',
    '--subject',
    'bob',
    '--role',
    'user',
    '--teams',
    'red',
    '--action',
    'SendVideo',
    '--call',
    'default:weekly',
    '--call-team',
    'red',
    '--call-role',
    'call_member',
  ];

  it('builds the decision input from flags and answers as --input does', async () => {
    const asked = await evalCli([...question, '--format', 'json']);
    expect(asked.code).toBe(0);
    const input = {
      subject: { id: 'bob', role: 'user', teams: ['red'], call_role: 'call_member' },
      action: 'SendVideo',
      resource: { kind: 'call', call_type: 'default', id: 'weekly', team: 'red' },
      context: { side: 'client' },
    };
    expect(stableJson(asked.output)).toBe(stableJson(await opaAnswer('decision', input)));
  });

  it('prints one line per answer with --format table, the reason first', async () => {
    const table = await runCli(['eval', ...question, '--format', 'table'], workDir);
    expect(table.code).toBe(0);
    const decision = (await evalCli([...question, '--format', 'json'])).output as {
      reason: string;
      message: string;
    };
    expect(table.stdout).toBe(`${decision.reason} ${decision.message}\n`);
    const many = await runCli(
      ['eval', 'out', '--input', 'many.json', '--format', 'table'],
      workDir,
    );
    const lines = many.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(inputs.length);
    // The reasons form one padded column.
    const width = Math.max(...lines.map((line) => line.split(' ')[0]?.length ?? 0));
    for (const line of lines) expect(line.charAt(width)).toBe(' ');
  });

  it('picks the table on a terminal and JSON in a pipe', async () => {
    const piped = captureCliIo(workDir);
    expect(await main(['eval', 'out', '--input', 'one.json'], piped)).toBe(0);
    expect(() => JSON.parse(piped.out()) as unknown).not.toThrow();
    const terminal = { ...captureCliIo(workDir), isTTY: true };
    const lines: string[] = [];
    terminal.stdout = (text) => lines.push(text);
    expect(await main(['eval', 'out', '--input', 'one.json'], terminal)).toBe(0);
    expect(lines.join('')).toMatch(/^GRANTED /);
  });

  it('suggests the known action, role or call type for a typo (exit 2)', async () => {
    const action = await runCli(['eval', 'out', '--action', 'JoinCal'], workDir);
    expect(action.code).toBe(2);
    expect(action.stderr).toContain('unknown action "JoinCal"; did you mean "JoinCall"?');
    const role = await runCli(['eval', 'out', '--action', 'JoinCall', '--role', 'usr'], workDir);
    expect(role.stderr).toContain('unknown role "usr"; did you mean "user"?');
    const callType = await runCli(
      ['eval', 'out', '--action', 'JoinCall', '--call', 'defualt:weekly'],
      workDir,
    );
    expect(callType.stderr).toContain('unknown call type "defualt"; did you mean "default"?');
  });

  it('refuses a question and --input together, or a question without --action', async () => {
    expect(
      (await runCli(['eval', 'out', '--input', 'one.json', '--role', 'user'], workDir)).code,
    ).toBe(2);
    expect((await runCli(['eval', 'out', '--role', 'user'], workDir)).stderr).toContain(
      'needs --action',
    );
    expect(
      (await runCli(['eval', 'out', '--action', 'JoinCall', '--call', 'weekly'], workDir)).stderr,
    ).toContain('must be TYPE:ID');
  });

  it('refuses an OPA --url that is not http(s), as a usage error', async () => {
    for (const url of ['file:///etc/passwd', 'mailto:x', 'ftp://127.0.0.1/']) {
      const run = await runCli(
        ['eval', 'out', '--action', 'JoinCall', '--engine', 'opa', '--url', url],
        workDir,
      );
      expect([run.code, run.stderr.trim()], url).toEqual([
        2,
        `rolecall eval: --url "${url}" is not an http(s) URL of a running OPA`,
      ]);
    }
  });
});
