import { baselineMethods, holtMethod, holtWintersMethod, naiveMethod, seasonalIndices, seasonalNaiveMethod, simpleExponentialSmoothingMethod, thetaMethod } from './baselines';
import { intervalZ } from './normal';

const z95 = intervalZ(0.95);
const pattern = [1, -1, 2, -2];
const seasonal = (cycles: number, level = 10, slope = 0): number[] => Array.from({ length: cycles * pattern.length }, (_, t) => level + slope * t + pattern[t % pattern.length]);

describe(naiveMethod.name, () => {
  const sut = naiveMethod();

  it('repeats the last value with intervals widening as √h', () => {
    const fitted = sut.fitTo([1, 2, 4, 7]);
    const sigma = Math.sqrt((1 + 4 + 9) / 3);
    expect(fitted.sigma).toBeCloseTo(sigma, 12);
    const forecast = fitted.forecast(4);
    expect(forecast.mean).toEqual([7, 7, 7, 7]);
    [1, 2, 3, 4].forEach((h, i) => {
      expect(forecast.upper[i] - 7).toBeCloseTo(z95 * sigma * Math.sqrt(h), 10);
      expect(7 - forecast.lower[i]).toBeCloseTo(z95 * sigma * Math.sqrt(h), 10);
    });
  });

  it('refuses too short, non-finite training data and a bad horizon', () => {
    expect(() => sut.fitTo([1])).toThrow(RangeError);
    expect(() => sut.fitTo([1, Number.NaN])).toThrow(RangeError);
    expect(() => sut.fitTo([1, 2]).forecast(0)).toThrow(RangeError);
  });
});

describe(seasonalNaiveMethod.name, () => {
  it('repeats the last season, widening once per completed season', () => {
    const sut = seasonalNaiveMethod(3);
    const fitted = sut.fitTo([1, 2, 3, 10, 20, 30]);
    const sigma = Math.sqrt((81 + 324 + 729) / 3);
    expect(fitted.params).toEqual({ period: 3 });
    expect(fitted.sigma).toBeCloseTo(sigma, 10);
    const forecast = fitted.forecast(5);
    expect(forecast.mean).toEqual([10, 20, 30, 10, 20]);
    expect(forecast.upper[2] - 30).toBeCloseTo(z95 * sigma, 10);
    expect(forecast.upper[3] - 10).toBeCloseTo(z95 * sigma * Math.sqrt(2), 10);
  });

  it('is the naive method when the series is shorter than a season or there is no period', () => {
    expect(seasonalNaiveMethod(10).fitTo([1, 2, 5]).forecast(2).mean).toEqual([5, 5]);
    expect(seasonalNaiveMethod(1).fitTo([1, 2, 5]).params).toEqual({ period: 1 });
  });
});

describe(simpleExponentialSmoothingMethod.name, () => {
  const sut = simpleExponentialSmoothingMethod();

  it('forecasts a constant series exactly with zero sigma', () => {
    const fitted = sut.fitTo([5, 5, 5, 5, 5]);
    expect(fitted.forecast(3).mean).toEqual([5, 5, 5]);
    expect(fitted.sigma).toBe(0);
  });

  it('forecasts the smoothed level of its fitted α, an α no neighbour improves on', () => {
    const train = [3, 5, 4, 6, 5, 7, 6, 5, 6, 7, 6, 8, 7];
    const fitted = sut.fitTo(train);
    const alpha = fitted.params['alpha'];
    const run = (a: number): { level: number; sse: number } => {
      let level = train[0];
      let sse = 0;
      for (let t = 1; t < train.length; t++) {
        sse += (train[t] - level) ** 2;
        level += a * (train[t] - level);
      }
      return { level, sse };
    };
    expect(fitted.forecast(2).mean).toEqual([run(alpha).level, run(alpha).level]);
    expect(run(alpha).sse).toBeLessThanOrEqual(run(Math.min(0.99, alpha + 0.01)).sse + 1e-12);
    expect(run(alpha).sse).toBeLessThanOrEqual(run(Math.max(0.01, alpha - 0.01)).sse + 1e-12);
    const half = fitted.forecast(3).upper.map((upper, i) => upper - fitted.forecast(3).mean[i]);
    expect(half[2]).toBeCloseTo(z95 * fitted.sigma * Math.sqrt(1 + 2 * alpha * alpha), 10);
  });

  it('chooses α near 1 for a random walk-like trend', () => {
    expect(sut.fitTo(Array.from({ length: 30 }, (_, t) => t)).params['alpha']).toBeGreaterThan(0.95);
  });
});

