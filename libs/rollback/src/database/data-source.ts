import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { InitialRollback1764201600000 } from './migrations/1764201600000-initial-rollback';
import { AuditLogAndKnownTokens1765411200000 } from './migrations/1765411200000-audit-log-and-known-tokens';
import { ROLLBACK_SCHEMA } from './rollback-schema';

export function createRollbackDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: ROLLBACK_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [],
    migrations: [InitialRollback1764201600000, AuditLogAndKnownTokens1765411200000],
  });
}
