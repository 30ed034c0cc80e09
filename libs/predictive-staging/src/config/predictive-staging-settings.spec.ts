import { ConfigError } from '@strata/config';
import { readPredictiveStagingSettings } from './predictive-staging-settings';

describe(readPredictiveStagingSettings.name, () => {
  it('has working defaults', () => {
    const sut = readPredictiveStagingSettings({});
    expect(sut.minSeverity).toBe('medium');
    expect(sut.retentionDays).toBe(30);
    expect(sut.forecast).toEqual({ intervalMs: 300_000, horizon: 12, origins: 5, level: 0.95, minPoints: 120, maxLstmRatio: 1 });
    expect(sut.lstm.enabled).toBe(true);
  });

  it('reads flags and turns the schedule off with 0', () => {
    const sut = readPredictiveStagingSettings({ PREDICTIVE_LSTM_ENABLED: 'false', PREDICTIVE_FORECAST_INTERVAL_MS: '0', PREDICTIVE_ANOMALY_MIN_SEVERITY: 'high' });
    expect(sut.lstm.enabled).toBe(false);
    expect(sut.forecast.intervalMs).toBe(0);
    expect(sut.minSeverity).toBe('high');
  });

  it('names the variable of a bad value', () => {
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_LSTM_ENABLED: 'yes' })).toThrow(/PREDICTIVE_LSTM_ENABLED: must be 'true' or 'false'/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_FORECAST_LEVEL: '1.5' })).toThrow(/PREDICTIVE_FORECAST_LEVEL/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_ANOMALY_MIN_SEVERITY: 'none' })).toThrow(ConfigError);
  });

  it("finds the owners' APIs at their variables, the embedded origin, or each service's default port", () => {
    expect(readPredictiveStagingSettings({}).promotion).toEqual({ registryUrl: 'http://127.0.0.1:3001', rollbackUrl: 'http://127.0.0.1:3005', waitMs: 600_000, lockTimeout: '5s', statementTimeout: '1h' });
    expect(readPredictiveStagingSettings({}, 'http://127.0.0.1:8080').promotion).toMatchObject({ registryUrl: 'http://127.0.0.1:8080', rollbackUrl: 'http://127.0.0.1:8080' });
    expect(readPredictiveStagingSettings({ STRATA_REGISTRY_URL: 'https://registry.example/' }, 'http://127.0.0.1:8080').promotion.registryUrl).toBe('https://registry.example');
    expect(() => readPredictiveStagingSettings({ STRATA_ROLLBACK_URL: 'ftp://rollback' })).toThrow(/STRATA_ROLLBACK_URL: must be an http/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_PROMOTION_LOCK_TIMEOUT: '5 seconds' })).toThrow(/PREDICTIVE_PROMOTION_LOCK_TIMEOUT: must be a duration/);
  });

  it('reads which anomalies propose an app version, naming the variable of a bad value', () => {
    expect(readPredictiveStagingSettings({}).appVersion).toEqual({ minSeverity: 'high', metrics: /error|latency|duration|5xx/, stagingMinWindows: 6 });
    expect(readPredictiveStagingSettings({ PREDICTIVE_APP_VERSION_MIN_SEVERITY: 'critical', PREDICTIVE_APP_VERSION_METRICS: '^http_errors', PREDICTIVE_APP_VERSION_STAGING_MIN_WINDOWS: '30' }).appVersion).toEqual({
      minSeverity: 'critical',
      metrics: /^http_errors/,
      stagingMinWindows: 30,
    });
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_APP_VERSION_STAGING_MIN_WINDOWS: '0' })).toThrow(/PREDICTIVE_APP_VERSION_STAGING_MIN_WINDOWS/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_APP_VERSION_METRICS: 'error(' })).toThrow(/PREDICTIVE_APP_VERSION_METRICS: must be a valid regular expression/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_APP_VERSION_MIN_SEVERITY: 'none' })).toThrow(/PREDICTIVE_APP_VERSION_MIN_SEVERITY/);
  });

  it('reads which forecasts propose lb-weights and when, naming the variable of a bad value', () => {
    expect(readPredictiveStagingSettings({}).lbWeights).toEqual({ loadMetric: 'gateway_requests_total', latencyMetric: 'gateway_request_duration_ms', minImbalance: 0.1, minWeight: 5 });
    expect(readPredictiveStagingSettings({ PREDICTIVE_LB_LOAD_METRIC: 'http_requests_total', PREDICTIVE_LB_MIN_IMBALANCE: '0.25', PREDICTIVE_LB_MIN_WEIGHT: '0' }).lbWeights).toMatchObject({ loadMetric: 'http_requests_total', minImbalance: 0.25, minWeight: 0 });
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_LB_LOAD_METRIC: 'requests per second' })).toThrow(/PREDICTIVE_LB_LOAD_METRIC: must be a Prometheus-style metric name/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_LB_MIN_IMBALANCE: '0' })).toThrow(/PREDICTIVE_LB_MIN_IMBALANCE/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_LB_MIN_WEIGHT: '60' })).toThrow(/PREDICTIVE_LB_MIN_WEIGHT/);
  });

  it('reads where routing-control listens and the bounds of mirrored trials, naming the variable of a bad value', () => {
    expect(readPredictiveStagingSettings({}).mirror).toEqual({ routingControlUrl: 'http://127.0.0.1:3004', maxWindowSeconds: 900, settleMs: 60_000, minRequests: 300 });
    expect(readPredictiveStagingSettings({}, 'http://127.0.0.1:8080').mirror.routingControlUrl).toBe('http://127.0.0.1:8080');
    expect(readPredictiveStagingSettings({ STRATA_ROUTING_CONTROL_URL: 'https://routing.example/', PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS: '60' }).mirror).toMatchObject({ routingControlUrl: 'https://routing.example', maxWindowSeconds: 60 });
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS: '0' })).toThrow(/PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS/);
    expect(() => readPredictiveStagingSettings({ STRATA_ROUTING_CONTROL_URL: 'ftp://x' })).toThrow(/STRATA_ROUTING_CONTROL_URL/);
  });

  it('refuses a minimum history too short for the backtest', () => {
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_FORECAST_HORIZON: '24', PREDICTIVE_FORECAST_MIN_POINTS: '100' })).toThrow(/PREDICTIVE_FORECAST_MIN_POINTS: must be at least .* = 123/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_HISTORY_POINTS: '100' })).toThrow(/PREDICTIVE_HISTORY_POINTS: must be at least PREDICTIVE_FORECAST_MIN_POINTS/);
  });

  it('reads the index advice from anomalies, naming the variable of a bad value', () => {
    expect(readPredictiveStagingSettings({}).indexAdvice).toEqual({ intervalMs: 60_000, metrics: /^db_query_(mean_ms|time_ms_total)$/, minSeverity: 'high' });
    expect(readPredictiveStagingSettings({ PREDICTIVE_INDEX_ADVICE_INTERVAL_MS: '0', PREDICTIVE_INDEX_ADVICE_METRICS: '^pg_', PREDICTIVE_INDEX_ADVICE_MIN_SEVERITY: 'critical' }).indexAdvice).toEqual({ intervalMs: 0, metrics: /^pg_/, minSeverity: 'critical' });
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_INDEX_ADVICE_INTERVAL_MS: '-1' })).toThrow(/PREDICTIVE_INDEX_ADVICE_INTERVAL_MS/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_INDEX_ADVICE_METRICS: '(' })).toThrow(/PREDICTIVE_INDEX_ADVICE_METRICS: must be a valid regular expression/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_INDEX_ADVICE_MIN_SEVERITY: 'none' })).toThrow(/PREDICTIVE_INDEX_ADVICE_MIN_SEVERITY/);
  });

  it('reads the observation window after a promotion, naming the variable of a bad value', () => {
    expect(readPredictiveStagingSettings({}).observation).toEqual({ windowMs: 900_000, intervalMs: 60_000, metrics: /error|latency|duration|5xx|_ms$/ });
    expect(readPredictiveStagingSettings({ PREDICTIVE_OBSERVATION_WINDOW_MS: '2000', PREDICTIVE_OBSERVATION_INTERVAL_MS: '0', PREDICTIVE_OBSERVATION_METRICS: '^db_' }).observation).toEqual({ windowMs: 2_000, intervalMs: 0, metrics: /^db_/ });
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_OBSERVATION_WINDOW_MS: '10' })).toThrow(/PREDICTIVE_OBSERVATION_WINDOW_MS/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_OBSERVATION_INTERVAL_MS: 'often' })).toThrow(/PREDICTIVE_OBSERVATION_INTERVAL_MS: must be a number/);
    expect(() => readPredictiveStagingSettings({ PREDICTIVE_OBSERVATION_METRICS: '(' })).toThrow(/PREDICTIVE_OBSERVATION_METRICS: must be a valid regular expression/);
  });
});
