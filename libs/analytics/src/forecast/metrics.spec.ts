import { intervalCoverage, mase, maseScale, meanAbsoluteError, smape } from './metrics';

describe(meanAbsoluteError.name, () => {
  const sut = meanAbsoluteError;

  it('averages absolute errors', () => {
    expect(sut([1, 2, 3], [2, 2, 1])).toBeCloseTo((1 + 0 + 2) / 3, 12);
  });

  it('refuses mismatched or empty inputs', () => {
    expect(() => sut([1, 2], [1])).toThrow(RangeError);
    expect(() => sut([], [])).toThrow(RangeError);
  });
});

describe(maseScale.name, () => {
  const sut = maseScale;

  it('is the in-sample naive MAE without a period', () => {
    // |3-1| + |2-3| + |6-2| = 7 over 3 differences
    expect(sut([1, 3, 2, 6])).toBeCloseTo(7 / 3, 12);
  });

  it('is the in-sample seasonal naive MAE with a period', () => {
    // lag 2: |2-1| + |6-3| = 4 over 2
    expect(sut([1, 3, 2, 6], 2)).toBeCloseTo(2, 12);
  });

  it('falls back to the naive MAE when the seasonal one is zero or the series is shorter than a season', () => {
    const periodic = [1, 5, 1, 5, 1, 5];
    expect(sut(periodic, 2)).toBeCloseTo(4, 12);
    expect(sut([1, 3, 2], 5)).toBeCloseTo(1.5, 12);
  });

  it('is zero for a constant series', () => {
    expect(sut([4, 4, 4], 2)).toBe(0);
  });
});

describe(mase.name, () => {
  const sut = mase;

  it('divides the MAE by the scale and is NaN for a zero scale', () => {
    expect(sut([10, 12], [11, 10], 2)).toBeCloseTo(0.75, 12);
    expect(sut([1], [2], 0)).toBeNaN();
  });
});

describe(smape.name, () => {
  const sut = smape;

  it('is 200·|e|/(|y|+|f|) on average', () => {
    // 200·1/3 and 200·2/6
    expect(sut([1, 2], [2, 4])).toBeCloseTo((200 / 3 + 200 / 3) / 2, 10);
  });

  it('counts 0 against 0 as perfect and opposite signs as 200', () => {
    expect(sut([0, 1], [0, -1])).toBeCloseTo(100, 12);
  });
});

describe(intervalCoverage.name, () => {
  const sut = intervalCoverage;

  it('counts actuals inside the bounds, bounds included', () => {
    expect(sut([1, 2, 3, 4], { lower: [1, 0, 4, 0], upper: [2, 1, 5, 4] })).toBeCloseTo(0.5, 12);
  });
});
