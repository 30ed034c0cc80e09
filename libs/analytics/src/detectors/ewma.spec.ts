import { Ewma } from './ewma';

describe(Ewma.name, () => {
  it('forecasts nothing before the first value, then that value', () => {
    const sut = new Ewma(0.5);
    expect(sut.forecast()).toBeNull();
    sut.update(10);
    expect(sut.forecast()).toBe(10);
  });

  it('moves the mean by alpha of the error', () => {
    const sut = new Ewma(0.25);
    sut.update(10);
    sut.update(18);
    expect(sut.forecast()).toBe(12);
    expect(sut.currentVariance).toBeCloseTo(0.75 * (0 + 8 * 2), 12);
  });

  it('converges to a new level', () => {
    const sut = new Ewma(0.2);
    for (let i = 0; i < 100; i++) sut.update(i < 50 ? 0 : 5);
    expect(sut.forecast()).toBeCloseTo(5, 3);
  });

  it('skips non-finite values and restores from JSON', () => {
    const sut = new Ewma(0.3);
    [1, Number.NaN, 2].forEach((value) => sut.update(value));
    const restored = Ewma.fromJSON(JSON.parse(JSON.stringify(sut.toJSON())));
    expect(restored.forecast()).toBeCloseTo(1.3, 12);
    expect(restored.toJSON()).toEqual(sut.toJSON());
  });

  it('rejects an alpha outside (0, 1]', () => {
    expect(() => new Ewma(0)).toThrow(/alpha/);
  });
});