describe(holtMethod.name, () => {
  const sut = holtMethod();

  it('extrapolates an exact line with zero sigma', () => {
    const train = Array.from({ length: 20 }, (_, t) => 3 + 2 * t);
    const fitted = sut.fitTo(train);
    fitted.forecast(5).mean.forEach((value, i) => expect(value).toBeCloseTo(3 + 2 * (20 + i), 9));
    expect(fitted.sigma).toBeCloseTo(0, 9);
  });

  it('follows the slope of a noisy trend', () => {
    const train = Array.from({ length: 60 }, (_, t) => 50 - 0.5 * t + (t % 2 === 0 ? 0.3 : -0.3));
    const forecast = sut.fitTo(train).forecast(10).mean;
    expect(Math.abs((forecast[9] - forecast[0]) / 9 + 0.5)).toBeLessThan(0.1);
    expect(Math.abs(forecast[9] - (50 - 0.5 * 69))).toBeLessThan(1);
  });
});

describe(holtWintersMethod.name, () => {
  it('forecasts a pure seasonal series exactly', () => {
    const fitted = holtWintersMethod(4).fitTo(seasonal(6));
    expect(fitted.params['period']).toBe(4);
    fitted.forecast(8).mean.forEach((value, h) => expect(value).toBeCloseTo(10 + pattern[h % 4], 9));
    expect(fitted.sigma).toBeCloseTo(0, 9);
  });

  it('tracks trend plus season', () => {
    const train = seasonal(30, 10, 0.5);
    const fitted = holtWintersMethod(4).fitTo(train);
    fitted.forecast(8).mean.forEach((value, h) => expect(value).toBeCloseTo(10 + 0.5 * (train.length + h) + pattern[(train.length + h) % 4], 1));
  });

  it("is Holt's method with fewer than two seasons", () => {
    const train = Array.from({ length: 10 }, (_, t) => 1 + t);
    const fitted = holtWintersMethod(8).fitTo(train);
    expect(fitted.params['period']).toBe(1);
    expect(fitted.forecast(1).mean[0]).toBeCloseTo(11, 9);
  });
});

describe(seasonalIndices.name, () => {
  const sut = seasonalIndices;

  it.each([[4], [3]])('recovers a zero-sum pattern of period %p from a trending series', (m) => {
    const shape = m === 4 ? pattern : [2, -3, 1];
    const values = Array.from({ length: 10 * m }, (_, t) => 5 + 0.2 * t + shape[t % m]);
    sut(values, m).forEach((index, i) => expect(index).toBeCloseTo(shape[i], 9));
  });
});

describe(thetaMethod.name, () => {
  it('adds half the trend per step to the SES level (the Theta half-slope)', () => {
    const train = Array.from({ length: 40 }, (_, t) => 7 + 3 * t);
    const fitted = thetaMethod(1).fitTo(train);
    expect(fitted.params['slope']).toBeCloseTo(3, 9);
    const mean = fitted.forecast(4).mean;
    for (let h = 1; h < 4; h++) expect(mean[h] - mean[h - 1]).toBeCloseTo(1.5, 9);
    const alpha = fitted.params['alpha'];
    let level = train[0];
    for (let t = 1; t < train.length; t++) level += alpha * (train[t] - level);
    expect(mean[0]).toBeCloseTo(level + 1.5 * (1 - (1 - alpha) ** 40) / alpha, 9);
  });

  it('reseasonalises a pure seasonal series exactly', () => {
    const fitted = thetaMethod(4).fitTo(seasonal(5));
    fitted.forecast(6).mean.forEach((value, h) => expect(value).toBeCloseTo(10 + pattern[h % 4], 9));
  });
});

describe(baselineMethods.name, () => {
  it('lists every baseline once', () => {
    expect(baselineMethods(4).map((method) => method.name)).toEqual(['naive', 'seasonal-naive', 'ses', 'holt', 'holt-winters', 'theta']);
  });
});
