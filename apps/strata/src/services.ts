import { DynamicModule } from '@nestjs/common';
import { DatabaseConfig, ServiceModuleOptions, loadConfigOrExit } from '@strata/config';
import { MetricsIngestModule, METRICS_INGEST_SCHEMA, createMetricsIngestDataSource, readMetricsIngestSettings } from '@strata/metrics-ingest';
import { PredictiveStagingModule, PREDICTIVE_STAGING_SCHEMA, createPredictiveStagingDataSource, readPredictiveStagingSettings } from '@strata/predictive-staging';
import { REGISTRY_SCHEMA, RegistryModule, createRegistryDataSource } from '@strata/registry';
import { ROLLBACK_SCHEMA, RollbackModule, createRollbackDataSource, readRollbackTuning } from '@strata/rollback';
import { ROUTING_CONTROL_SCHEMA, RoutingControlModule, createRoutingControlDataSource, readRoutingControlTuning } from '@strata/routing-control';
import { DataSource } from 'typeorm';

export interface ServiceEntry {
  name: string;
  schema: string;
  /** `origin`: where the embedded process listens, every module on it (a service calling an owner's API calls it there). */
  module: (options: ServiceModuleOptions, origin?: string) => DynamicModule;
  dataSource: (database: DatabaseConfig) => DataSource;
}

/** Every NestJS service, as the all-in-one launcher and `strata migrate` see them. */
export const SERVICES: readonly ServiceEntry[] = [
  { name: 'registry', schema: REGISTRY_SCHEMA, module: (options) => RegistryModule.register(options), dataSource: createRegistryDataSource },
  {
    name: 'metrics-ingest',
    schema: METRICS_INGEST_SCHEMA,
    module: (options) => MetricsIngestModule.register(options, loadConfigOrExit(() => readMetricsIngestSettings(), 'strata')),
    dataSource: createMetricsIngestDataSource,
  },
  {
    name: 'predictive-staging',
    schema: PREDICTIVE_STAGING_SCHEMA,
    module: (options, origin) => PredictiveStagingModule.register(options, loadConfigOrExit(() => readPredictiveStagingSettings(process.env, origin), 'strata')),
    dataSource: createPredictiveStagingDataSource,
  },
  {
    name: 'routing-control',
    schema: ROUTING_CONTROL_SCHEMA,
    module: (options) => RoutingControlModule.register(options, loadConfigOrExit(() => readRoutingControlTuning(), 'strata')),
    dataSource: createRoutingControlDataSource,
  },
  { name: 'rollback', schema: ROLLBACK_SCHEMA, module: (options) => RollbackModule.register(options, loadConfigOrExit(() => readRollbackTuning(), 'strata')), dataSource: createRollbackDataSource },
];
