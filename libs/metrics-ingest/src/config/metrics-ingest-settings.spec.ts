import { ConfigError } from '@strata/config';
import { readMetricsIngestSettings } from './metrics-ingest-settings';

describe(readMetricsIngestSettings.name, () => {
  it('has working defaults', () => {
    const sut = readMetricsIngestSettings({});
    expect(sut.retention).toEqual({ rawRetentionDays: 7, rollupRetentionDays: 90, partitionsAheadDays: 2 });
    expect(sut.windows.intervalMs).toBe(10_000);
    expect(sut.collectors).toEqual({ enabled: true, tickMs: 1_000, concurrency: 4, requestTimeoutMs: 10_000, maxPointsPerQuery: 10_000, maxStatementsPerScrape: 500 });
  });

  it('reads the collector settings', () => {
    const sut = readMetricsIngestSettings({ METRICS_COLLECTORS_ENABLED: 'false', METRICS_COLLECTOR_TICK_MS: '250', METRICS_QUERY_SOURCE_MAX_POINTS: '500', METRICS_PG_MAX_STATEMENTS: '20' });
    expect(sut.collectors).toEqual(expect.objectContaining({ enabled: false, tickMs: 250, maxPointsPerQuery: 500, maxStatementsPerScrape: 20 }));
  });

  it('names the variable of a bad value', () => {
    expect(() => readMetricsIngestSettings({ METRICS_WINDOW_INTERVAL_MS: '15000' })).toThrow(/METRICS_WINDOW_INTERVAL_MS: must be a multiple of 10000/);
    expect(() => readMetricsIngestSettings({ METRICS_RAW_RETENTION_DAYS: '10', METRICS_ROLLUP_RETENTION_DAYS: '5' })).toThrow(ConfigError);
    expect(() => readMetricsIngestSettings({ METRICS_RAW_RETENTION_DAYS: '10', METRICS_ROLLUP_RETENTION_DAYS: '5' })).toThrow(/METRICS_ROLLUP_RETENTION_DAYS/);
    expect(() => readMetricsIngestSettings({ METRICS_COLLECTORS_ENABLED: 'yes' })).toThrow(/METRICS_COLLECTORS_ENABLED: must be 'true' or 'false'/);
    expect(() => readMetricsIngestSettings({ METRICS_QUERY_SOURCE_MAX_POINTS: '20000' })).toThrow(/METRICS_QUERY_SOURCE_MAX_POINTS/);
  });
});
