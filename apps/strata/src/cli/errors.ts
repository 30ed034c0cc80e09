/** Exit codes a script can branch on; every command ends with one of these. */
export const ExitCode = { ok: 0, failed: 1, usage: 2, notFound: 3, conflict: 4 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports as one line on stderr, ending the command with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failed,
  ) {
    super(message);
  }
}

/** The command line itself is wrong: a missing option, an unknown kind, a bad value. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** 404 → not found; 409 (conflict) and 412 (precondition failed) are both "the state is not what you assumed". */
export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 404) return ExitCode.notFound;
  if (status === 409 || status === 412) return ExitCode.conflict;
  return ExitCode.failed;
}
