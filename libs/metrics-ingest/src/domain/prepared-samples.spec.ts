import { compareIds, prepareSamples, withoutPositions } from './prepared-samples';

const points = (pairs: Array<[number, number]>) => pairs.map(([timestamp, value]) => ({ timestamp, value }));
const plain = (series: { seriesId: string; timestamps: Float64Array; values: Float64Array }) => ({
  seriesId: series.seriesId,
  timestamps: [...series.timestamps],
  values: [...series.values],
});

describe(prepareSamples.name, () => {
  it('keeps sorted samples as they are and orders series numerically by id', () => {
    const sut = prepareSamples([
      { seriesId: '10', samples: points([[1, 1], [2, 2]]) },
      { seriesId: '9', samples: points([[5, 5]]) },
    ]);
    expect(sut.series.map(plain)).toEqual([
      { seriesId: '9', timestamps: [5], values: [5] },
      { seriesId: '10', timestamps: [1, 2], values: [1, 2] },
    ]);
    expect(sut).toMatchObject({ count: 3, repeated: 0 });
  });

  it('sorts out-of-order samples and keeps the first of a repeated timestamp, across batches of one series too', () => {
    const sut = prepareSamples([
      { seriesId: '7', samples: points([[30, 3], [10, 1], [30, 99], [20, 2]]) },
      { seriesId: '8', samples: points([[1, 1]]) },
      { seriesId: '7', samples: points([[10, 98], [40, 4]]) },
    ]);
    expect(sut.series.map(plain)).toEqual([
      { seriesId: '7', timestamps: [10, 20, 30, 40], values: [1, 2, 3, 4] },
      { seriesId: '8', timestamps: [1], values: [1] },
    ]);
    expect(sut).toMatchObject({ count: 5, repeated: 2 });
  });

  it('leaves out batches without samples', () => {
    expect(prepareSamples([{ seriesId: '1', samples: [] }])).toEqual({ series: [], count: 0, repeated: 0 });
  });
});

describe(withoutPositions.name, () => {
  it('drops samples by their position across series, and series left empty', () => {
    const prepared = prepareSamples([
      { seriesId: '1', samples: points([[1, 1], [2, 2]]) },
      { seriesId: '2', samples: points([[1, 10]]) },
      { seriesId: '3', samples: points([[1, 100], [2, 200]]) },
    ]);
    const sut = withoutPositions(prepared, [1, 2, 3]);
    expect(sut.series.map(plain)).toEqual([
      { seriesId: '1', timestamps: [1], values: [1] },
      { seriesId: '3', timestamps: [2], values: [200] },
    ]);
    expect(sut.count).toBe(2);
  });
});

describe(compareIds.name, () => {
  it('orders decimal ids as numbers', () => {
    expect(['10', '9', '100', '11'].sort(compareIds)).toEqual(['9', '10', '11', '100']);
  });
});
