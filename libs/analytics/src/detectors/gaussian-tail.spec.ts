import { gaussianTail } from './gaussian-tail';

describe(gaussianTail.name, () => {
  const sut = gaussianTail;

  it('matches the standard normal table', () => {
    expect(sut(0)).toBeCloseTo(0.5, 6);
    expect(sut(1)).toBeCloseTo(0.158655, 6);
    expect(sut(1.96)).toBeCloseTo(0.025, 4);
    expect(sut(-1)).toBeCloseTo(0.841345, 6);
  });

  it('stays positive far in the tail', () => {
    expect(sut(8)).toBeGreaterThan(0);
    expect(sut(8)).toBeLessThan(1e-14);
  });
});
