export * from './config/metrics-ingest-settings';
export * from './database/data-source';
export * from './database/metrics-ingest-schema';
export * from './metrics-ingest.module';
export * from './prometheus/remote-write';
