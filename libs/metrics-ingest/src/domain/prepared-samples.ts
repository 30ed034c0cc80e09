import { SamplePoint } from './series-batch';
import { at } from './typed-arrays';

/** One series' samples of a write: ascending timestamps without repeats, in typed arrays. */
export interface PreparedSeries {
  seriesId: string;
  /** Epoch milliseconds, strictly ascending. */
  timestamps: Float64Array;
  values: Float64Array;
}

export interface PreparedSamples {
  /** Ordered by series id (numerically), so every writer takes row locks in one order. */
  series: PreparedSeries[];
  /** Samples dropped because an earlier sample of the same write had the same series and timestamp. */
  repeated: number;
  /** Samples kept: the sum of every series' length. */
  count: number;
}

export interface SeriesSamplesInput {
  seriesId: string;
  samples: readonly SamplePoint[];
}

/** Numeric order of decimal id strings without converting them (ids are bigint in the database). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function strictlyAscending(points: readonly SamplePoint[]): boolean {
  let previous = Number.NEGATIVE_INFINITY;
  for (const point of points) {
    if (point.timestamp <= previous) {
      return false;
    }
    previous = point.timestamp;
  }
  return true;
}

/**
 * Sorted by timestamp, keeping the first occurrence of a repeated timestamp (arrival order decides,
 * as it does against the rows already stored). Samples usually arrive sorted: that costs one scan.
 */
function sortedUnique(points: readonly SamplePoint[]): { timestamps: Float64Array; values: Float64Array } {
  // Array.prototype.sort is stable: equal timestamps stay in arrival order, so the first one wins.
  const sorted = strictlyAscending(points) ? points : [...points].sort((a, b) => a.timestamp - b.timestamp);
  const timestamps = new Float64Array(sorted.length);
  const values = new Float64Array(sorted.length);
  let kept = 0;
  let previous = Number.NaN;
  for (const point of sorted) {
    if (point.timestamp !== previous) {
      timestamps[kept] = point.timestamp;
      values[kept] = point.value;
      kept += 1;
      previous = point.timestamp;
    }
  }
  return { timestamps: timestamps.subarray(0, kept), values: values.subarray(0, kept) };
}

/**
 * The samples of one write, grouped per series (a series may come in several batches of one
 * request: earlier batches come first), sorted and without repeats.
 */
export function prepareSamples(batches: readonly SeriesSamplesInput[]): PreparedSamples {
  const groups = new Map<string, Array<readonly SamplePoint[]>>();
  for (const batch of batches) {
    if (batch.samples.length === 0) {
      continue;
    }
    const group = groups.get(batch.seriesId);
    if (group) {
      group.push(batch.samples);
    } else {
      groups.set(batch.seriesId, [batch.samples]);
    }
  }
  const series: PreparedSeries[] = [];
  let received = 0;
  let count = 0;
  for (const [seriesId, parts] of [...groups].sort(([a], [b]) => compareIds(a, b))) {
    const points = parts.length === 1 ? (parts[0] ?? []) : parts.flat();
    const unique = sortedUnique(points);
    series.push({ seriesId, ...unique });
    received += points.length;
    count += unique.timestamps.length;
  }
  return { series, repeated: received - count, count };
}

/**
 * The samples minus those at the given positions, positions counted across all series in order
 * (as the samples were written): what is left of a write once the already stored rows are known.
 */
export function withoutPositions(prepared: PreparedSamples, positions: readonly number[]): PreparedSamples {
  if (positions.length === 0) {
    return prepared;
  }
  const dropped = new Set(positions);
  const series: PreparedSeries[] = [];
  let start = 0;
  let count = 0;
  for (const entry of prepared.series) {
    const timestamps = new Float64Array(entry.timestamps.length);
    const values = new Float64Array(entry.values.length);
    let kept = 0;
    for (let index = 0; index < entry.timestamps.length; index += 1) {
      if (!dropped.has(start + index)) {
        timestamps[kept] = at(entry.timestamps, index);
        values[kept] = at(entry.values, index);
        kept += 1;
      }
    }
    start += entry.timestamps.length;
    if (kept > 0) {
      series.push({ seriesId: entry.seriesId, timestamps: timestamps.subarray(0, kept), values: values.subarray(0, kept) });
      count += kept;
    }
  }
  return { series, repeated: prepared.repeated, count };
}
