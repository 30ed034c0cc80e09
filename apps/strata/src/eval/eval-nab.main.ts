import { EVAL_NAB_USAGE, UsageError, parseEvalNabArgs, runEvalNab } from './eval-nab';

/** EX_USAGE of sysexits.h: the command line was wrong. */
const EXIT_USAGE = 64;

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(EVAL_NAB_USAGE);
    return 0;
  }
  try {
    runEvalNab(parseEvalNabArgs(argv), (text) => process.stdout.write(text));
    return 0;
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      process.stderr.write(`eval:nab: ${error.message}\n\n${EVAL_NAB_USAGE}`);
      return EXIT_USAGE;
    }
    process.stderr.write(`eval:nab: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
