import type { BacktestResult } from './backtest';
import { bestBaseline, chooseForecastModel } from './selection';

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
