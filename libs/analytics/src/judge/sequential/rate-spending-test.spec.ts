import { SeededRandom } from '../seeded-random';
import { RateSpendingTest } from './rate-spending-test';

/** Runs of windows of 100 requests (canary share `share`) until the canary has served `canaryRequests`; the share failed. */
function falseFailShare(options: { runs: number; share: number; canaryRate: number; baselineRate: number; canaryRequests: number; swing: number }): number {
  const random = new SeededRandom(17);
  let failed = 0;
  for (let run = 0; run < options.runs; run += 1) {
    const sut = new RateSpendingTest(0.01, 500);
    for (let served = 0, window = 0; served < options.canaryRequests; window += 1) {
      const swing = 1 + options.swing * Math.sin(window / 8);
      const canary = random.errors(Math.round(100 * options.share), options.canaryRate * swing);
      const baseline = random.errors(100 - canary.total, options.baselineRate * swing);
      served += canary.total;
      if (sut.observe(canary.total, canary.errors, baseline.total, baseline.errors)) {
        failed += 1;
        break;
      }
    }
  }
  return failed / options.runs;
}

describe(RateSpendingTest.name, () => {
  it('cannot fail before the errors could be told from chance, and spends nothing then', () => {
    const sut = new RateSpendingTest(0.01, 500);
    // 5 errors, all the canary's, at an even split: chance 1/32, far above what may be spent.
    expect(sut.observe(50, 5, 50, 0)).toBe(false);
    expect(sut.state).toEqual({ canaryErrors: 5, boundary: null, spent: 0 });
  });

  it('fails when the canary holds nearly all the errors, at a boundary whose null chance fits the budget', () => {
    const sut = new RateSpendingTest(0.01, 500);
    for (let window = 0; window < 10; window += 1) sut.observe(50, 2, 50, 0);
    // 20 of 20 errors at an even split: chance 2^-20, within α·500/1000 = 0.005.
    expect(sut.crossed).toBe(true);
    expect(sut.state.boundary).toBeLessThanOrEqual(20);
    expect(sut.state.spent).toBeGreaterThan(0);
    expect(sut.state.spent).toBeLessThanOrEqual(0.005);
  });

  it('spends at most α·n/(n + halfSpentAt) by n canary requests, whatever the counts', () => {
    const sut = new RateSpendingTest(0.01, 500);
    const random = new SeededRandom(3);
    for (let window = 1; window <= 60; window += 1) {
      sut.observe(50, random.errors(50, 0.05).errors, 50, random.errors(50, 0.05).errors);
      expect(sut.state.spent).toBeLessThanOrEqual((0.01 * 50 * window) / (50 * window + 500) + 1e-15);
    }
  });

  it('leaves out the errors of a window where one side served nothing', () => {
    const sut = new RateSpendingTest(0.01, 500);
    sut.observe(100, 7, 0, 0);
    expect(sut.state.canaryErrors).toBe(0);
  });

  it.each([
    ['an even split', { share: 0.5, swing: 0 }],
    ['a 10/90 split with the rate swinging ±60 % over the day', { share: 0.1, swing: 0.6 }],
  ])('fails at most α of A/A canaries looked at after every window: %s', (_name, effects) => {
    // 4,000 runs: the rate's 3-SE band at α = 0.01 is ±0.5 %; the spent α by 3,000 requests is 0.0086.
    expect(falseFailShare({ runs: 4000, canaryRate: 0.01, baselineRate: 0.01, canaryRequests: 3000, ...effects })).toBeLessThanOrEqual(0.0086 + 0.0045);
  });

  it('catches three times the error rate by 2,000 canary requests', () => {
    expect(falseFailShare({ runs: 500, share: 0.5, swing: 0, canaryRate: 0.03, baselineRate: 0.01, canaryRequests: 2000 })).toBeGreaterThan(0.9);
  });

  it('refuses an α outside (0, 1) or a non-positive halfSpentAt', () => {
    expect(() => new RateSpendingTest(0, 500)).toThrow(/alpha must be in \(0, 1\), got 0/);
    expect(() => new RateSpendingTest(0.01, 0)).toThrow(/halfSpentAt must be > 0, got 0/);
  });
});
