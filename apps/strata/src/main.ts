import 'reflect-metadata';
import { ConfigError } from '@strata/config';
import { SERVING } from './cli/commands/serve';
import { processIo } from './cli/io';
import { runCli } from './cli/program';

/**
 * `strata` with no command is `strata up`: what `npm start` has always run. Every other command
 * line is the CLI's (`strata --help`); client commands end the process with their exit code.
 * The services are loaded only by `up` and `migrate`, so a client command starts in a blink.
 */
async function main(argv: readonly string[]): Promise<void> {
  const outcome = await runCli(argv.length === 0 ? ['up'] : argv, processIo());
  if (outcome !== SERVING) {
    process.exit(outcome);
  }
}

main(process.argv.slice(2)).catch(async (error: unknown) => {
  (await import('./launcher')).logFailure(error);
  process.stderr.write(`strata: ${error instanceof Error ? error.message : String(error)}\n`);
  // A configuration problem found only while starting (e.g. STRATA_DATA_DIR out of PostgreSQL's reach) is still one.
  process.exit(error instanceof ConfigError ? 78 : 1);
});
