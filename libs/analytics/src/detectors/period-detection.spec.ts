import { detectPeriod } from './period-detection';

/** Deterministic noise in [-1, 1) (a linear congruential generator), so the specs never flake. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return (state / 4294967296) * 2 - 1;
  };
}

describe(detectPeriod.name, () => {
  const sut = detectPeriod;

  it('finds the period of a noisy sine', () => {
    const random = noise(1);
    const values = Array.from({ length: 600 }, (_, i) => Math.sin((2 * Math.PI * i) / 48) + 0.3 * random());
    expect(sut(values)).toBe(48);
  });

  it('finds the period of a square wave riding a trend', () => {
    const values = Array.from({ length: 400 }, (_, i) => 0.05 * i + (i % 24 < 12 ? 10 : 0));
    expect(sut(values)).toBe(24);
  });

  it('prefers the fundamental to its multiples', () => {
    const values = Array.from({ length: 800 }, (_, i) => Math.sin((2 * Math.PI * i) / 30) + 0.2 * Math.sin((2 * Math.PI * i) / 90));
    expect(sut(values)).toBe(30);
  });

  it('finds none in noise, a trend or a constant', () => {
    const random = noise(2);
    expect(sut(Array.from({ length: 500 }, () => random()))).toBeNull();
    expect(sut(Array.from({ length: 500 }, (_, i) => i))).toBeNull();
    expect(sut(new Array<number>(500).fill(3))).toBeNull();
  });

  it('finds none with too few samples', () => {
    expect(sut([1, 2, 1])).toBeNull();
  });
});
