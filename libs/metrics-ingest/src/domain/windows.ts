import { QuantileSketch, mergeSketches, sketchHistogram, sketchQuantile } from './quantile-sketch';

export interface WindowAggregate {
  windowStart: number;
  windowEnd: number;
  count: number;
  sum: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** The window's distribution (the merged sketch's buckets); absent for an empty window. */
  histogram?: { values: number[]; counts: number[] };
}

export interface WindowBucket {
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch: QuantileSketch;
}

/** One window's aggregates from the 10-second rollup buckets that fall inside it. */
export function windowAggregate(windowStart: number, windowEnd: number, buckets: readonly WindowBucket[]): WindowAggregate {
  const sketch: QuantileSketch = {};
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const bucket of buckets) {
    count += bucket.count;
    sum += bucket.sum;
    min = Math.min(min, bucket.min);
    max = Math.max(max, bucket.max);
    mergeSketches(sketch, bucket.sketch);
  }
  const bounds = count > 0 ? { min, max } : undefined;
  return {
    windowStart,
    windowEnd,
    count,
    sum,
    mean: count > 0 ? sum / count : null,
    min: bounds ? min : null,
    max: bounds ? max : null,
    p50: sketchQuantile(sketch, 0.5, bounds),
    p95: sketchQuantile(sketch, 0.95, bounds),
    p99: sketchQuantile(sketch, 0.99, bounds),
    ...(count > 0 ? { histogram: sketchHistogram(sketch) } : {}),
  };
}

export interface WindowSchedule {
  intervalMs: number;
  /** How long after a window ends late samples may still arrive before it is published. */
  graceMs: number;
  /** After downtime, publish at most this many missed windows (older ones are skipped). */
  maxCatchUpWindows: number;
}

/**
 * The windows due now, oldest first, given the end of the last published one (null on first run:
 * only the latest complete window).
 */
export function dueWindows(lastPublishedEnd: number | null, now: number, schedule: WindowSchedule): Array<{ start: number; end: number }> {
  const latestEnd = Math.floor((now - schedule.graceMs) / schedule.intervalMs) * schedule.intervalMs;
  const earliestEnd = Math.max(
    lastPublishedEnd === null ? latestEnd : lastPublishedEnd + schedule.intervalMs,
    latestEnd - (schedule.maxCatchUpWindows - 1) * schedule.intervalMs,
  );
  const windows: Array<{ start: number; end: number }> = [];
  for (let end = earliestEnd; end <= latestEnd; end += schedule.intervalMs) {
    windows.push({ start: end - schedule.intervalMs, end });
  }
  return windows;
}
