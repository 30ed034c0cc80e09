import { PreparedSeries } from './prepared-samples';
import { sketchIndex } from './quantile-sketch';
import { at } from './typed-arrays';

/** The rollup tables and the width of their buckets. */
export const ROLLUP_BUCKETS_MS = { rollups_10s: 10_000, rollups_1m: 60_000 } as const;
export type RollupTableName = keyof typeof ROLLUP_BUCKETS_MS;

/**
 * What a write adds to one rollup table, one entry per (series, bucket) it touches, in (series id,
 * bucket) order. Columns rather than row objects: they go to PostgreSQL as arrays, and a write of
 * 100 000 samples touches tens of thousands of buckets.
 */
export interface RollupDeltas {
  seriesIds: string[];
  /** Bucket start, epoch milliseconds. */
  buckets: number[];
  counts: number[];
  sums: number[];
  mins: number[];
  maxs: number[];
  /** Each bucket's quantile sketch as JSON text, the form the rollup tables keep (see quantile-sketch.ts). */
  sketches: string[];
}

/*
 * A sketch key as one integer, so a bucket's keys can be sorted and counted in a typed array
 * instead of a string-keyed object per bucket: index i of a positive value is 2i, of a negative
 * value 2i + 1; zero gets a code no index reaches (|i| ≤ 16 × 1 075 for any double).
 */
const ZERO_CODE = 2 ** 30 + 1;

function sketchCode(value: number): number {
  if (value === 0) {
    return ZERO_CODE;
  }
  const index = sketchIndex(value);
  return value > 0 ? 2 * index : 2 * index + 1;
}

function sketchKeyOfCode(code: number): string {
  if (code === ZERO_CODE) {
    return 'z';
  }
  return (code & 1) === 0 ? `p${code / 2}` : `n${(code - 1) / 2}`;
}

/** The JSON of the sketch of the codes in `scratch[0, length)`; sorts them in place. */
function sketchJson(scratch: Int32Array, length: number): string {
  const codes = scratch.subarray(0, length).sort();
  let json = '{';
  let run = 1;
  for (let index = 1; index <= length; index += 1) {
    if (index < length && codes[index] === codes[index - 1]) {
      run += 1;
      continue;
    }
    json += `${json.length > 1 ? ',' : ''}"${sketchKeyOfCode(at(codes, index - 1))}":${run}`;
    run = 1;
  }
  return `${json}}`;
}

function emptyDeltas(): RollupDeltas {
  return { seriesIds: [], buckets: [], counts: [], sums: [], mins: [], maxs: [], sketches: [] };
}

/**
 * The count, sum, min, max and sketch per bucket of both rollup tables. Added to a stored rollup
 * row, or inserted where there is none, they keep the rollups equal to a recomputation over every
 * stored sample: the caller passes only samples that were actually stored.
 */
export function rollupDeltas(series: readonly PreparedSeries[]): Record<RollupTableName, RollupDeltas> {
  const results = { rollups_10s: emptyDeltas(), rollups_1m: emptyDeltas() };
  let codes = new Int32Array(0);
  let scratch = new Int32Array(0);
  for (const { seriesId, timestamps, values } of series) {
    const length = timestamps.length;
    if (codes.length < length) {
      codes = new Int32Array(length);
      scratch = new Int32Array(length);
    }
    for (let index = 0; index < length; index += 1) {
      codes[index] = sketchCode(at(values, index));
    }
    for (const table of ['rollups_10s', 'rollups_1m'] as const) {
      const bucketMs = ROLLUP_BUCKETS_MS[table];
      const deltas = results[table];
      // Timestamps ascend, so each bucket is one run of consecutive samples.
      let start = 0;
      while (start < length) {
        const bucket = Math.floor(at(timestamps, start) / bucketMs) * bucketMs;
        const bucketEnd = bucket + bucketMs;
        let sum = 0;
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        let end = start;
        for (; end < length && at(timestamps, end) < bucketEnd; end += 1) {
          const value = at(values, end);
          sum += value;
          if (value < min) min = value;
          if (value > max) max = value;
          scratch[end - start] = at(codes, end);
        }
        deltas.seriesIds.push(seriesId);
        deltas.buckets.push(bucket);
        deltas.counts.push(end - start);
        deltas.sums.push(sum);
        deltas.mins.push(min);
        deltas.maxs.push(max);
        deltas.sketches.push(sketchJson(scratch, end - start));
        start = end;
      }
    }
  }
  return results;
}
