import type { BacktestResult } from './backtest';
import { bestBaseline, chooseForecastModel, significantlyWorse } from './selection';

const result = (method: string, mase: number): BacktestResult => ({ method, horizon: 12, mase, smape: 0, coverage: 1, origins: [] });
const baselines = [result('naive', 1.2), result('ses', 0.8), result('theta', 0.9)];

describe(bestBaseline.name, () => {
  const sut = bestBaseline;

  it('takes the lowest defined MASE', () => {
    expect(sut([result('a', Number.NaN), ...baselines]).method).toBe('ses');
  });

  it('falls back to the first when none is defined and refuses none', () => {
    expect(sut([result('a', Number.NaN), result('b', Number.NaN)]).method).toBe('a');
    expect(() => sut([])).toThrow(RangeError);
  });
});

describe(chooseForecastModel.name, () => {
  const sut = chooseForecastModel;

  it('uses the LSTM where it beat the best baseline', () => {
    expect(sut(baselines, result('lstm32', 0.6))).toEqual({
      kind: 'lstm',
      method: 'lstm32',
      reason: 'lstm-beat-best-baseline',
      bestBaseline: 'ses',
      bestBaselineMase: 0.8,
      lstmMase: 0.6,
      ratio: 0.6 / 0.8,
      maxRatio: 1,
    });
  });

  it('keeps the best baseline, with the reason, where the LSTM did not beat it by the margin', () => {
    expect(sut(baselines, result('lstm32', 0.8))).toMatchObject({ kind: 'baseline', method: 'ses', reason: 'lstm-not-better', ratio: 1 });
    expect(sut(baselines, result('lstm32', 0.76), 0.9)).toMatchObject({ kind: 'baseline', method: 'ses', reason: 'lstm-not-better' });
  });

  it('keeps the baseline when there is no usable LSTM backtest', () => {
    expect(sut(baselines, null)).toMatchObject({ kind: 'baseline', method: 'ses', reason: 'lstm-unavailable', lstmMase: null, ratio: null });
    expect(sut(baselines, result('lstm32', Number.NaN))).toMatchObject({ reason: 'lstm-unavailable' });
  });
});

describe(significantlyWorse.name, () => {
  const sut = significantlyWorse;
  const alternating = (count: number): number[] => Array.from({ length: count }, (_, i) => 1.1 + (i % 2 === 0 ? 0.3 : -0.3));

  it('is true for a consistent loss and false for a loss of one bad origin among wins', () => {
    expect(sut([1.5, 1.6, 1.4], [1, 1, 1])).toBe(true);
    expect(sut([0.5, 2.5, 0.9], [1, 1, 1])).toBe(false);
  });

  it('needs more origins to call a small loss in noisy errors (one-sided 5 %, t quantiles beyond the table too)', () => {
    // Mean difference 0.1 with a spread of 0.3: t ≈ 1.0 on 10 origins, ≈ 2.1 on 40 (the 5 % quantile is ≈ 1.68).
    expect(sut(alternating(10), new Array<number>(10).fill(1))).toBe(false);
    expect(sut(alternating(40), new Array<number>(40).fill(1))).toBe(true);
  });

  it('decides equal differences by their sign and leaves undefined origins out', () => {
    expect(sut([2, 2], [1, 1])).toBe(true);
    expect(sut([1, 1], [1, 1])).toBe(false);
    expect(sut([Number.NaN, 2, 2], [1, 1, 1])).toBe(true);
    expect(sut([Number.NaN, 2], [1, 1])).toBe(false);
  });

  it('refuses errors of different origins', () => {
    expect(() => sut([1, 2], [1])).toThrow(/candidate has 2 origins, reference 1/);
  });
});
