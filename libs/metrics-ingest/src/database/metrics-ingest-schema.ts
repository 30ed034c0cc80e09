export const METRICS_INGEST_SERVICE = 'metrics-ingest';
export const METRICS_INGEST_SCHEMA = 'metrics';
