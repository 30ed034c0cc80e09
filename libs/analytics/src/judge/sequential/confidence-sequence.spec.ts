import { longRunVariance, mixtureRadius, seriesMoments } from './confidence-sequence';
import { SeededRandom } from '../seeded-random';

describe(mixtureRadius.name, () => {
  const sut = mixtureRadius;

  it('is infinite before any observation and narrows like √(log n / n) after', () => {
    expect(sut(0, 1, 0.01, 10)).toBe(Number.POSITIVE_INFINITY);
    expect(sut(10, 1, 0.01, 10)).toBeCloseTo(Math.sqrt(20 * (2 * Math.log(100) + Math.log(2))) / 10, 12);
    expect(sut(1000, 1, 0.01, 10)).toBeLessThan(sut(100, 1, 0.01, 10));
    expect(sut(100, 4, 0.01, 10)).toBeCloseTo(2 * sut(100, 1, 0.01, 10), 12);
  });

  it('is wider than a fixed-sample interval at the same level: it holds at every n at once', () => {
    expect(sut(100, 1, 0.01, 10)).toBeGreaterThan(2.576 / Math.sqrt(100));
  });

  it('contains the true mean of independent normal draws at every n in at least 99 % of 500 runs', () => {
    const random = new SeededRandom(5);
    let escaped = 0;
    for (let run = 0; run < 500; run += 1) {
      let sum = 0;
      for (let n = 1; n <= 400; n += 1) {
        sum += random.normal();
        if (Math.abs(sum / n) > sut(n, 1, 0.01, 10)) {
          escaped += 1;
          break;
        }
      }
    }
    expect(escaped / 500).toBeLessThanOrEqual(0.01);
  });
});

describe(seriesMoments.name, () => {
  it('gives the mean, the n − 1 variance and the lag-1 autocorrelation', () => {
    expect(seriesMoments([1, 2, 3, 4])).toEqual({ mean: 2.5, variance: 5 / 3, lag1: (-1.5 * -0.5 + -0.5 * 0.5 + 0.5 * 1.5) / 5 });
    expect(seriesMoments([1, -1, 1, -1]).lag1).toBeLessThan(0);
    expect(seriesMoments([]).mean).toBeNaN();
  });
});

describe(longRunVariance.name, () => {
  it('inflates the variance of a positively autocorrelated series and never goes below the floor', () => {
    const trending = [1, 1.1, 1.2, 1.3, 1.2, 1.1, 1, 0.9, 0.8, 0.9];
    const { variance, lag1 } = seriesMoments(trending);
    expect(longRunVariance(trending, 0)).toBeCloseTo((variance * (1 + lag1)) / (1 - lag1), 12);
    expect(longRunVariance([1, -1, 1, -1], 0)).toBeCloseTo(4 / 3, 12); // negative correlation is not credited
    expect(longRunVariance([1, 1, 1], 0.5)).toBe(0.5);
    expect(longRunVariance([1], 0.25)).toBe(0.25);
  });
});
