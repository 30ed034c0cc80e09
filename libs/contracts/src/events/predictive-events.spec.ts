import { validateStrataEvent } from './event-validation';
import { topicOfEvent } from './event-catalog';

function envelope(type: string, data: unknown): Record<string, unknown> {
  return { specversion: '1.0', id: 'b7c0e0a4-7f59-4a5e-8f57-2b8f5b0b8c11', source: '/strata/predictive-staging', type, time: '2026-11-27T03:00:00.000Z', subject: 'checkout', datacontenttype: 'application/json', data };
}

const series = { stack: 'checkout', environment: 'production', component: 'checkout-api', stackConfig: 'checkout@1', metric: 'gateway_request_duration_ms' };

function anAnomaly(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    anomalyId: '1',
    seriesId: '42',
    series,
    at: 1_795_000_000_000,
    score: 0.97,
    severity: 'critical',
    evidence: {
      observed: 160,
      expected: 100.2,
      baselines: { ewma: 100.2, seasonalNaive: null, holtWinters: null },
      zScore: 80,
      likelihood: 0.97,
      changeEvidence: 0.2,
      changePoint: false,
      period: null,
      windowsSeen: 171,
      window: { start: 1_794_999_990_000, end: 1_795_000_000_000, value: 'mean', count: 10, mean: 160, min: 150, max: 170, p99: 170 },
    },
    ...overrides,
  };
}

function aForecast(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    forecastId: '7',
    seriesId: '42',
    series,
    madeAt: 1_795_000_000_000,
    firstAt: 1_795_000_010_000,
    stepMs: 10_000,
    horizon: 2,
    level: 0.95,
    values: [1, 2],
    lower: [0, 1],
    upper: [2, 3],
    model: { kind: 'baseline', method: 'holt-winters', reason: 'lstm-not-better', explanation: 'LSTM lost' },
    backtest: [{ method: 'holt-winters', mase: 0.8, smape: 3.1, coverage: 0.93 }, { method: 'seasonal-naive', mase: null, smape: null, coverage: null }],
    ...overrides,
  };
}

describe('predictive-staging events', () => {
  it('travel on the anomalies and forecasts topics', () => {
    expect(topicOfEvent('io.strata.anomaly.detected.v1')).toBe('anomalies');
    expect(topicOfEvent('io.strata.forecast.published.v1')).toBe('forecasts');
  });

  it('accept an anomaly with its evidence and a forecast with its model and backtest', () => {
    expect(validateStrataEvent(envelope('io.strata.anomaly.detected.v1', anAnomaly())).ok).toBe(true);
    expect(validateStrataEvent(envelope('io.strata.forecast.published.v1', aForecast())).ok).toBe(true);
  });

  it('name the field of a bad payload', () => {
    const quiet = validateStrataEvent(envelope('io.strata.anomaly.detected.v1', anAnomaly({ severity: 'none' })));
    expect(!quiet.ok && quiet.reason).toMatch(/data\.severity/);
    const unknownReason = validateStrataEvent(envelope('io.strata.forecast.published.v1', aForecast({ model: { kind: 'lstm', method: 'lstm', reason: 'felt-like-it', explanation: '' } })));
    expect(!unknownReason.ok && unknownReason.reason).toMatch(/data\.model\.reason/);
  });
});
