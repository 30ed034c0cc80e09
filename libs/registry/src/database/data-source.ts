import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { EnvironmentEntity } from '../entities/environment.entity';
import { StackEntity } from '../entities/stack.entity';
import { InitialRegistry1764201600000 } from './migrations/1764201600000-initial-registry';
import { REGISTRY_SCHEMA } from './registry-schema';

export function createRegistryDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: REGISTRY_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [StackEntity, EnvironmentEntity],
    migrations: [InitialRegistry1764201600000],
  });
}
