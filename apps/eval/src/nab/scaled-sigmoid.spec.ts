import { scaledSigmoid } from './scaled-sigmoid';

describe(scaledSigmoid.name, () => {
  const sut = scaledSigmoid;

  it('is 2/(1+e^{5y}) − 1 at the window edges', () => {
    expect(sut(-1)).toBeCloseTo(0.98661, 5);
    expect(sut(-0.5)).toBeCloseTo(0.84828, 5);
    expect(sut(0)).toBe(0);
    expect(sut(1)).toBeCloseTo(-0.98661, 5);
  });

  it('falls monotonically with the position', () => {
    const values = [-2, -1, -0.5, 0, 0.5, 1, 2, 3].map(sut);
    values.slice(1).forEach((value, i) => expect(value).toBeLessThan(values[i]!));
  });

  it('is exactly −1 well behind a window, as NAB clamps it', () => {
    expect(sut(3.0001)).toBe(-1);
    expect(sut(3)).toBeGreaterThan(-1);
  });
});
