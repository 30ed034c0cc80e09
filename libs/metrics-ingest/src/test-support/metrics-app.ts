import { INestApplication, Module } from '@nestjs/common';
import { BusModule, EventBus, InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry, ObservabilityModule, configuredTokens, createApi } from '@strata/observability';
import { TEST_ADMIN_TOKEN, TestDatabase, TestHttp, authorizedHttp, createTestDatabase } from '@strata/testing';
import { Client } from 'pg';
import { MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { MetricsIngestModule } from '../metrics-ingest.module';

@Module({})
class TestRootModule {}

export interface MetricsTestApp {
  app: INestApplication;
  bus: EventBus;
  database: TestDatabase;
  sql: Client;
  /** Requests as the test admin (TEST_ADMIN_TOKEN) unless they set their own Authorization. */
  http: () => TestHttp;
  close(): Promise<void>;
}

export function testSettings(overrides: Partial<MetricsIngestSettings> = {}): MetricsIngestSettings {
  return {
    retention: { rawRetentionDays: 7, rollupRetentionDays: 30, partitionsAheadDays: 1 },
    maintenanceIntervalMs: 3_600_000,
    windows: { intervalMs: 10_000, graceMs: 2_000, maxCatchUpWindows: 6 },
    // No timer: it would move the cursor to "now" ~10 s into a spec; tests call publishDue themselves.
    windowPublishTickMs: 0,
    maxConcurrentWrites: 4,
    maxQueuedWrites: 64,
    maxSamplesPerRequest: 200_000,
    maxRemoteWriteBytes: 16 * 1024 * 1024,
    ...overrides,
  };
}

/** The metrics-ingest module on a fresh database, with an in-memory bus unless given another, as the launcher builds it. */
export async function startMetricsApp(label: string, settings: MetricsIngestSettings = testSettings(), bus: EventBus = new InMemoryEventBus(2)): Promise<MetricsTestApp> {
  const database = await createTestDatabase(label);
  const options = { database: { url: database.url, poolSize: 8 }, outbox: { pollIntervalMs: 100, retentionHours: 1 } };
  const app = await createApi(
    { module: TestRootModule, imports: [ObservabilityModule.forRoot(new HealthRegistry()), BusModule.forRoot(bus), MetricsIngestModule.register(options, settings)] },
    { title: 'test', description: 'test', version: '1', auth: { configured: configuredTokens({ adminToken: TEST_ADMIN_TOKEN }) } },
  );
  await app.init();
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  return {
    app,
    bus,
    database,
    sql,
    http: () => authorizedHttp(app.getHttpServer()),
    close: async () => {
      await sql.end();
      await app.close();
      await database.drop();
    },
  };
}
