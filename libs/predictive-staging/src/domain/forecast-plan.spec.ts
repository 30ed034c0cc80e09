import type { BacktestResult, Forecast } from '@strata/analytics';
import { type BaselineBacktests, backtestBaselines, composeForecast, explainChoice, firstBacktestOrigin, lstmConfigFor, seasonOf } from './forecast-plan';

const policy = { horizon: 6, origins: 5, level: 0.9, maxLstmRatio: 1 };
const seasonal = (length: number, period = 12): number[] => Array.from({ length }, (_, t) => 100 + 10 * Math.sin((2 * Math.PI * t) / period) + (t % 3));

function anLstmBacktest(mase: number): BacktestResult {
  return { method: 'lstm', horizon: policy.horizon, mase, smape: 1, coverage: 0.9, origins: [] };
}

function aConstantForecast(value: number): Forecast {
  return { mean: Array(policy.horizon).fill(value), lower: Array(policy.horizon).fill(value - 1), upper: Array(policy.horizon).fill(value + 1) };
}

describe(composeForecast.name, () => {
  const values = seasonal(200);
  let baselines: BaselineBacktests;

  beforeAll(async () => {
    baselines = await backtestBaselines(values, policy);
  });

  it('finds the season from the values before the first origin and backtests every baseline', () => {
    expect(firstBacktestOrigin(200, policy)).toBe(170);
    expect(seasonOf(values, policy)).toBe(12);
    expect(baselines.period).toBe(12);
    expect(baselines.results.map((result) => result.method)).toEqual(['naive', 'seasonal-naive', 'ses', 'holt', 'holt-winters', 'theta']);
  });

  it('lets the caller yield after each method', async () => {
    let yields = 0;
    await backtestBaselines(values, policy, async () => {
      yields++;
    });
    expect(yields).toBe(6);
  });

  it('serves the best baseline without an LSTM, forecasting from every value', () => {
    const sut = composeForecast(values, baselines, null, policy);
    expect(sut.choice).toMatchObject({ kind: 'baseline', reason: 'lstm-unavailable' });
    expect(sut.choice.method).toBe(sut.choice.bestBaseline);
    expect(sut.forecast.mean).toHaveLength(policy.horizon);
    expect(sut.forecast.lower.every((lower, h) => lower <= sut.forecast.mean[h] && sut.forecast.mean[h] <= sut.forecast.upper[h])).toBe(true);
    expect(sut.accuracy).toHaveLength(6);
    expect(sut.explanation).toMatch(/^no usable LSTM backtest for this series, so the best baseline \S+ \(MASE \d+\.\d{3}\) serves$/);
  });

  it('serves the LSTM only where it beat the best baseline, with its own forecast', () => {
    const best = Math.min(...baselines.results.map((result) => result.mase));
    const winner = composeForecast(values, baselines, { backtest: anLstmBacktest(best * 0.5), forecast: () => aConstantForecast(7) }, policy);
    expect(winner.choice).toMatchObject({ kind: 'lstm', method: 'lstm', reason: 'lstm-beat-best-baseline' });
    expect(winner.forecast.mean).toEqual(Array(policy.horizon).fill(7));
    expect(winner.accuracy.map((accuracy) => accuracy.method)).toContain('lstm');

    const loser = composeForecast(values, baselines, { backtest: anLstmBacktest(best * 1.5), forecast: () => aConstantForecast(7) }, policy);
    expect(loser.choice).toMatchObject({ kind: 'baseline', reason: 'lstm-not-better' });
    expect(loser.forecast.mean).not.toEqual(Array(policy.horizon).fill(7));
    expect(loser.explanation).toContain('1.500×');
  });
});

describe(explainChoice.name, () => {
  it('names the figures the choice rests on', () => {
    const sut = explainChoice({ kind: 'lstm', method: 'lstm', reason: 'lstm-beat-best-baseline', bestBaseline: 'holt-winters', bestBaselineMase: 0.8, lstmMase: 0.6, ratio: 0.75, maxRatio: 0.9 });
    expect(sut).toBe('LSTM backtest MASE 0.600 is 0.750× the best baseline holt-winters (MASE 0.800); the LSTM serves only below 0.90×, so the LSTM serves');
  });
});

describe(lstmConfigFor.name, () => {
  const base = { lookback: 12, units: 8, epochs: 2, batchSize: 32 };

  it('corrects seasonal exponential smoothing where three seasons fit in the training values', () => {
    expect(lstmConfigFor(200, 12, base, 6)).toMatchObject({ reference: 'smoothing', period: 12, horizon: 6, lookback: 12 });
  });

  it('corrects level-only smoothing otherwise', () => {
    expect(lstmConfigFor(200, 1, base, 6)).toMatchObject({ reference: 'smoothing', period: 1 });
    expect(lstmConfigFor(60, 12, base, 6)).toMatchObject({ reference: 'smoothing', period: 1 });
  });
});
