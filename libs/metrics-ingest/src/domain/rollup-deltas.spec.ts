import { prepareSamples } from './prepared-samples';
import { QuantileSketch, mergeSketches, sketchOf } from './quantile-sketch';
import { ROLLUP_BUCKETS_MS, RollupDeltas, rollupDeltas } from './rollup-deltas';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch: QuantileSketch;
}

const rowsOf = (deltas: RollupDeltas) =>
  deltas.buckets.map((bucket, index) => ({
    key: `${deltas.seriesIds[index]}@${bucket}`,
    count: deltas.counts[index]!,
    sum: deltas.sums[index]!,
    min: deltas.mins[index]!,
    max: deltas.maxs[index]!,
    sketch: JSON.parse(deltas.sketches[index]!) as QuantileSketch,
  }));

/** The brute-force rollup: every value of a bucket, aggregated from scratch. */
function bruteForce(samples: Array<{ seriesId: string; timestamp: number; value: number }>, bucketMs: number): Map<string, Bucket> {
  const values = new Map<string, number[]>();
  for (const sample of samples) {
    const key = `${sample.seriesId}@${Math.floor(sample.timestamp / bucketMs) * bucketMs}`;
    values.set(key, [...(values.get(key) ?? []), sample.value]);
  }
  return new Map(
    [...values].map(([key, list]) => [
      key,
      { count: list.length, sum: list.reduce((total, value) => total + value, 0), min: Math.min(...list), max: Math.max(...list), sketch: sketchOf(list) },
    ]),
  );
}

describe(rollupDeltas.name, () => {
  const seed = Date.now() % 100_000;
  const next = random(seed);
  const base = 1_764_201_600_000;
  const samples = Array.from({ length: 3_000 }, () => {
    const kind = next();
    return {
      seriesId: String(1 + Math.floor(next() * 4)),
      timestamp: base + Math.floor(next() * 5 * 60_000),
      value: kind < 0.05 ? 0 : kind < 0.2 ? -next() * 40 : Math.exp(next() * 10 - 4),
    };
  });
  // What prepareSamples keeps: the first sample of each (series, timestamp).
  const seen = new Set<string>();
  const kept = samples.filter((sample) => {
    const key = `${sample.seriesId}@${sample.timestamp}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });

  it.each(['rollups_10s', 'rollups_1m'] as const)(`equals a brute-force aggregation of random samples for %s [seed ${seed}]`, (table) => {
    const batches = ['1', '2', '3', '4'].map((seriesId) => ({ seriesId, samples: samples.filter((sample) => sample.seriesId === seriesId) }));
    const sut = rollupDeltas(prepareSamples(batches).series)[table];
    const expected = bruteForce(kept, ROLLUP_BUCKETS_MS[table]);
    const rows = rowsOf(sut);
    expect(rows.map((row) => row.key).sort()).toEqual([...expected.keys()].sort());
    for (const row of rows) {
      const bucket = expected.get(row.key)!;
      expect(row).toMatchObject({ count: bucket.count, min: bucket.min, max: bucket.max, sketch: bucket.sketch });
      expect(row.sum).toBeCloseTo(bucket.sum, 9);
    }
  });

  it('gives deltas that, merged as the upsert merges them, equal the rollup of both writes at once', () => {
    const first = kept.slice(0, 1_200);
    const second = kept.slice(1_200);
    const deltasOf = (part: typeof kept) =>
      rowsOf(rollupDeltas(prepareSamples(['1', '2', '3', '4'].map((seriesId) => ({ seriesId, samples: part.filter((sample) => sample.seriesId === seriesId) }))).series).rollups_1m);
    const stored = new Map<string, Bucket>();
    for (const row of [...deltasOf(first), ...deltasOf(second)]) {
      const existing = stored.get(row.key);
      stored.set(
        row.key,
        existing
          ? { count: existing.count + row.count, sum: existing.sum + row.sum, min: Math.min(existing.min, row.min), max: Math.max(existing.max, row.max), sketch: mergeSketches({ ...existing.sketch }, row.sketch) }
          : row,
      );
    }
    const expected = bruteForce(kept, 60_000);
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, bucket] of stored) {
      expect(bucket).toMatchObject({ count: expected.get(key)!.count, min: expected.get(key)!.min, max: expected.get(key)!.max, sketch: expected.get(key)!.sketch });
    }
  });

  it('orders deltas by series id, then bucket, and writes sketches as the rollup tables keep them', () => {
    const prepared = prepareSamples([
      { seriesId: '12', samples: [{ timestamp: 25_000, value: 0 }] },
      { seriesId: '3', samples: [{ timestamp: 19_999, value: -1 }, { timestamp: 1_000, value: 2 }, { timestamp: 1_500, value: 2 }] },
    ]);
    const sut = rollupDeltas(prepared.series).rollups_10s;
    expect(sut).toEqual({
      seriesIds: ['3', '3', '12'],
      buckets: [0, 10_000, 20_000],
      counts: [2, 1, 1],
      sums: [4, -1, 0],
      mins: [2, -1, 0],
      maxs: [2, -1, 0],
      sketches: ['{"p16":2}', '{"n0":1}', '{"z":1}'],
    });
  });
});
