import { intervalZ, normalQuantile } from './normal';

describe(normalQuantile.name, () => {
  const sut = normalQuantile;

  it.each([
    [0.5, 0],
    [0.975, 1.959963985],
    [0.9, 1.281551566],
    [0.01, -2.326347874],
    [0.999, 3.090232306],
  ])('Φ⁻¹(%p) = %p', (p, z) => {
    expect(sut(p)).toBeCloseTo(z, 7);
  });

  it('is antisymmetric and refuses p outside (0,1)', () => {
    expect(sut(0.2)).toBeCloseTo(-sut(0.8), 12);
    expect(() => sut(0)).toThrow(RangeError);
    expect(() => sut(1)).toThrow(RangeError);
  });
});

describe(intervalZ.name, () => {
  const sut = intervalZ;

  it('gives the two-sided z of a central interval', () => {
    expect(sut(0.95)).toBeCloseTo(1.959964, 5);
    expect(sut(0.8)).toBeCloseTo(1.281552, 5);
  });
});
