/**
 * A mergeable quantile sketch with fixed log-scale buckets (the DDSketch idea): a value v > 0 lands
 * in bucket `p<i>` with i = ceil(log2(v) * BUCKETS_PER_DOUBLING), a negative value in `n<i>` by
 * its magnitude, zero in `z`. Buckets are fixed, so merging two sketches is adding counts per key —
 * which the rollup upsert does in PostgreSQL (repositories/samples.repository.ts); the sketch of a
 * write's samples is computed in Node (rollup-deltas.ts).
 * Any quantile is answered within RELATIVE_ACCURACY of a value of the right rank.
 */
export const BUCKETS_PER_DOUBLING = 16;

/** Half a bucket's width on the log scale: the representative value is the bucket's geometric middle. */
export const RELATIVE_ACCURACY = 2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1;

export type QuantileSketch = Record<string, number>;

/** The bucket index of a non-zero value's magnitude: the number after `p` or `n` in its key. */
export function sketchIndex(value: number): number {
  return Math.ceil(Math.log2(Math.abs(value)) * BUCKETS_PER_DOUBLING);
}

export function sketchKey(value: number): string {
  if (value === 0) {
    return 'z';
  }
  return `${value > 0 ? 'p' : 'n'}${sketchIndex(value)}`;
}

export function sketchOf(values: readonly number[]): QuantileSketch {
  const sketch: QuantileSketch = {};
  for (const value of values) {
    const key = sketchKey(value);
    sketch[key] = (sketch[key] ?? 0) + 1;
  }
  return sketch;
}

/** What a rollup bucket keeps of its values. */
export interface BucketAggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch: QuantileSketch;
}

/** Adds `other` into `into`: afterwards `into` is the aggregate of both buckets' values. */
export function addAggregate(into: BucketAggregate, other: BucketAggregate): void {
  into.count += other.count;
  into.sum += other.sum;
  into.min = Math.min(into.min, other.min);
  into.max = Math.max(into.max, other.max);
  mergeSketches(into.sketch, other.sketch);
}

export function mergeSketches(into: QuantileSketch, other: QuantileSketch): QuantileSketch {
  for (const [key, count] of Object.entries(other)) {
    into[key] = (into[key] ?? 0) + count;
  }
  return into;
}

interface Bucket {
  /** Position on the number line, for ordering buckets. */
  order: number;
  representative: number;
  count: number;
}

function bucketOf(key: string, count: number): Bucket {
  if (key === 'z') {
    return { order: 0, representative: 0, count };
  }
  const index = Number(key.slice(1));
  if (!Number.isInteger(index) || (key[0] !== 'p' && key[0] !== 'n')) {
    throw new Error(`not a sketch bucket key: '${key}'`);
  }
  const magnitude = 2 ** ((index - 0.5) / BUCKETS_PER_DOUBLING);
  // Keeps every positive bucket above zero and every negative one below, in value order.
  const order = key[0] === 'p' ? 1 + Math.atan(index) + Math.PI : -(1 + Math.atan(index) + Math.PI);
  return { order, representative: key[0] === 'p' ? magnitude : -magnitude, count };
}

/** The sketch as a histogram: each non-empty bucket's representative value, ascending, with its count. */
export function sketchHistogram(sketch: QuantileSketch): { values: number[]; counts: number[] } {
  const buckets = Object.entries(sketch)
    .filter(([, count]) => count > 0)
    .map(([key, count]) => bucketOf(key, count))
    .sort((a, b) => a.order - b.order);
  return { values: buckets.map((bucket) => bucket.representative), counts: buckets.map((bucket) => bucket.count) };
}

/**
 * The value of nearest rank ceil(q·n) (1-based) as the sketch knows it, clamped into [min, max]
 * when the exact extremes are known; null for an empty sketch.
 */
export function sketchQuantile(sketch: QuantileSketch, quantile: number, bounds?: { min: number; max: number }): number | null {
  const buckets = Object.entries(sketch)
    .filter(([, count]) => count > 0)
    .map(([key, count]) => bucketOf(key, count))
    .sort((a, b) => a.order - b.order);
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  if (total === 0) {
    return null;
  }
  const rank = Math.max(1, Math.ceil(quantile * total));
  let seen = 0;
  let answer = 0;
  for (const bucket of buckets) {
    seen += bucket.count;
    answer = bucket.representative;
    if (seen >= rank) {
      break;
    }
  }
  return bounds ? Math.min(bounds.max, Math.max(bounds.min, answer)) : answer;
}

/** The exact nearest-rank quantile of raw values, the definition the sketch approximates. */
export function exactQuantile(values: readonly number[], quantile: number): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1] ?? null;
}
