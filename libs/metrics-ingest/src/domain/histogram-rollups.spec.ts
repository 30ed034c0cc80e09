import { StoredHistogram, histogramRollupDeltas, mergeRollupDeltas } from './histogram-rollups';
import { sketchKey } from './quantile-sketch';
import { rollupDeltas } from './rollup-deltas';

const BOUNDS = [1, 2, 5, 10, null];

function histogram(seriesId: string, timestamp: number, counts: number[], sum: number): StoredHistogram {
  return { seriesId, timestamp, bounds: BOUNDS, counts, sum, count: counts.reduce((total, count) => total + count, 0) };
}

describe(histogramRollupDeltas.name, () => {
  it('adds exact counts and sums per bucket, so a window mean is exact', () => {
    const sut = histogramRollupDeltas([histogram('7', 1_000, [1, 2, 0, 0, 0], 4.5), histogram('7', 9_000, [0, 0, 3, 1, 0], 19), histogram('7', 11_000, [4, 0, 0, 0, 0], 2)]);

    expect(sut.rollups_10s).toMatchObject({ seriesIds: ['7', '7'], buckets: [0, 10_000], counts: [7, 4], sums: [23.5, 2] });
    expect(sut.rollups_1m).toMatchObject({ seriesIds: ['7'], buckets: [0], counts: [11], sums: [25.5] });
  });

  it('puts each bucket’s observations in the sketch at its middle, and min and max at the non-empty edges', () => {
    const sut = histogramRollupDeltas([histogram('7', 0, [0, 2, 3, 0, 0], 17)]);

    expect(JSON.parse(sut.rollups_10s.sketches[0] ?? '{}')).toEqual({ [sketchKey(1.5)]: 2, [sketchKey(3.5)]: 3 });
    expect(sut.rollups_10s).toMatchObject({ mins: [1], maxs: [5] });
  });

  it('puts the unbounded bucket at the last finite bound', () => {
    const sut = histogramRollupDeltas([histogram('7', 0, [0, 0, 0, 0, 2], 50)]);

    expect(JSON.parse(sut.rollups_10s.sketches[0] ?? '{}')).toEqual({ [sketchKey(10)]: 2 });
    expect(sut.rollups_10s).toMatchObject({ mins: [10], maxs: [10] });
  });

  it('orders series numerically, then buckets, and skips empty histograms', () => {
    const sut = histogramRollupDeltas([histogram('10', 0, [1, 0, 0, 0, 0], 1), histogram('9', 20_000, [1, 0, 0, 0, 0], 1), histogram('9', 0, [1, 0, 0, 0, 0], 1), histogram('8', 0, [0, 0, 0, 0, 0], 0)]);

    expect(sut.rollups_10s).toMatchObject({ seriesIds: ['9', '9', '10'], buckets: [0, 20_000, 0] });
  });
});

describe(mergeRollupDeltas.name, () => {
  it('adds up an entry both sides have and keeps the (series, bucket) order', () => {
    const fromSamples = rollupDeltas([
      { seriesId: '3', timestamps: Float64Array.from([1_000, 2_000]), values: Float64Array.from([0.5, 7]) },
      { seriesId: '12', timestamps: Float64Array.from([1_000]), values: Float64Array.from([3]) },
    ]).rollups_10s;
    const fromHistograms = histogramRollupDeltas([histogram('3', 5_000, [0, 1, 0, 0, 0], 1.5), histogram('5', 0, [1, 0, 0, 0, 0], 0.2)]).rollups_10s;

    const sut = mergeRollupDeltas(fromSamples, fromHistograms);

    expect(sut).toMatchObject({ seriesIds: ['3', '5', '12'], buckets: [0, 0, 0], counts: [3, 1, 1], sums: [9, 0.2, 3], mins: [0.5, 0, 3], maxs: [7, 1, 3] });
    expect(JSON.parse(sut.sketches[0] ?? '{}')).toEqual({ [sketchKey(0.5)]: 1, [sketchKey(7)]: 1, [sketchKey(1.5)]: 1 });
  });

  it('returns either side unchanged when the other is empty', () => {
    const deltas = histogramRollupDeltas([histogram('3', 0, [1, 0, 0, 0, 0], 1)]).rollups_10s;
    const empty = histogramRollupDeltas([]).rollups_10s;

    expect(mergeRollupDeltas(deltas, empty)).toBe(deltas);
    expect(mergeRollupDeltas(empty, deltas)).toBe(deltas);
  });
});
