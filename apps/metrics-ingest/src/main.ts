import 'reflect-metadata';
import { MetricsIngestModule } from '@strata/metrics-ingest';
import { runService } from '@strata/runtime';

void runService({
  service: 'metrics-ingest',
  description: 'KPI intake, storage, rollups and series queries.',
  module: (options) => MetricsIngestModule.register(options),
});
