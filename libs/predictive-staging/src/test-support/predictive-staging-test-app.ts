import { EventData, EventType, KpiSeriesLabels, StrataEvent, Topics, parseStrataEvent } from '@strata/contracts';
import { EventBus, InMemoryEventBus, newEvent } from '@strata/messaging';
import { ServiceTestApp, startServiceTestApp } from '@strata/testing/harness';
import { PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { PredictiveStagingModule } from '../predictive-staging.module';

type RegistryEventType = Extract<EventType, `io.strata.registry.${string}`>;

/** Small and quick: a tiny LSTM, no schedule (tests forecast through the API). */
export function testSettings(
  overrides: { historyPoints?: number } & { [K in 'forecast' | 'lstm' | 'promotion' | 'mirror' | 'observation' | 'indexAdvice']?: Partial<PredictiveStagingSettings[K]> } = {},
): PredictiveStagingSettings {
  return {
    minSeverity: 'medium',
    historyPoints: overrides.historyPoints ?? 1_000,
    retentionDays: 30,
    forecast: { intervalMs: 0, horizon: 6, origins: 5, level: 0.9, minPoints: 60, maxLstmRatio: 1, ...overrides.forecast },
    lstm: { enabled: false, minPoints: 150, lookback: 12, units: 8, epochs: 3, batchSize: 32, maxModelAgeMs: 3_600_000, ...overrides.lstm },
    advisor: { minCalls: 10, minMeanMs: 1, minCostDrop: 0.5 },
    staging: { samplePercent: 25, maxRowsPerTable: 200_000 },
    promotion: { registryUrl: 'http://127.0.0.1:1', rollbackUrl: 'http://127.0.0.1:1', waitMs: 60_000, lockTimeout: '5s', statementTimeout: '1m', ...overrides.promotion },
    appVersion: { minSeverity: 'high', metrics: /error|latency|duration|5xx/, stagingMinWindows: 6 },
    lbWeights: { loadMetric: 'gateway_requests_total', latencyMetric: 'gateway_request_duration_ms', minImbalance: 0.1, minWeight: 5 },
    mirror: { routingControlUrl: 'http://127.0.0.1:1', maxWindowSeconds: 900, settleMs: 5_000, minRequests: 300, ...overrides.mirror },
    observation: { windowMs: 900_000, intervalMs: 0, metrics: /error|latency|duration|5xx|_ms$/, ...overrides.observation },
    indexAdvice: { intervalMs: 0, metrics: /^db_query_(mean_ms|time_ms_total)$/, minSeverity: 'high', ...overrides.indexAdvice },
  };
}

export interface PredictiveStagingTestApp extends ServiceTestApp {
  /** Every event predictive-staging published on anomalies, forecasts and staging events, in order. */
  published: StrataEvent[];
  /** Publishes one event of the registry's on `registry.events`, keyed by its stack as the registry does. */
  publishRegistryEvent<T extends RegistryEventType>(type: T, data: EventData<T>): Promise<void>;
  /** Publishes one KPI window as metrics-ingest would. */
  publishWindow(seriesId: string, series: KpiSeriesLabels, windowStart: number, value: number, lengthMs?: number): Promise<void>;
}

/** predictive-staging as one process serves it, on a fresh database, with an in-memory bus unless given another. */
export async function startPredictiveStagingTestApp(
  label: string,
  settings: PredictiveStagingSettings = testSettings(),
  /** A bus of the caller's; by default a new in-memory bus at every start, so `restart()` works. */
  bus?: EventBus,
  targetEnvironment: Record<string, string> = {},
): Promise<PredictiveStagingTestApp> {
  const published: StrataEvent[] = [];
  const harness = await startServiceTestApp({
    label,
    poolSize: 6,
    outboxPollIntervalMs: 50,
    bus: () => bus ?? new InMemoryEventBus(2),
    modules: (options) => PredictiveStagingModule.register(options, settings, targetEnvironment),
    onStart: async (_app, started) => {
      await started.subscribe({
        groupId: 'predictive-events-observer',
        topics: [Topics.anomalies, Topics.forecasts, Topics.stagingEvents],
        handler: async (message) => {
          const parsed = parseStrataEvent(message.value);
          if (parsed.ok) published.push(parsed.event);
        },
      });
    },
  });
  return Object.assign(harness, {
    published,
    publishRegistryEvent: async <T extends RegistryEventType>(type: T, data: EventData<T>) => {
      const stack = (data as { stack: string }).stack;
      const event = newEvent({ type, service: 'registry', subject: stack, data });
      await harness.bus.publish([{ topic: Topics.registryEvents, key: stack, value: JSON.stringify(event) }]);
    },
    publishWindow: async (seriesId: string, series: KpiSeriesLabels, windowStart: number, value: number, lengthMs = 10_000) => {
      const counter = series.metric.endsWith('_total');
      const event = newEvent({
        type: 'io.strata.kpi.window.v1',
        service: 'metrics-ingest',
        subject: seriesId,
        data: { series, seriesId, windowStart, windowEnd: windowStart + lengthMs, count: 10, sum: counter ? value : value * 10, mean: value, min: value, max: value, p50: value, p95: value, p99: value },
      });
      await harness.bus.publish([{ topic: Topics.kpiWindows, key: seriesId, value: JSON.stringify(event) }]);
    },
  });
}
