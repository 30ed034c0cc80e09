import 'reflect-metadata';
import { loadConfigOrExit } from '@strata/config';
import { MetricsIngestModule, readMetricsIngestSettings } from '@strata/metrics-ingest';
import { runService } from '@strata/runtime';

void runService({
  service: 'metrics-ingest',
  description: 'KPI intake, storage, rollups and series queries.',
  module: (options) => MetricsIngestModule.register(options, loadConfigOrExit(() => readMetricsIngestSettings(), 'strata-metrics-ingest')),
});
