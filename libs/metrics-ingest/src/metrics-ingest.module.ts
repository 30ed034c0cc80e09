import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { METRICS_INGEST_SETTINGS, MetricsIngestSettings } from './config/metrics-ingest-settings';
import { KpiSamplesConsumer } from './consumers/kpi-samples.consumer';
import { HeartbeatsController } from './controllers/heartbeats.controller';
import { PostgresTargetsController } from './controllers/postgres-targets.controller';
import { QuerySourcesController } from './controllers/query-sources.controller';
import { RemoteWriteController } from './controllers/remote-write.controller';
import { SamplesController } from './controllers/samples.controller';
import { SeriesController } from './controllers/series.controller';
import { createMetricsIngestDataSource } from './database/data-source';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from './database/metrics-ingest-schema';
import { RawBodyMiddleware } from './http/raw-body.middleware';
import { ExpositionBodyPipe, RemoteWriteBodyPipe } from './pipes/prometheus-body.pipes';
import { PartitionsRepository } from './repositories/partitions.repository';
import { PostgresTargetsRepository } from './repositories/postgres-targets.repository';
import { QuerySourcesRepository } from './repositories/query-sources.repository';
import { RollupsRepository } from './repositories/rollups.repository';
import { SamplesRepository } from './repositories/samples.repository';
import { SeriesRepository } from './repositories/series.repository';
import { StatementStatsRepository } from './repositories/statement-stats.repository';
import { WindowCursorRepository } from './repositories/window-cursor.repository';
import { CollectorSchedulerService } from './services/collector-scheduler.service';
import { HeartbeatsService } from './services/heartbeats.service';
import { IngestService } from './services/ingest.service';
import { PartitionMaintenanceService } from './services/partition-maintenance.service';
import { PostgresCollector } from './services/postgres-collector.service';
import { PostgresTargetsService } from './services/postgres-targets.service';
import { PrometheusIntakeService } from './services/prometheus-intake.service';
import { PrometheusQueryClient } from './services/prometheus-query.client';
import { QuerySourceRunner } from './services/query-source-runner.service';
import { QuerySourcesService } from './services/query-sources.service';
import { SeriesQueryService } from './services/series-query.service';
import { WindowPublisherService } from './services/window-publisher.service';

/**
 * The metrics-ingest service: KPI samples from every layer (JSON, Prometheus text and remote
 * write, the `kpi.samples` bus, node heartbeats, Prometheus query sources, pg_stat_statements of
 * registered databases) into day-partitioned tables through COPY, with 10 s / 1 min rollups,
 * retention, series queries and `kpi.windows` publication.
 */
const CONTROLLERS = [SamplesController, RemoteWriteController, SeriesController, HeartbeatsController, QuerySourcesController, PostgresTargetsController];

@Module({})
export class MetricsIngestModule implements NestModule {
  static register(options: ServiceModuleOptions, settings: MetricsIngestSettings): DynamicModule {
    return {
      module: MetricsIngestModule,
      imports: serviceInfrastructure({
        service: METRICS_INGEST_SERVICE,
        schema: METRICS_INGEST_SCHEMA,
        dataSource: createMetricsIngestDataSource(options.database),
        outbox: options.outbox,
        controllers: CONTROLLERS,
        projectTokens: true,
      }),
      controllers: CONTROLLERS,
      providers: [
        { provide: METRICS_INGEST_SETTINGS, useValue: settings },
        SeriesRepository,
        SamplesRepository,
        PartitionsRepository,
        RollupsRepository,
        WindowCursorRepository,
        IngestService,
        PrometheusIntakeService,
        SeriesQueryService,
        PartitionMaintenanceService,
        WindowPublisherService,
        KpiSamplesConsumer,
        ExpositionBodyPipe,
        RemoteWriteBodyPipe,
        RawBodyMiddleware,
        HeartbeatsService,
        QuerySourcesRepository,
        QuerySourcesService,
        PrometheusQueryClient,
        QuerySourceRunner,
        PostgresTargetsRepository,
        PostgresTargetsService,
        StatementStatsRepository,
        PostgresCollector,
        CollectorSchedulerService,
      ],
      exports: [IngestService, PartitionMaintenanceService, WindowPublisherService, CollectorSchedulerService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RawBodyMiddleware).forRoutes({ path: 'api/v1/write', method: RequestMethod.POST });
  }
}
