import { Command } from 'commander';

/** What `up` started: the process keeps serving after the command returns. */
export const SERVING = 'serving';

/**
 * `strata up` (and `start`, what `npm start` runs): every service in one process. `migrate`: what
 * each service also does at start, for release pipelines. Both load the services only when run,
 * so the client commands start fast. `console`: the distributed mode's front (dashboard, one API
 * origin), loaded only when run too.
 */
export function registerServe(program: Command, started: () => void): void {
  const up = async () => {
    await (await import('../../launcher')).up();
    started();
  };
  program.command('up').description('run every service and the gateway in one process (what npm start runs)').action(up);
  program.command('start', { hidden: true }).description('the same as up').action(up);
  program
    .command('console')
    .description('serve the dashboard and one API origin in front of the services of the distributed mode (STRATA_REGISTRY_URL, …)')
    .action(async () => {
      await (await import('../../console/console')).runConsole();
      started();
    });
  program
    .command('migrate')
    .description('run database migrations of every service (or those named) against DATABASE_URL')
    .argument('[services...]', 'registry, metrics-ingest, predictive-staging, routing-control, rollback')
    .action(async (services: string[]) => {
      await (await import('../../launcher')).migrateServices(services);
    });
}
