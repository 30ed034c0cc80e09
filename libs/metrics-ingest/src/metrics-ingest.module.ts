import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { METRICS_INGEST_SETTINGS, MetricsIngestSettings } from './config/metrics-ingest-settings';
import { KpiSamplesConsumer } from './consumers/kpi-samples.consumer';
import { RemoteWriteController } from './controllers/remote-write.controller';
import { SamplesController } from './controllers/samples.controller';
import { SeriesController } from './controllers/series.controller';
import { createMetricsIngestDataSource } from './database/data-source';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from './database/metrics-ingest-schema';
import { RawBodyMiddleware } from './http/raw-body.middleware';
import { ExpositionBodyPipe, RemoteWriteBodyPipe } from './pipes/prometheus-body.pipes';
import { PartitionsRepository } from './repositories/partitions.repository';
import { RollupsRepository } from './repositories/rollups.repository';
import { SamplesRepository } from './repositories/samples.repository';
import { SeriesRepository } from './repositories/series.repository';
import { WindowCursorRepository } from './repositories/window-cursor.repository';
import { IngestService } from './services/ingest.service';
import { PartitionMaintenanceService } from './services/partition-maintenance.service';
import { PrometheusIntakeService } from './services/prometheus-intake.service';
import { SeriesQueryService } from './services/series-query.service';
import { WindowPublisherService } from './services/window-publisher.service';

/**
 * The metrics-ingest service: KPI samples from every layer (JSON, Prometheus text and remote
 * write, the `kpi.samples` bus) into day-partitioned tables through COPY, with 10 s / 1 min
 * rollups, retention, series queries and `kpi.windows` publication.
 */
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
      }),
      controllers: [SamplesController, RemoteWriteController, SeriesController],
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
      ],
      exports: [IngestService, PartitionMaintenanceService, WindowPublisherService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RawBodyMiddleware).forRoutes({ path: 'api/v1/write', method: RequestMethod.POST });
  }
}
