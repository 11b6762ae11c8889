// `rolecall check`: not implemented yet.
import { EXIT_USAGE, type CliIo } from '../io.js';

export function run(_argv: string[], io: CliIo): Promise<number> {
  io.stderr('rolecall check: not implemented yet\n');
  return Promise.resolve(EXIT_USAGE);
}
