import { describe, expect, it } from 'vitest';
import { main } from '../../cli/run.js';
import { captureCliIo, runCli } from '../support/cli-io.js';

const suite = 'templates/init/rolecall.test.yaml';

describe('rolecall CLI dispatch', () => {
  it('exits 2 with usage on no command', async () => {
    const io = captureCliIo(process.cwd());
    expect(await main([], io)).toBe(2);
    expect(io.err()).toContain('usage: rolecall');
  });

  it('exits 2 on an unknown command and names it', async () => {
    const io = captureCliIo(process.cwd());
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
    expect(io.err()).not.toContain('did you mean');
  });

  it('names the closest command and flag for a typo', async () => {
    const command = await runCli(['chek', 'rolecall.yaml'], process.cwd());
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "chek"; did you mean "check"?');
    const flag = await runCli(['check', suite, '--formt', 'json'], process.cwd());
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      'rolecall check: unknown option "--formt"; did you mean "--format"?\n',
    );
    const far = await runCli(['check', suite, '--zzzzzz'], process.cwd());
    expect(far.stderr).toBe(
      'rolecall check: unknown option "--zzzzzz"; see --help for the flags\n',
    );
  });
});

describe('--engine and --url of the evaluating commands', () => {
  it.each([
    [['--engine', 'cedar'], 'unknown --engine "cedar"; use js, wasm or opa'],
    [['--engine', 'opa'], '--engine opa needs --url URL of a running OPA'],
    [['--url', 'http://127.0.0.1:1'], '--url needs --engine opa'],
    [
      ['--engine', 'opa', '--url', 'not a url'],
      '--url "not a url" is not an http(s) URL of a running OPA',
    ],
  ])('test and eval refuse %j alike (exit 2)', async (flags, message) => {
    const test = await runCli(['test', suite, ...flags], process.cwd());
    const evaluate = await runCli(
      ['eval', 'bundle', '--input', '-', ...flags],
      process.cwd(),
      '{}',
    );
    expect(test).toEqual({ code: 2, stdout: '', stderr: `rolecall test: ${message}\n` });
    expect(evaluate).toEqual({ code: 2, stdout: '', stderr: `rolecall eval: ${message}\n` });
  });
});
