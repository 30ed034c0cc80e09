import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { InitialMetricsIngest1764201600000 } from './migrations/1764201600000-initial-metrics-ingest';
import { SeriesSamplesRollups1764288000000 } from './migrations/1764288000000-series-samples-rollups';
import { QuerySourcesAndCollectors1764400000000 } from './migrations/1764400000000-query-sources-and-collectors';
import { DropSqlSketchHelpers1764500000000 } from './migrations/1764500000000-drop-sql-sketch-helpers';
import { AuditLogAndKnownTokens1765411200000 } from './migrations/1765411200000-audit-log-and-known-tokens';
import { METRICS_INGEST_SCHEMA } from './metrics-ingest-schema';

export function createMetricsIngestDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: METRICS_INGEST_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [],
    migrations: [InitialMetricsIngest1764201600000, SeriesSamplesRollups1764288000000, QuerySourcesAndCollectors1764400000000, DropSqlSketchHelpers1764500000000, AuditLogAndKnownTokens1765411200000],
  });
}
