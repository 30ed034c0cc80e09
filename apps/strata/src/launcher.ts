import { Logger } from '@strata/observability';
import { exitOnFatalError } from '@strata/runtime';
import { startEmbedded } from './embedded';
import { migrate } from './migrate';

/**
 * What `strata up` and `strata migrate` load: the services, the process' fatal-error handlers and
 * the JSON logger. The CLI imports this module only when one of them runs (or a command failed
 * unexpectedly), so a client command never pays for loading every service.
 */
export async function up(): Promise<void> {
  exitOnFatalError('strata');
  await startEmbedded();
}

export async function migrateServices(services: readonly string[]): Promise<void> {
  exitOnFatalError('strata');
  await migrate(services);
}

export function logFailure(error: unknown): void {
  new Logger('strata').error('failed', error);
}
