import { backtestOrigins, rollingOriginBacktest, rollingOriginBacktestAsync } from './backtest';
import { naiveMethod } from './baselines';
import type { FittedForecaster, ForecastMethod } from './types';

describe(backtestOrigins.name, () => {
  const sut = backtestOrigins;

  it('ends the last origin one horizon before the end, one step apart', () => {
    expect(sut(100, { horizon: 12, origins: 5 })).toEqual([40, 52, 64, 76, 88]);
    expect(sut(100, { horizon: 12, origins: 5, step: 1 })).toEqual([84, 85, 86, 87, 88]);
  });

  it('refuses a series too short for the origins and bad sizes', () => {
    expect(() => sut(60, { horizon: 12, origins: 5 })).toThrow(/too short/);
    expect(() => sut(100, { horizon: 0 })).toThrow(RangeError);
    expect(() => sut(100, { horizon: 2, origins: 0 })).toThrow(RangeError);
  });
});

describe(rollingOriginBacktest.name, () => {
  const sut = rollingOriginBacktest;
  const line = Array.from({ length: 50 }, (_, t) => 100 + t);

  it('scores the naive method on a line: errors 1..h over a naive scale of 1', () => {
    const result = sut(line, naiveMethod(), { horizon: 4, origins: 5 });
    expect(result.method).toBe('naive');
    expect(result.origins.map((score) => score.origin)).toEqual([30, 34, 38, 42, 46]);
    expect(result.mase).toBeCloseTo(2.5, 12);
    // σ = 1: the ±1.96·√h interval holds errors 1, 2, 3 but not 4.
    expect(result.coverage).toBeCloseTo(0.75, 12);
    const first = result.origins[0];
    const expectedSmape = [1, 2, 3, 4].reduce((sum, e) => sum + (200 * e) / (130 + e - 1 + 129), 0) / 4;
    expect(first.smape).toBeCloseTo(expectedSmape, 10);
  });

  it('trains each origin on the values before it, within maxTrain', () => {
    const lengths: number[] = [];
    const recording: ForecastMethod = {
      name: 'recording',
      fitTo(train): FittedForecaster {
        lengths.push(train.length);
        return naiveMethod().fitTo(train);
      },
    };
    sut(line, recording, { horizon: 2, origins: 5 });
    sut(line, recording, { horizon: 2, origins: 5, maxTrain: 10 });
    expect(lengths).toEqual([40, 42, 44, 46, 48, 10, 10, 10, 10, 10]);
  });

  it('reports an undefined MASE for a constant series', () => {
    expect(sut(new Array<number>(40).fill(3), naiveMethod(), { horizon: 3 }).mase).toBeNaN();
  });
});

describe(rollingOriginBacktestAsync.name, () => {
  const sut = rollingOriginBacktestAsync;

  it('scores an oracle perfectly and passes only the past', async () => {
    const values = Array.from({ length: 40 }, (_, t) => Math.sin(t));
    const seen: number[] = [];
    const result = await sut(
      values,
      'oracle',
      async (history, horizon) => {
        seen.push(history.length);
        const future = values.slice(history.length, history.length + horizon);
        return { mean: future, lower: future, upper: future };
      },
      { horizon: 3, origins: 5 },
    );
    expect(seen).toEqual([25, 28, 31, 34, 37]);
    expect(result).toMatchObject({ method: 'oracle', mase: 0, smape: 0, coverage: 1 });
  });
});
