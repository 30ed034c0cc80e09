export * from './database/data-source';
export * from './database/metrics-ingest-schema';
export * from './metrics-ingest.module';
