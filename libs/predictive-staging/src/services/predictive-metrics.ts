import { metricsRegistry } from '@strata/observability';
import { Counter, Histogram } from 'prom-client';

/** What an SRE watches of this service on /metrics: detector throughput, verdicts, forecasts, training cost. */
export const windowsJudged = new Counter({
  name: 'strata_predictive_windows_judged_total',
  help: 'KPI windows run through a series detector',
  registers: [metricsRegistry],
});

export const anomaliesReported = new Counter({
  name: 'strata_predictive_anomalies_total',
  help: 'Anomalies stored and published, by severity',
  labelNames: ['severity'] as const,
  registers: [metricsRegistry],
});

export const forecastsMade = new Counter({
  name: 'strata_predictive_forecasts_total',
  help: 'Forecasts stored and published, by the kind of model that served and why',
  labelNames: ['kind', 'reason'] as const,
  registers: [metricsRegistry],
});

export const lstmTrainingSeconds = new Histogram({
  name: 'strata_predictive_lstm_training_seconds',
  help: 'Wall time of one LSTM training in its worker thread, start-up included',
  buckets: [1, 2, 5, 10, 30, 60, 120, 300, 600],
  registers: [metricsRegistry],
});
