import 'reflect-metadata';
import { ConfigError } from '@strata/config';
import { Logger } from '@strata/observability';
import { exitOnFatalError } from '@strata/runtime';
import { startEmbedded } from './embedded';
import { migrate } from './migrate';

const USAGE = `usage: strata [command]

commands:
  start              run every service in one process (default)
  migrate [service]  run database migrations against DATABASE_URL
  help               show this text
`;

async function main(argv: readonly string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  switch (command) {
    case 'start':
      return startEmbedded();
    case 'migrate':
      await migrate(rest);
      process.exit(0);
      return;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`strata: unknown command '${command}'\n\n${USAGE}`);
      process.exit(64);
  }
}

exitOnFatalError('strata');
main(process.argv.slice(2)).catch((error: unknown) => {
  new Logger('strata').error('failed', error);
  process.stderr.write(`strata: ${error instanceof Error ? error.message : String(error)}\n`);
  // A configuration problem found only while starting (e.g. STRATA_DATA_DIR out of PostgreSQL's reach) is still one.
  process.exit(error instanceof ConfigError ? 78 : 1);
});
