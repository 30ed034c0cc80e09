import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { KnownStackEntity } from '../entities/known-stack.entity';
import { InitialRoutingControl1764201600000 } from './migrations/1764201600000-initial-routing-control';
import { ROUTING_CONTROL_SCHEMA } from './routing-control-schema';

export function createRoutingControlDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: ROUTING_CONTROL_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [KnownStackEntity],
    migrations: [InitialRoutingControl1764201600000],
  });
}
