// What a CLI command writes to (stdout and stderr lines), and the error that means bad usage (exit code 2).

/** Thrown for a command line that cannot be run as given: the CLI prints the message and the usage, exit 2. */
export class UsageError extends Error {}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}
