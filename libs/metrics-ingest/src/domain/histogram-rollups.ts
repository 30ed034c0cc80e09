import { compareIds } from './prepared-samples';
import { BucketAggregate, QuantileSketch, addAggregate, sketchKey } from './quantile-sketch';
import { ROLLUP_BUCKETS_MS, RollupDeltas, RollupTableName } from './rollup-deltas';

/** One stored histogram: what a gateway flushes per node and second (latency buckets). */
export interface StoredHistogram {
  seriesId: string;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Upper bounds, ascending; null (or Infinity) for the unbounded last bucket. */
  bounds: readonly (number | null)[];
  counts: readonly number[];
  sum: number;
  count: number;
}

interface BucketSpan {
  lower: number;
  upper: number;
  /** The value the bucket's observations stand for in the sketch. */
  representative: number;
}

/**
 * Where a histogram bucket's observations lie: between the previous bound (0 for a first bucket
 * with a positive bound, as latencies and sizes are) and its own; the unbounded last bucket
 * stands at the last finite bound, the least it can be.
 */
function spanOf(bounds: readonly (number | null)[], index: number): BucketSpan {
  const upperBound = bounds[index];
  const previous = index > 0 ? bounds[index - 1] : null;
  const firstBound = bounds[0];
  const lower = previous ?? (typeof firstBound === 'number' && Number.isFinite(firstBound) && firstBound > 0 ? 0 : Number(firstBound ?? 0));
  if (upperBound === null || upperBound === undefined || !Number.isFinite(upperBound)) {
    return { lower, upper: lower, representative: lower };
  }
  return { lower, upper: upperBound, representative: (lower + upperBound) / 2 };
}

interface Accumulator extends BucketAggregate {
  seriesId: string;
  bucket: number;
}

/**
 * What stored histograms add to the rollups: their exact count and sum (so a window's mean latency
 * is exact), min and max at the edges of the lowest and highest non-empty buckets, and each
 * bucket's observations in the quantile sketch at the bucket's middle, so p50/p95/p99 of a window
 * are answered to the histogram's resolution. In (series id, bucket) order.
 */
export function histogramRollupDeltas(histograms: readonly StoredHistogram[]): Record<RollupTableName, RollupDeltas> {
  const result = {} as Record<RollupTableName, RollupDeltas>;
  for (const table of Object.keys(ROLLUP_BUCKETS_MS) as RollupTableName[]) {
    const bucketMs = ROLLUP_BUCKETS_MS[table];
    const byKey = new Map<string, Accumulator>();
    for (const histogram of histograms) {
      if (histogram.count <= 0) {
        continue;
      }
      const bucket = Math.floor(histogram.timestamp / bucketMs) * bucketMs;
      const key = `${histogram.seriesId}/${bucket}`;
      let accumulator = byKey.get(key);
      if (!accumulator) {
        accumulator = { seriesId: histogram.seriesId, bucket, count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, sketch: {} };
        byKey.set(key, accumulator);
      }
      accumulator.count += histogram.count;
      accumulator.sum += histogram.sum;
      histogram.counts.forEach((observations, index) => {
        if (observations <= 0) {
          return;
        }
        const span = spanOf(histogram.bounds, index);
        accumulator.min = Math.min(accumulator.min, span.lower);
        accumulator.max = Math.max(accumulator.max, span.upper);
        const sketchBucket = sketchKey(span.representative);
        accumulator.sketch[sketchBucket] = (accumulator.sketch[sketchBucket] ?? 0) + observations;
      });
    }
    result[table] = toDeltas([...byKey.values()]);
  }
  return result;
}

/** A delta entry as a row, for merging (the write path keeps columns; merging is the rare case). */
function rowsOf(deltas: RollupDeltas): Accumulator[] {
  return deltas.seriesIds.map((seriesId, index) => ({
    seriesId,
    bucket: deltas.buckets[index] ?? 0,
    count: deltas.counts[index] ?? 0,
    sum: deltas.sums[index] ?? 0,
    min: deltas.mins[index] ?? Number.POSITIVE_INFINITY,
    max: deltas.maxs[index] ?? Number.NEGATIVE_INFINITY,
    sketch: JSON.parse(deltas.sketches[index] ?? '{}') as QuantileSketch,
  }));
}

/**
 * Two deltas of one write (samples, histograms) as one, still in (series id, bucket) order and
 * with one entry per bucket: one upsert statement may not touch a row twice, and one statement
 * keeps every writer locking rollup rows in the same order.
 */
export function mergeRollupDeltas(first: RollupDeltas, second: RollupDeltas): RollupDeltas {
  if (second.seriesIds.length === 0) {
    return first;
  }
  if (first.seriesIds.length === 0) {
    return second;
  }
  const byKey = new Map<string, Accumulator>();
  for (const row of [...rowsOf(first), ...rowsOf(second)]) {
    const key = `${row.seriesId}/${row.bucket}`;
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, row);
      continue;
    }
    addAggregate(existing, row);
  }
  return toDeltas([...byKey.values()]);
}

function toDeltas(entries: Accumulator[]): RollupDeltas {
  const ordered = entries.sort((a, b) => compareIds(a.seriesId, b.seriesId) || a.bucket - b.bucket);
  return {
    seriesIds: ordered.map((entry) => entry.seriesId),
    buckets: ordered.map((entry) => entry.bucket),
    counts: ordered.map((entry) => entry.count),
    sums: ordered.map((entry) => entry.sum),
    mins: ordered.map((entry) => entry.min),
    maxs: ordered.map((entry) => entry.max),
    sketches: ordered.map((entry) => JSON.stringify(entry.sketch)),
  };
}
