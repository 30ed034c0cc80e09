import { EVAL_FORECAST_USAGE, UsageError, parseEvalForecastArgs, runEvalForecast } from './eval-forecast';

/** EX_USAGE of sysexits.h: the command line was wrong. */
const EXIT_USAGE = 64;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(EVAL_FORECAST_USAGE);
    return 0;
  }
  try {
    await runEvalForecast(parseEvalForecastArgs(argv), (text) => process.stdout.write(text));
    return 0;
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      process.stderr.write(`eval:forecast: ${error.message}\n\n${EVAL_FORECAST_USAGE}`);
      return EXIT_USAGE;
    }
    process.stderr.write(`eval:forecast: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
