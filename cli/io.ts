// What a CLI command may touch besides the file system, injected so tests can run commands
// in-process and read what they printed.
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (for `--input -`). */
  readStdin: () => Promise<string>;
  cwd: string;
  /** Whether stdout is a terminal (commands pick a human format then); false when absent. */
  isTTY?: boolean;
}

/** Exit codes shared by every command (DESIGN §7). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Thrown by argument parsing; rendered as a usage error with exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
