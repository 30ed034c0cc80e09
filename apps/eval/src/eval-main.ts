import { UsageError } from './eval-nab';

/** EX_USAGE of sysexits.h: the command line was wrong. */
const EXIT_USAGE = 64;

/**
 * The shell of every eval command: --help prints the usage, a wrong command line exits 64 with the
 * usage, any other failure exits 1 with its message.
 */
export function runEvalCommand<Args>(name: string, usage: string, parse: (argv: readonly string[]) => Args, run: (args: Args, write: (text: string) => void) => unknown): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  const fail = (error: unknown): void => {
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\n\n${usage}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  };
  try {
    const outcome = run(parse(argv), (text) => process.stdout.write(text));
    if (outcome instanceof Promise) outcome.catch(fail);
  } catch (error: unknown) {
    fail(error);
  }
}
