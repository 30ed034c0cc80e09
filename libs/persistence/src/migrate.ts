import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

/** A stable 64-bit advisory-lock key per schema, so replicas of one service share one lock. */
export function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`strata:migrations:${schema}`).digest().readBigInt64BE(0).toString();
}

export interface MigrationOutcome {
  schema: string;
  applied: string[];
}

/**
 * Creates the service's schema and runs its pending migrations while holding a PostgreSQL
 * advisory lock: when two replicas start together one migrates and the other waits, then finds
 * nothing left to do. The data source must be initialised.
 */
export async function migrateUnderLock(dataSource: DataSource, schema: string): Promise<MigrationOutcome> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  const key = migrationLockKey(schema);
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    await lockHolder.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { schema, applied: applied.map((migration) => migration.name) };
  } finally {
    await lockHolder.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    await lockHolder.release();
  }
}
