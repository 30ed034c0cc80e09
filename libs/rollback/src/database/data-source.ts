import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { InitialRollback1764201600000 } from './migrations/1764201600000-initial-rollback';
import { AuditLogAndKnownTokens1765411200000 } from './migrations/1765411200000-audit-log-and-known-tokens';
import { Executions1765500000000 } from './migrations/1765500000000-executions';
import { Notifications1765600000000 } from './migrations/1765600000000-notifications';
import { CanaryDeploys1765600000001 } from './migrations/1765600000001-canary-deploys';
import { RollbackTriggers1765700000000 } from './migrations/1765700000000-rollback-triggers';
import { CatalogEnvironments1765800000000 } from './migrations/1765800000000-catalog-environments';
import { NotificationChannelEntity, NotificationDeliveryEntity } from '../entities/notification.entity';
import { CatalogEnvironmentEntity, CatalogGroupEntity, CatalogVersionEntity, DeployedComponentEntity, GroupHistoryEntity, NodeEntity, RolloutOutcomeEntity, RoutingAnswerEntity } from '../entities/catalog.entity';
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';
import { RollbackTriggerEntity, TriggerFiringEntity, WatchedRolloutEntity } from '../entities/trigger.entity';
import { ROLLBACK_SCHEMA } from './rollback-schema';

export function createRollbackDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: ROLLBACK_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [ExecutionEntity, ExecutionStepEntity, CatalogVersionEntity, CatalogGroupEntity, CatalogEnvironmentEntity, DeployedComponentEntity, GroupHistoryEntity, NodeEntity, RoutingAnswerEntity, RolloutOutcomeEntity, NotificationChannelEntity, NotificationDeliveryEntity, RollbackTriggerEntity, TriggerFiringEntity, WatchedRolloutEntity],
    migrations: [InitialRollback1764201600000, AuditLogAndKnownTokens1765411200000, Executions1765500000000, Notifications1765600000000, CanaryDeploys1765600000001, RollbackTriggers1765700000000, CatalogEnvironments1765800000000],
  });
}
