import { INestApplication, Module } from '@nestjs/common';
import { KpiSeriesLabels, StrataEvent, Topics, parseStrataEvent } from '@strata/contracts';
import { BusModule, EventBus, InMemoryEventBus, newEvent } from '@strata/messaging';
import { HealthRegistry, ObservabilityModule, configuredTokens, createApi } from '@strata/observability';
import { TEST_ADMIN_TOKEN, TestDatabase, TestHttp, authorizedHttp, createTestDatabase } from '@strata/testing';
import { Client } from 'pg';
import { PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { PredictiveStagingModule } from '../predictive-staging.module';

@Module({})
class PredictiveStagingTestRootModule {}

/** Small and quick: a tiny LSTM, no schedule (tests forecast through the API). */
export function testSettings(overrides: { forecast?: Partial<PredictiveStagingSettings['forecast']>; lstm?: Partial<PredictiveStagingSettings['lstm']>; historyPoints?: number } = {}): PredictiveStagingSettings {
  return {
    minSeverity: 'medium',
    historyPoints: overrides.historyPoints ?? 1_000,
    retentionDays: 30,
    forecast: { intervalMs: 0, horizon: 6, origins: 5, level: 0.9, minPoints: 60, maxLstmRatio: 1, ...overrides.forecast },
    lstm: { enabled: false, minPoints: 150, lookback: 12, units: 8, epochs: 3, batchSize: 32, maxModelAgeMs: 3_600_000, ...overrides.lstm },
  };
}

export interface PredictiveStagingTestApp {
  app: INestApplication;
  bus: EventBus;
  sql: Client;
  /** Requests as the test admin (TEST_ADMIN_TOKEN) unless they set their own Authorization. */
  http: () => TestHttp;
  /** Every event predictive-staging published on anomalies and forecasts, in order. */
  published: StrataEvent[];
  /** Publishes one KPI window as metrics-ingest would. */
  publishWindow(seriesId: string, series: KpiSeriesLabels, windowStart: number, value: number, lengthMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** predictive-staging as one process serves it, on a fresh database, with an in-memory bus unless given another. */
export async function startPredictiveStagingTestApp(label: string, settings: PredictiveStagingSettings = testSettings(), bus: EventBus = new InMemoryEventBus(2)): Promise<PredictiveStagingTestApp> {
  const database: TestDatabase = await createTestDatabase(label);
  const published: StrataEvent[] = [];
  const options = { database: { url: database.url, poolSize: 6 }, outbox: { pollIntervalMs: 50, retentionHours: 1 } };
  const app = await createApi(
    {
      module: PredictiveStagingTestRootModule,
      imports: [ObservabilityModule.forRoot(new HealthRegistry()), BusModule.forRoot(bus), PredictiveStagingModule.register(options, settings)],
    },
    { title: 'test', description: 'test', version: '1', auth: { configured: configuredTokens({ adminToken: TEST_ADMIN_TOKEN }) } },
  );
  await app.init();
  await bus.subscribe({
    groupId: 'predictive-events-observer',
    topics: [Topics.anomalies, Topics.forecasts],
    handler: async (message) => {
      const parsed = parseStrataEvent(message.value);
      if (parsed.ok) published.push(parsed.event);
    },
  });
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  return {
    app,
    bus,
    sql,
    http: () => authorizedHttp(app.getHttpServer()),
    published,
    publishWindow: async (seriesId, series, windowStart, value, lengthMs = 10_000) => {
      const counter = series.metric.endsWith('_total');
      const event = newEvent({
        type: 'io.strata.kpi.window.v1',
        service: 'metrics-ingest',
        subject: seriesId,
        data: { series, seriesId, windowStart, windowEnd: windowStart + lengthMs, count: 10, sum: counter ? value : value * 10, mean: value, min: value, max: value, p50: value, p95: value, p99: value },
      });
      await bus.publish([{ topic: Topics.kpiWindows, key: seriesId, value: JSON.stringify(event) }]);
    },
    close: async () => {
      await sql.end();
      await app.close();
      await database.drop();
    },
  };
}
