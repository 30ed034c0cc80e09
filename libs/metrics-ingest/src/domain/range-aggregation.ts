import { QuantileSketch, addAggregate, exactQuantile, sketchQuantile } from './quantile-sketch';

export const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'count', 'rate', 'p50', 'p95', 'p99'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

const QUANTILES: Partial<Record<Aggregation, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

export const ROLLUP_RESOLUTIONS = [
  { source: 'rollup-1m', bucketMs: 60_000 },
  { source: 'rollup-10s', bucketMs: 10_000 },
] as const;
export type RangeSource = (typeof ROLLUP_RESOLUTIONS)[number]['source'] | 'raw';

/**
 * Rollups answer a step that is a whole number of their buckets; `rate` needs the samples
 * themselves (a counter reset inside a bucket is invisible in count/sum/min/max).
 */
export function chooseSource(aggregation: Aggregation, stepMs: number): RangeSource {
  if (aggregation === 'rate') {
    return 'raw';
  }
  return ROLLUP_RESOLUTIONS.find((resolution) => stepMs % resolution.bucketMs === 0)?.source ?? 'raw';
}

export interface RollupRow {
  bucket: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch: QuantileSketch;
}

export interface RawSample {
  timestamp: number;
  value: number;
}

export interface RangePoint {
  timestamp: number;
  value: number;
}

export function stepStart(timestamp: number, stepMs: number): number {
  return Math.floor(timestamp / stepMs) * stepMs;
}

/** Merges rollup buckets into steps aligned on multiples of the step (epoch based). */
export function aggregateRollups(rows: readonly RollupRow[], stepMs: number, aggregation: Exclude<Aggregation, 'rate'>): RangePoint[] {
  const steps = new Map<number, RollupRow>();
  for (const row of rows) {
    const start = stepStart(row.bucket, stepMs);
    const current = steps.get(start);
    if (!current) {
      steps.set(start, { ...row, bucket: start, sketch: { ...row.sketch } });
      continue;
    }
    addAggregate(current, row);
  }
  return [...steps.values()]
    .sort((a, b) => a.bucket - b.bucket)
    .map((step) => ({ timestamp: step.bucket, value: summarise(step, aggregation) }))
    .filter((point): point is RangePoint => point.value !== null);
}

function summarise(step: RollupRow, aggregation: Exclude<Aggregation, 'rate'>): number | null {
  const quantile = QUANTILES[aggregation];
  if (quantile !== undefined) {
    return sketchQuantile(step.sketch, quantile, { min: step.min, max: step.max });
  }
  switch (aggregation) {
    case 'avg':
      return step.count === 0 ? null : step.sum / step.count;
    case 'sum':
      return step.sum;
    case 'min':
      return step.min;
    case 'max':
      return step.max;
    case 'count':
      return step.count;
    default:
      return null;
  }
}

/** Aggregates raw samples (ordered by time) into steps; percentiles are exact here. */
export function aggregateRaw(samples: readonly RawSample[], stepMs: number, aggregation: Exclude<Aggregation, 'rate'>): RangePoint[] {
  const steps = new Map<number, number[]>();
  for (const sample of samples) {
    const start = stepStart(sample.timestamp, stepMs);
    const values = steps.get(start);
    if (values) {
      values.push(sample.value);
    } else {
      steps.set(start, [sample.value]);
    }
  }
  return [...steps.entries()]
    .sort(([a], [b]) => a - b)
    .map(([timestamp, values]) => ({ timestamp, value: summariseValues(values, aggregation) }))
    .filter((point): point is RangePoint => point.value !== null);
}

function summariseValues(values: number[], aggregation: Exclude<Aggregation, 'rate'>): number | null {
  const quantile = QUANTILES[aggregation];
  if (quantile !== undefined) {
    return exactQuantile(values, quantile);
  }
  const sum = values.reduce((total, value) => total + value, 0);
  switch (aggregation) {
    case 'avg':
      return sum / values.length;
    case 'sum':
      return sum;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return values.length;
    default:
      return null;
  }
}

/**
 * Per-second increase of a counter in each step, Prometheus style: each pair of consecutive
 * samples contributes its delta to the step of the later sample; a drop is a counter reset, so the
 * later value itself is the increase. Pass the samples from one step before the range so the first
 * step has a predecessor.
 */
export function counterRate(samples: readonly RawSample[], stepMs: number, rangeStart: number): RangePoint[] {
  const increases = new Map<number, number>();
  for (let index = 1; index < samples.length; index += 1) {
    const previous = samples[index - 1];
    const current = samples[index];
    if (!previous || !current || current.timestamp < rangeStart) {
      continue;
    }
    const delta = current.value >= previous.value ? current.value - previous.value : current.value;
    const start = stepStart(current.timestamp, stepMs);
    increases.set(start, (increases.get(start) ?? 0) + delta);
  }
  return [...increases.entries()].sort(([a], [b]) => a - b).map(([timestamp, increase]) => ({ timestamp, value: increase / (stepMs / 1000) }));
}
