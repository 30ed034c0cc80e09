import { EventBus, InMemoryEventBus } from '@strata/messaging';
import { ServiceTestApp, startServiceTestApp } from '@strata/testing/harness';
import { MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { MetricsIngestModule } from '../metrics-ingest.module';

export type MetricsTestApp = ServiceTestApp;

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
export function startMetricsApp(label: string, settings: MetricsIngestSettings = testSettings(), bus: EventBus = new InMemoryEventBus(2)): Promise<MetricsTestApp> {
  return startServiceTestApp({ label, poolSize: 8, bus: () => bus, modules: (options) => MetricsIngestModule.register(options, settings) });
}
