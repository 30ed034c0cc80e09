import type { BacktestResult } from './backtest';
import { crossValidateForecasts, type SeriesBacktests } from './cross-validation';

/** A backtest whose origins score the given MASEs, in time order. */
function result(method: string, mases: readonly number[]): BacktestResult {
  const origins = mases.map((mase, index) => ({ origin: 100 + 12 * index, mase, smape: 0, coverage: 1 }));
  return { method, horizon: 12, mase: mases.reduce((sum, value) => sum + value, 0) / mases.length, smape: 0, coverage: 1, origins };
}

/** One series: [selection MASE, scored MASE] for theta, naive and the LSTM (one origin each part). */
function series(name: string, fold: string, theta: [number, number], naive: [number, number], lstm: [number, number]): SeriesBacktests {
  return { name, fold, baselines: [result('theta', theta), result('naive', naive)], lstm: result('lstm', lstm) };
}

describe(crossValidateForecasts.name, () => {
  const sut = crossValidateForecasts;

  it('decides LSTM or baseline per series on the selection origins, never on the scored ones', () => {
    // The LSTM looks better on the selection origin of a/1 but is worse on its scored one: served anyway.
    const result = sut([series('a/1', 'a', [1, 1], [2, 2], [0.5, 3]), series('b/1', 'b', [1, 1], [2, 2], [0.5, 0.5])], 1);
    const foldA = result.folds.find((fold) => fold.fold === 'a');
    // On b the LSTM is better at any threshold above 0.5; the first such (0.8) stands.
    expect(foldA?.servingThreshold).toBe(0.8);
    expect(foldA?.servedMase).toBe(3);
    // Held out, b is judged by what a taught: the LSTM that looked better then lost, so never serve it.
    expect(result.folds.find((fold) => fold.fold === 'b')?.servingThreshold).toBe(0);
    expect(result.cvRatio).toBeCloseTo((3 + 1) / (1 + 1), 12);
    // theta is also the best in hindsight and on each series.
    expect(result.cvRatioHindsightBaseline).toBeCloseTo(2, 12);
    expect(result.cvRatioPerSeriesBest).toBeCloseTo(2, 12);
    expect(result.inSampleRatio).toBeCloseTo(1.75, 12);
  });

  it('chooses the baseline method that stands for "best baseline" without the held-out fold', () => {
    // theta is best on a and b, naive (by more) on c: with c in training naive stands for the best
    // baseline, with c held out theta does, and c is compared with theta.
    const result = sut(
      [
        series('a/1', 'a', [1, 1], [2, 2], [1, 1]),
        series('b/1', 'b', [1, 1], [2, 2], [1, 1]),
        series('c/1', 'c', [3, 3], [1, 1], [2, 2]),
      ],
      1,
    );
    expect(result.folds.map((fold) => [fold.fold, fold.baseline])).toEqual([
      ['a', 'naive'],
      ['b', 'naive'],
      ['c', 'theta'],
    ]);
    expect(result.folds[2]?.baselineMase).toBe(3);
    // In hindsight theta and naive tie at 5/3 (the first stands), the LSTM's mean is 4/3.
    expect(result.inSampleRatio).toBeCloseTo(4 / 5, 12);
  });

  it('keeps the baseline where the LSTM lost on the selection origins of a fold that learnt to be careful', () => {
    // On a and b the LSTM beats the baseline only where it did so on the selection origins; a threshold
    // of 1 (or below) is chosen there, and c's LSTM, worse on its selection origin, is not served.
    const result = sut(
      [
        series('a/1', 'a', [1, 1], [2, 2], [0.5, 0.5]),
        series('a/2', 'a', [1, 1], [2, 2], [2, 3]),
        series('b/1', 'b', [1, 1], [2, 2], [2, 3]),
        series('c/1', 'c', [1, 1], [2, 2], [1.5, 0.2]),
      ],
      1,
    );
    const foldC = result.folds.find((fold) => fold.fold === 'c');
    expect(foldC?.servingThreshold).toBeLessThanOrEqual(1);
    expect(foldC?.servingThreshold).toBeGreaterThan(0.5);
    expect(foldC?.servedMase).toBe(1);
    expect(foldC?.lstmMase).toBe(0.2);
  });

  it('serves the LSTM at an infinite threshold even where the baseline was perfect on the selection origins', () => {
    // On a and c the LSTM loses the selection origin and wins the scored one: only "always" pays.
    // b's baseline is perfect on its selection origin: ∞ · 0 must not fall back to it.
    const result = sut([series('a/1', 'a', [1, 1], [2, 2], [1.5, 0.5]), series('b/1', 'b', [0, 1], [2, 2], [0.5, 0.5]), series('c/1', 'c', [1, 1], [2, 2], [1.5, 0.5])], 1);
    const foldA = result.folds.find((fold) => fold.fold === 'a');
    expect(foldA?.servingThreshold).toBe(Number.POSITIVE_INFINITY);
    expect(result.folds.find((fold) => fold.fold === 'b')?.servedMase).toBe(0.5);
  });

  it('compares with the per-series best baseline in hindsight too', () => {
    const result = sut([series('a/1', 'a', [1, 1], [2, 0.5], [1, 1]), series('b/1', 'b', [1, 1], [2, 2], [1, 1])], 1);
    expect(result.cvRatioPerSeriesBest).toBeCloseTo(2 / 1.5, 12);
  });

  it('leaves out series without a defined MASE and refuses when none is left', () => {
    const flat = series('z/1', 'z', [Number.NaN, Number.NaN], [1, 1], [1, 1]);
    const result = sut([flat, series('a/1', 'a', [1, 1], [2, 2], [1, 1]), series('b/1', 'b', [1, 1], [2, 2], [1, 1])], 1);
    expect(result.folds.map((fold) => fold.fold)).toEqual(['a', 'b']);
    expect(() => sut([flat], 1)).toThrow(/no series with a defined MASE/);
  });
});
