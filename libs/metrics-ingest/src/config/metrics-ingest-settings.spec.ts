import { ConfigError } from '@strata/config';
import { readMetricsIngestSettings } from './metrics-ingest-settings';

describe(readMetricsIngestSettings.name, () => {
  it('has working defaults', () => {
    const sut = readMetricsIngestSettings({});
    expect(sut.retention).toEqual({ rawRetentionDays: 7, rollupRetentionDays: 90, partitionsAheadDays: 2 });
    expect(sut.windows.intervalMs).toBe(10_000);
  });

  it('names the variable of a bad value', () => {
    expect(() => readMetricsIngestSettings({ METRICS_WINDOW_INTERVAL_MS: '15000' })).toThrow(/METRICS_WINDOW_INTERVAL_MS: must be a multiple of 10000/);
    expect(() => readMetricsIngestSettings({ METRICS_RAW_RETENTION_DAYS: '10', METRICS_ROLLUP_RETENTION_DAYS: '5' })).toThrow(ConfigError);
    expect(() => readMetricsIngestSettings({ METRICS_RAW_RETENTION_DAYS: '10', METRICS_ROLLUP_RETENTION_DAYS: '5' })).toThrow(/METRICS_ROLLUP_RETENTION_DAYS/);
  });
});
