// Every command answers --help and -h with exit 0 and one line for every flag its parser
// accepts (read from the same spec the parser uses, so a new flag without help fails here and
// in the type checker); `rolecall help COMMAND`, `--version` and the overview work too.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../compiler/assets.js';
import { commands, main } from '../../cli/run.js';
import { runCli } from '../support/cli-io.js';

const names = Object.keys(commands);

describe('rolecall COMMAND --help', () => {
  it('knows every command of the overview', async () => {
    const overview = await runCli(['--help'], process.cwd());
    expect(overview.code).toBe(0);
    for (const name of names) expect(overview.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it.each(names)('%s --help and -h list every flag the parser accepts, exit 0', async (name) => {
    const { spec } = await (commands[name] as () => Promise<{ spec: { options: object } }>)();
    for (const flag of ['--help', '-h']) {
      const help = await runCli([name, flag], process.cwd());
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(new RegExp(`^usage: rolecall ${name}`));
      for (const option of Object.keys(spec.options)) {
        // Each flag on its own line, with its help text after it.
        expect(help.stdout).toMatch(new RegExp(`^  (-\\w, )?--${option}( \\S+)? {2,}\\S`, 'm'));
      }
      expect(help.stdout).toContain('-h, --help');
    }
    const viaHelp = await runCli(['help', name], process.cwd());
    expect(viaHelp).toEqual(await runCli([name, '--help'], process.cwd()));
  });

  it('--help wins over missing arguments, but not after --', async () => {
    expect((await runCli(['compile', '--help'], process.cwd())).code).toBe(0);
    expect((await runCli(['check', '--', '--help'], process.cwd())).code).not.toBe(0);
  });

  it('--version prints the package version; help alone is the overview', async () => {
    const manifest = JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const version = await runCli(['--version'], process.cwd());
    expect(version).toEqual({ code: 0, stdout: `rolecall ${manifest.version}\n`, stderr: '' });
    const help = await runCli(['help'], process.cwd());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: rolecall <command>');
    const unknown = await runCli(['help', 'nope'], process.cwd());
    expect(unknown.code).toBe(2);
    expect(await main([], { ...captureNothing() })).toBe(2);
  });
});

function captureNothing() {
  return {
    stdout: () => undefined,
    stderr: () => undefined,
    readStdin: () => Promise.resolve(''),
    cwd: process.cwd(),
  };
}
