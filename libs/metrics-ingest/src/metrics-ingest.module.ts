import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { createMetricsIngestDataSource } from './database/data-source';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from './database/metrics-ingest-schema';

/** The metrics-ingest service: KPI samples from every layer. This slice holds its schema and messaging; intake, storage and queries come with the [M] issue. */
@Module({})
export class MetricsIngestModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: MetricsIngestModule,
      imports: serviceInfrastructure({
        service: METRICS_INGEST_SERVICE,
        schema: METRICS_INGEST_SCHEMA,
        dataSource: createMetricsIngestDataSource(options.database),
        outbox: options.outbox,
      }),
    };
  }
}
