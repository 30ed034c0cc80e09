import { SamplePoint } from './series-batch';

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

function strictlyAscending(timestamps: Float64Array): boolean {
  for (let index = 1; index < timestamps.length; index += 1) {
    if (timestamps[index]! <= timestamps[index - 1]!) {
      return false;
    }
  }
  return true;
}

/**
 * Sorts by timestamp and keeps the first occurrence of a repeated timestamp (the order the samples
 * arrived in decides, as for the rows already stored). Samples usually arrive sorted; that case
 * costs one scan.
 */
function sortedUnique(timestamps: Float64Array, values: Float64Array): { timestamps: Float64Array; values: Float64Array } {
  if (strictlyAscending(timestamps)) {
    return { timestamps, values };
  }
  // A stable sort of positions: equal timestamps stay in arrival order, so the first one wins.
  const order = Array.from({ length: timestamps.length }, (_, index) => index).sort((a, b) => timestamps[a]! - timestamps[b]! || a - b);
  const sortedTimestamps = new Float64Array(order.length);
  const sortedValues = new Float64Array(order.length);
  let kept = 0;
  for (const position of order) {
    const timestamp = timestamps[position]!;
    if (kept > 0 && sortedTimestamps[kept - 1] === timestamp) {
      continue;
    }
    sortedTimestamps[kept] = timestamp;
    sortedValues[kept] = values[position]!;
    kept += 1;
  }
  return { timestamps: sortedTimestamps.subarray(0, kept), values: sortedValues.subarray(0, kept) };
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
  for (const seriesId of [...groups.keys()].sort(compareIds)) {
    const parts = groups.get(seriesId)!;
    const length = parts.reduce((total, part) => total + part.length, 0);
    const timestamps = new Float64Array(length);
    const values = new Float64Array(length);
    let offset = 0;
    for (const part of parts) {
      for (const sample of part) {
        timestamps[offset] = sample.timestamp;
        values[offset] = sample.value;
        offset += 1;
      }
    }
    const unique = sortedUnique(timestamps, values);
    series.push({ seriesId, ...unique });
    received += length;
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
        timestamps[kept] = entry.timestamps[index]!;
        values[kept] = entry.values[index]!;
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
