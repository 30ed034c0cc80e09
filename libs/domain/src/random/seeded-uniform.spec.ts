import { seededUniform } from './seeded-uniform';

describe('seededUniform', () => {
  it('draws the same sequence for the same seed and another for another seed', () => {
    const draws = (seed: number) => Array.from({ length: 5 }, seededUniform(seed));
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });

  it('stays in [0, 1) and spreads evenly over it', () => {
    const next = seededUniform(42);
    const deciles = new Array<number>(10).fill(0);
    let outside = 0;
    for (let index = 0; index < 100_000; index += 1) {
      const draw = next();
      if (draw < 0 || draw >= 1) outside += 1;
      else deciles[Math.floor(draw * 10)]! += 1;
    }
    expect(outside).toBe(0);
    // 10,000 expected a decile; 4 standard deviations (±380) is far beyond chance.
    for (const count of deciles) expect(Math.abs(count - 10_000)).toBeLessThan(400);
  });
});
