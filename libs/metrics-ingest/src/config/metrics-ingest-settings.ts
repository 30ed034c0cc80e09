import { Environment, parseEnvironment, positiveInt } from '@strata/config';
import { z } from 'zod';
import { RetentionPolicy } from '../domain/partitions';
import { WindowSchedule } from '../domain/windows';

/**
 * Due windows are looked for every second, so a window reaches rollout analyses and rules about
 * `graceMs` + 1 s after it ends; looking once per window interval made them up to a whole interval
 * late, and an analysis that ended in that gap judged without its last windows.
 */
export const DEFAULT_WINDOW_PUBLISH_TICK_MS = 1_000;

export interface MetricsIngestSettings {
  retention: RetentionPolicy;
  /** How often partitions are created ahead and expired ones dropped. */
  maintenanceIntervalMs: number;
  windows: WindowSchedule;
  /** How often the publisher looks for due windows; 0 leaves publication to `publishDue` callers (tests). */
  windowPublishTickMs: number;
  /** Batches written at once (each holds a pooled connection); more wait in line. */
  maxConcurrentWrites: number;
  /** Batches allowed to wait; beyond that intake answers 503 so producers back off and retry. */
  maxQueuedWrites: number;
  /** Largest number of samples one request may carry (all batches together). */
  maxSamplesPerRequest: number;
  /** Largest decompressed remote-write body. */
  maxRemoteWriteBytes: number;
  /** Prometheus query sources and database collectors; defaults apply when absent. */
  collectors?: CollectorSettings;
}

export interface CollectorSettings {
  /** Off: sources and targets can still be registered, but nothing is queried or scraped. */
  enabled: boolean;
  /** How often each replica looks for sources and targets that are due. */
  tickMs: number;
  /** Sources and targets one replica runs at once. */
  concurrency: number;
  /** Per Prometheus request, and per database connection + statement. */
  requestTimeoutMs: number;
  /** Points per series one query_range may ask for; Prometheus refuses more than 11 000. A source behind catches up in several requests. */
  maxPointsPerQuery: number;
  /** Statements (fingerprints) stored per scrape of a database, those with the most execution time in the interval first. */
  maxStatementsPerScrape: number;
}

export const DEFAULT_COLLECTOR_SETTINGS: CollectorSettings = {
  enabled: true,
  tickMs: 1_000,
  concurrency: 4,
  requestTimeoutMs: 10_000,
  maxPointsPerQuery: 10_000,
  maxStatementsPerScrape: 500,
};

const settingsSchema = z.object({
  METRICS_RAW_RETENTION_DAYS: positiveInt(7, 3_650),
  METRICS_ROLLUP_RETENTION_DAYS: positiveInt(90, 3_650),
  METRICS_PARTITIONS_AHEAD_DAYS: positiveInt(2, 60),
  METRICS_MAINTENANCE_INTERVAL_MS: positiveInt(300_000, 86_400_000),
  METRICS_WINDOW_INTERVAL_MS: positiveInt(10_000, 86_400_000).refine((value) => value % 10_000 === 0, 'must be a multiple of 10000 (the finest rollup)'),
  METRICS_WINDOW_GRACE_MS: positiveInt(2_000, 600_000),
  METRICS_WINDOW_PUBLISH_TICK_MS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(86_400_000).optional(),
  METRICS_MAX_CONCURRENT_WRITES: positiveInt(4, 64),
  METRICS_MAX_QUEUED_WRITES: positiveInt(64, 10_000),
  METRICS_MAX_SAMPLES_PER_REQUEST: positiveInt(200_000, 10_000_000),
  METRICS_MAX_REMOTE_WRITE_BYTES: positiveInt(64 * 1024 * 1024, 1024 * 1024 * 1024),
  METRICS_COLLECTORS_ENABLED: z.enum(['true', 'false'], { message: "must be 'true' or 'false'" }).default('true'),
  METRICS_COLLECTOR_TICK_MS: positiveInt(DEFAULT_COLLECTOR_SETTINGS.tickMs, 60_000),
  METRICS_COLLECTOR_CONCURRENCY: positiveInt(DEFAULT_COLLECTOR_SETTINGS.concurrency, 64),
  METRICS_COLLECTOR_TIMEOUT_MS: positiveInt(DEFAULT_COLLECTOR_SETTINGS.requestTimeoutMs, 300_000),
  METRICS_QUERY_SOURCE_MAX_POINTS: positiveInt(DEFAULT_COLLECTOR_SETTINGS.maxPointsPerQuery, 11_000),
  METRICS_PG_MAX_STATEMENTS: positiveInt(DEFAULT_COLLECTOR_SETTINGS.maxStatementsPerScrape, 100_000),
});

/** Reads the service's own settings; a bad value stops the process naming the variable. */
export function readMetricsIngestSettings(env: Environment = process.env): MetricsIngestSettings {
  const parsed = parseEnvironment(settingsSchema, env);
  if (parsed.METRICS_ROLLUP_RETENTION_DAYS < parsed.METRICS_RAW_RETENTION_DAYS) {
    parseEnvironment(
      settingsSchema.extend({
        METRICS_ROLLUP_RETENTION_DAYS: z.coerce.number().min(parsed.METRICS_RAW_RETENTION_DAYS, 'must be at least METRICS_RAW_RETENTION_DAYS'),
      }),
      env,
    );
  }
  return {
    retention: {
      rawRetentionDays: parsed.METRICS_RAW_RETENTION_DAYS,
      rollupRetentionDays: parsed.METRICS_ROLLUP_RETENTION_DAYS,
      partitionsAheadDays: parsed.METRICS_PARTITIONS_AHEAD_DAYS,
    },
    maintenanceIntervalMs: parsed.METRICS_MAINTENANCE_INTERVAL_MS,
    windows: { intervalMs: parsed.METRICS_WINDOW_INTERVAL_MS, graceMs: parsed.METRICS_WINDOW_GRACE_MS, maxCatchUpWindows: 6 },
    windowPublishTickMs: parsed.METRICS_WINDOW_PUBLISH_TICK_MS ?? DEFAULT_WINDOW_PUBLISH_TICK_MS,
    maxConcurrentWrites: parsed.METRICS_MAX_CONCURRENT_WRITES,
    maxQueuedWrites: parsed.METRICS_MAX_QUEUED_WRITES,
    maxSamplesPerRequest: parsed.METRICS_MAX_SAMPLES_PER_REQUEST,
    maxRemoteWriteBytes: parsed.METRICS_MAX_REMOTE_WRITE_BYTES,
    collectors: {
      enabled: parsed.METRICS_COLLECTORS_ENABLED === 'true',
      tickMs: parsed.METRICS_COLLECTOR_TICK_MS,
      concurrency: parsed.METRICS_COLLECTOR_CONCURRENCY,
      requestTimeoutMs: parsed.METRICS_COLLECTOR_TIMEOUT_MS,
      maxPointsPerQuery: parsed.METRICS_QUERY_SOURCE_MAX_POINTS,
      maxStatementsPerScrape: parsed.METRICS_PG_MAX_STATEMENTS,
    },
  };
}

export const METRICS_INGEST_SETTINGS = Symbol('strata:metrics-ingest-settings');
