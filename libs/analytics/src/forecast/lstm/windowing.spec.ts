import { makeWindows, quantile } from './windowing';

describe(makeWindows.name, () => {
  const sut = makeWindows;

  it('pairs each lookback window with the horizon that follows it', () => {
    expect(sut([1, 2, 3, 4, 5, 6], 3, 2)).toEqual({
      inputs: [
        [1, 2, 3],
        [2, 3, 4],
      ],
      targets: [
        [4, 5],
        [5, 6],
      ],
    });
  });

  it('steps by the stride and yields nothing for too short a series', () => {
    expect(sut([1, 2, 3, 4, 5, 6, 7], 2, 1, 2).inputs).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(sut([1, 2], 2, 1)).toEqual({ inputs: [], targets: [] });
  });

  it('refuses non-positive sizes', () => {
    expect(() => sut([1, 2, 3], 0, 1)).toThrow(RangeError);
  });
});

describe(quantile.name, () => {
  const sut = quantile;

  it('interpolates between order statistics (R type 7)', () => {
    expect(sut([4, 1, 3, 2], 0.5)).toBeCloseTo(2.5, 12);
    expect(sut([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 12);
    expect(sut([1, 2, 3], 0)).toBe(1);
    expect(sut([1, 2, 3], 1)).toBe(3);
  });

  it('refuses no values and levels outside [0,1]', () => {
    expect(() => sut([], 0.5)).toThrow(RangeError);
    expect(() => sut([1], 1.5)).toThrow(RangeError);
  });
});
