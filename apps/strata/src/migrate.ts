import { loadConfigOrExit, parseEnvironment, positiveInt, postgresUrl } from '@strata/config';
import { Logger } from '@strata/observability';
import { migrateUnderLock } from '@strata/persistence';
import { z } from 'zod';
import { SERVICES } from './services';

const migrateSchema = z.object({ DATABASE_URL: postgresUrl, DATABASE_POOL_SIZE: positiveInt(2, 50) });

/** `strata migrate [service…]`: what each service also does at start, for release pipelines. */
export async function migrate(only: readonly string[]): Promise<void> {
  const env = loadConfigOrExit(() => parseEnvironment(migrateSchema, process.env), 'strata migrate');
  const unknown = only.filter((name) => !SERVICES.some((service) => service.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown service ${unknown.join(', ')}; known: ${SERVICES.map((service) => service.name).join(', ')}`);
  }
  const logger = new Logger('migrate');
  for (const service of SERVICES.filter((entry) => only.length === 0 || only.includes(entry.name))) {
    const dataSource = service.dataSource({ url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE });
    await dataSource.initialize();
    try {
      const outcome = await migrateUnderLock(dataSource, service.schema);
      logger.info('migrated', { service: service.name, schema: outcome.schema, applied: outcome.applied });
    } finally {
      await dataSource.destroy();
    }
  }
}
