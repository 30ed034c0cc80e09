import { EVAL_JUDGE_USAGE, UsageError, parseEvalJudgeArgs, runEvalJudge } from './eval-judge';

/** EX_USAGE of sysexits.h: the command line was wrong. */
const EXIT_USAGE = 64;

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(EVAL_JUDGE_USAGE);
    return 0;
  }
  try {
    runEvalJudge(parseEvalJudgeArgs(argv), (text) => process.stdout.write(text));
    return 0;
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      process.stderr.write(`eval:judge: ${error.message}\n\n${EVAL_JUDGE_USAGE}`);
      return EXIT_USAGE;
    }
    process.stderr.write(`eval:judge: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
