import type { BacktestResult } from './backtest';
import { crossValidateForecasts, type SeriesBacktests } from './cross-validation';

/** A backtest whose origins score the given MASEs, in time order. */
function result(method: string, mases: readonly number[]): BacktestResult {
  const origins = mases.map((mase, index) => ({ origin: 100 + 12 * index, mase, smape: 0, coverage: 1 }));
  return { method, horizon: 12, mase: mases.reduce((sum, value) => sum + value, 0) / mases.length, smape: 0, coverage: 1, origins };
}

/** One series: per-origin MASEs (three selection origins, then the scored one) for theta, naive and the LSTM. */
function series(name: string, fold: string, theta: readonly number[], naive: readonly number[], lstm: readonly number[]): SeriesBacktests {
  return { name, fold, baselines: [result('theta', theta), result('naive', naive)], lstm: result('lstm', lstm) };
}

const flat = [1, 1, 1, 1];
const poor = [2, 2, 2, 2];

describe(crossValidateForecasts.name, () => {
  const sut = (entries: readonly SeriesBacktests[], selectionOrigins = 3) => crossValidateForecasts(entries, { scoredOrigins: 1, selectionOrigins });

  it('serves the baseline where the LSTM was significantly worse on the selection origins, whatever the scored one says', () => {
    // a's LSTM lost every selection origin by about half (t ≈ 8.7) and then won the scored one: theta serves.
    const result = sut([series('a/1', 'a', flat, poor, [1.5, 1.6, 1.4, 0.5]), series('b/1', 'b', flat, poor, [0.5, 0.5, 0.5, 0.5])]);
    expect(result.folds.map((fold) => [fold.fold, fold.baseline, fold.servedMase, fold.lstmServed])).toEqual([
      ['a', 'theta', 1, 0],
      ['b', 'theta', 0.5, 1],
    ]);
    expect(result.cvRatio).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(result.cvLstmRatio).toBeCloseTo((0.5 + 0.5) / 2, 12);
    expect(result.inSampleRatio).toBeCloseTo(0.5, 12);
  });

  it('keeps the LSTM where it lost on the mean but not significantly, unlike the mean rule', () => {
    // Worse on average (1.3 against 1) with one bad origin: noise, so the LSTM serves and scores 0.7.
    const result = sut([series('a/1', 'a', flat, poor, [0.5, 2.5, 0.9, 0.7]), series('b/1', 'b', flat, poor, [0.5, 0.5, 0.5, 0.5])]);
    expect(result.folds[0]?.servedMase).toBe(0.7);
    expect(result.cvRatio).toBeCloseTo((0.7 + 0.5) / 2, 12);
    expect(result.cvMeanRuleRatio).toBeCloseTo((1 + 0.5) / 2, 12);
  });

  it('falls back on the series’ best baseline on the selection origins', () => {
    // naive won the selection origins of a/1 and the LSTM lost to it clearly: naive serves (scored 3).
    const result = sut([series('a/1', 'a', [3, 3, 3, 1], [1, 1, 1, 3], [2, 2.1, 1.9, 0.1]), series('b/1', 'b', flat, poor, flat)]);
    expect(result.folds[0]?.servedMase).toBe(3);
  });

  it('chooses the baseline method that stands for "best baseline" without the held-out fold', () => {
    // theta is best on a and b, naive (by more) on c: with c in training naive stands for the best
    // baseline, with c held out theta does, and c is compared with theta.
    const result = sut([series('a/1', 'a', flat, poor, flat), series('b/1', 'b', flat, poor, flat), series('c/1', 'c', [3, 3, 3, 3], flat, poor)]);
    expect(result.folds.map((fold) => [fold.fold, fold.baseline])).toEqual([
      ['a', 'naive'],
      ['b', 'naive'],
      ['c', 'theta'],
    ]);
    expect(result.folds[2]?.baselineMase).toBe(3);
    // In hindsight theta and naive tie at 5/3 (the first stands), the LSTM's mean is 4/3.
    expect(result.inSampleRatio).toBeCloseTo(4 / 5, 12);
  });

  it('compares with the per-series best baseline in hindsight too', () => {
    const result = sut([series('a/1', 'a', flat, [2, 2, 2, 0.5], flat), series('b/1', 'b', flat, poor, flat)]);
    expect(result.cvRatioPerSeriesBest).toBeCloseTo(2 / 1.5, 12);
  });

  it('leaves out series without a defined MASE and refuses when none is left', () => {
    const constant = series('z/1', 'z', [Number.NaN, Number.NaN, Number.NaN, Number.NaN], flat, flat);
    const result = sut([constant, series('a/1', 'a', flat, poor, flat), series('b/1', 'b', flat, poor, flat)]);
    expect(result.folds.map((fold) => fold.fold)).toEqual(['a', 'b']);
    expect(() => sut([constant])).toThrow(/no series with a defined MASE/);
  });

  it('refuses fewer than two selection origins', () => {
    expect(() => sut([series('a/1', 'a', flat, poor, flat)], 1)).toThrow(/selectionOrigins must be an integer ≥ 2, got 1/);
  });
});
