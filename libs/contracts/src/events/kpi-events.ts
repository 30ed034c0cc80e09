import { z } from 'zod';

/**
 * The identity of a KPI series: every layer reports under the same labels, so a canary's latency,
 * its database's query time and its nodes' CPU line up by stack, environment and stack config.
 */
export const kpiSeriesLabels = z.object({
  stack: z.string().min(1).max(63),
  environment: z.string().min(1).max(63),
  component: z.string().min(1).max(63),
  /** The whole-stack configuration (version group) the sample was measured under, when known. */
  stackConfig: z.string().min(1).max(200).optional(),
  node: z.string().min(1).max(255).optional(),
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus-style metric name').max(200),
});
export type KpiSeriesLabels = z.infer<typeof kpiSeriesLabels>;

const timestamp = z.number().int().nonnegative(); // epoch milliseconds

/**
 * The largest magnitude a KPI value may have. Rollups and windows add values up: two samples
 * near the largest double sum to Infinity, which no window event can carry (and PostgreSQL's float8
 * addition refuses). 1e300 leaves room for 10⁸ such values in one sum; no KPI comes near it.
 */
export const MAX_KPI_MAGNITUDE = 1e300;

/** A value rollups can add up: finite and within ±MAX_KPI_MAGNITUDE. */
export function isStorableKpiValue(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_KPI_MAGNITUDE;
}

/** How a refusal of a value not storable reads. */
export const STORABLE_KPI_VALUE = 'a finite number within ±1e300';

const kpiValue = z.number().refine(isStorableKpiValue, `must be ${STORABLE_KPI_VALUE}`);

/** Buckets of one histogram at most: the gateway's log-spaced latency ladder has about 75. */
export const MAX_HISTOGRAM_BUCKETS = 1_000;

export const kpiHistogram = z
  .object({
    timestamp,
    /** Upper bounds of the buckets, ascending; the last may be Infinity (written as null in JSON). */
    bounds: z.array(kpiValue.nullable()).min(1).max(MAX_HISTOGRAM_BUCKETS),
    /** Count per bucket (not cumulative), same length as bounds. */
    counts: z.array(z.number().int().nonnegative()).max(MAX_HISTOGRAM_BUCKETS),
    sum: kpiValue,
    count: z.number().int().nonnegative(),
  })
  .superRefine((histogram, context) => {
    // A histogram out of shape is not refused by its quantiles: they come out plausible and wrong
    // (descending bounds put the median in the wrong bucket; a count short of the buckets' skews means).
    const { bounds, counts } = histogram;
    if (counts.length !== bounds.length) {
      context.addIssue({ code: 'custom', path: ['counts'], message: 'counts and bounds must have the same length' });
      return;
    }
    for (let index = 0; index < bounds.length; index++) {
      const bound = bounds[index] as number | null;
      if (bound === null && index < bounds.length - 1) {
        context.addIssue({ code: 'custom', path: ['bounds', index], message: 'only the last bound may be null (+Inf)' });
        return;
      }
      const previous = bounds[index - 1];
      if (index > 0 && bound !== null && typeof previous === 'number' && bound <= previous) {
        context.addIssue({ code: 'custom', path: ['bounds', index], message: `bounds must be strictly ascending (${bound} after ${previous})` });
        return;
      }
    }
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (histogram.count !== total) {
      context.addIssue({ code: 'custom', path: ['count'], message: `must equal the sum of counts (${total})` });
    }
  });
export type KpiHistogram = z.infer<typeof kpiHistogram>;

export interface KpiSamplePoint {
  timestamp: number;
  value: number;
}

function isKpiSamplePoint(candidate: unknown): candidate is KpiSamplePoint {
  if (typeof candidate !== 'object' || candidate === null) {
    return false;
  }
  const { timestamp: time, value } = candidate as Record<string, unknown>;
  return typeof time === 'number' && Number.isSafeInteger(time) && time >= 0 && isStorableKpiValue(value);
}

/*
 * Checked in place rather than as z.object({ timestamp, value }): a flush carries up to 10 000
 * samples, and an object schema copies each one, which doubled the garbage of a kpi.samples
 * consumer (bench:ingest). Keys other than the two are carried along unread.
 */
const kpiSamplePoint = z.custom<KpiSamplePoint>(isKpiSamplePoint, `must be {timestamp: epoch milliseconds (a whole number ≥ 0), value: ${STORABLE_KPI_VALUE}}`);

/** One series' samples since the producer's last flush (the gateway flushes every second). */
export const kpiSamplesV1 = z.object({
  series: kpiSeriesLabels,
  samples: z.array(kpiSamplePoint).max(10_000),
  histograms: z.array(kpiHistogram).max(1_000).optional(),
});
export type KpiSamplesV1 = z.infer<typeof kpiSamplesV1>;

/** Most buckets a window's histogram carries (the sketch has 16 per doubling: ~2,000 cover 1 µs to 1 h). */
export const MAX_WINDOW_HISTOGRAM_BUCKETS = 4_096;

export const kpiWindowHistogram = z
  .object({
    values: z.array(z.number()).max(MAX_WINDOW_HISTOGRAM_BUCKETS),
    counts: z.array(z.number().int().nonnegative()).max(MAX_WINDOW_HISTOGRAM_BUCKETS),
  })
  .refine((histogram) => histogram.counts.length === histogram.values.length, 'values and counts must have the same length')
  .refine((histogram) => histogram.values.every((value, index) => index === 0 || value > histogram.values[index - 1]), 'values must be strictly ascending');
export type KpiWindowHistogram = z.infer<typeof kpiWindowHistogram>;

/** Windowed aggregates of one series, published for detectors and rules (default every 10 s). */
export const kpiWindowV1 = z.object({
  series: kpiSeriesLabels,
  seriesId: z.string().min(1),
  windowStart: timestamp,
  windowEnd: timestamp,
  count: z.number().int().nonnegative(),
  sum: z.number(),
  mean: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  /**
   * The window's value distribution, when its series carries one (latency histograms): each
   * distinct value (a bucket's representative, ascending) with how many observations it stands
   * for. What a canary judge compares request by request instead of one mean per window.
   */
  histogram: kpiWindowHistogram.optional(),
}).superRefine((window, context) => {
  // A window out of order is no window: a judge would count it in spans it does not belong to.
  if (window.windowEnd <= window.windowStart) {
    context.addIssue({ code: 'custom', path: ['windowEnd'], message: `must be after windowStart (${window.windowStart})` });
  }
  if (window.min !== null && window.max !== null && window.min > window.max) {
    context.addIssue({ code: 'custom', path: ['min'], message: `must not exceed max (${window.max})` });
  }
});
export type KpiWindowV1 = z.infer<typeof kpiWindowV1>;

/**
 * The series name of a node's resource figure, the same whichever path it arrives by (registry
 * heartbeat on the bus, metrics-ingest's heartbeat intake): `memoryBytes` → `node_memory_bytes`,
 * `cpu` → `node_cpu`; characters a metric name cannot hold become `_`.
 */
export function nodeResourceMetric(resource: string): string {
  const snake = resource.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return `node_${snake.replace(/[^a-z0-9_:]/g, '_')}`.slice(0, 200);
}

/** Latency of a declared health check's probe, per target: an api-contract's response time. */
export const HEALTH_CHECK_LATENCY_METRIC = 'health_check_latency_ms';
/** 1 when a health check's probe passed, 0 when it failed. */
export const HEALTH_CHECK_UP_METRIC = 'health_check_up';
