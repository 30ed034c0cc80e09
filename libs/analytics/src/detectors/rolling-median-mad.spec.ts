import { MAD_TO_SIGMA, RollingMedianMad } from './rolling-median-mad';

describe(RollingMedianMad.name, () => {
  const filled = (values: number[], capacity = 100): RollingMedianMad => {
    const sut = new RollingMedianMad(capacity);
    values.forEach((value) => sut.push(value));
    return sut;
  };

  it('finds median and MAD of odd and even windows', () => {
    expect(filled([1, 2, 3, 4, 100]).median()).toBe(3);
    expect(filled([1, 2, 3, 4, 100]).mad()).toBe(1);
    expect(filled([1, 2, 4, 8]).median()).toBe(3);
    expect(filled([1, 2, 4, 8]).mad()).toBe(1.5);
  });

  it('forgets values beyond its capacity', () => {
    const sut = filled([1000, 1000, 1000, 1, 2, 3], 3);
    expect(sut.size).toBe(3);
    expect(sut.median()).toBe(2);
  });

  it('scores a value against the robust scale, unmoved by an outlier', () => {
    const sut = filled([10, 11, 9, 10, 12, 8, 10, 1e6]);
    const sigma = MAD_TO_SIGMA * sut.mad();
    expect(sut.zScore(10 + 2 * sigma, 1e-9)).toBeCloseTo(2, 9);
  });

  it('falls back to the mean absolute deviation, then to the floor, when the MAD is 0', () => {
    expect(filled([5, 5, 5, 5, 5, 9]).robustSigma(1e-9)).toBeCloseTo(1.2533 * (4 / 6), 9);
    expect(filled([5, 5, 5]).robustSigma(0.25)).toBe(0.25);
  });

  it('restores from its JSON state', () => {
    const sut = filled([3, 1, 4, 1, 5, 9, 2, 6], 5);
    const restored = RollingMedianMad.fromJSON(JSON.parse(JSON.stringify(sut.toJSON())));
    sut.push(7);
    restored.push(7);
    expect([restored.median(), restored.mad()]).toEqual([sut.median(), sut.mad()]);
  });
});
