import {
  type BacktestOptions,
  type BacktestResult,
  type Forecast,
  type ForecastMethod,
  type LstmConfig,
  type ModelChoice,
  baselineMethods,
  chooseForecastModel,
  detectPeriod,
  rollingOriginBacktest,
} from '@strata/analytics';

export interface ForecastPolicy {
  readonly horizon: number;
  readonly origins: number;
  readonly level: number;
  readonly maxLstmRatio: number;
}

/** The baselines' side of a forecast: the season found and each baseline's rolling backtest. */
export interface BaselineBacktests {
  readonly period: number;
  readonly options: BacktestOptions;
  readonly results: readonly BacktestResult[];
}

/** An LSTM ready to compete: its backtest on the same origins and a way to forecast from history. */
export interface LstmCandidate {
  readonly backtest: BacktestResult;
  forecast(history: readonly number[]): Forecast;
}

export interface MethodAccuracy {
  readonly method: string;
  readonly mase: number | null;
  readonly smape: number | null;
  readonly coverage: number | null;
}

export interface ComposedForecast {
  readonly period: number;
  readonly choice: ModelChoice;
  readonly explanation: string;
  readonly forecast: Forecast;
  readonly accuracy: readonly MethodAccuracy[];
}

/**
 * Index of the first backtest origin: the values before it are all an LSTM may train on. The
 * backtests here space origins one horizon apart (no `step`), where this is `backtestOrigins()[0]`.
 */
export function firstBacktestOrigin(length: number, policy: Pick<ForecastPolicy, 'horizon' | 'origins'>): number {
  return length - policy.horizon * policy.origins;
}

/** Season length from the values before the first origin (so the backtest never sees its answers); 1 if none. */
export function seasonOf(values: readonly number[], policy: Pick<ForecastPolicy, 'horizon' | 'origins'>): number {
  const history = values.slice(0, Math.max(0, firstBacktestOrigin(values.length, policy)));
  return detectPeriod(history, { maxPeriod: Math.min(Math.floor(history.length / 3), 400) }) ?? 1;
}

export interface BaselinePlan {
  readonly period: number;
  readonly options: BacktestOptions;
  readonly methods: readonly ForecastMethod[];
}

/** The season, the backtest options and the baselines to backtest on them. */
export function baselinePlan(values: readonly number[], policy: ForecastPolicy): BaselinePlan {
  const period = seasonOf(values, policy);
  return { period, options: { horizon: policy.horizon, origins: policy.origins, period, level: policy.level }, methods: baselineMethods(period) };
}

/**
 * Every baseline's rolling backtest. `between` runs after each method: a service passes a yield to
 * its event loop there, since a long history costs tens of milliseconds per method.
 */
export async function backtestBaselines(values: readonly number[], policy: ForecastPolicy, between: () => Promise<void> = async () => undefined): Promise<BaselineBacktests> {
  const plan = baselinePlan(values, policy);
  const results: BacktestResult[] = [];
  for (const method of plan.methods) {
    results.push(rollingOriginBacktest(values, method, plan.options));
    await between();
  }
  return { period: plan.period, options: plan.options, results };
}

/**
 * The LSTM's configuration for a series, as eval:forecast's `auto` measured it: a learnt correction
 * to exponential smoothing (ES-RNN style, libs/analytics/src/forecast/README.md), seasonal where
 * the detected season fits three times into the training values, else level only.
 */
export function lstmConfigFor(trainingLength: number, period: number, base: Pick<LstmConfig, 'lookback' | 'units' | 'epochs' | 'batchSize'>, horizon: number): Partial<LstmConfig> {
  const seasonal = period >= 2 && trainingLength >= 3 * (base.lookback + period + horizon);
  return { lookback: base.lookback, units: base.units, epochs: base.epochs, batchSize: base.batchSize, horizon, reference: 'smoothing', period: seasonal ? period : 1 };
}

const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);

function accuracyOf(result: BacktestResult): MethodAccuracy {
  return { method: result.method, mase: finite(result.mase), smape: finite(result.smape), coverage: finite(result.coverage) };
}

const fixed = (value: number | null): string => (value === null || !Number.isFinite(value) ? 'undefined' : value.toFixed(3));

/** One sentence an operator can check against the backtest figures. */
export function explainChoice(choice: ModelChoice): string {
  const best = `the best baseline ${choice.bestBaseline} (MASE ${fixed(choice.bestBaselineMase)})`;
  const bar = `the LSTM serves only below ${choice.maxRatio.toFixed(2)}×`;
  switch (choice.reason) {
    case 'lstm-beat-best-baseline':
      return `LSTM backtest MASE ${fixed(choice.lstmMase)} is ${fixed(choice.ratio)}× ${best}; ${bar}, so the LSTM serves`;
    case 'lstm-not-better':
      return `LSTM backtest MASE ${fixed(choice.lstmMase)} is ${fixed(choice.ratio)}× ${best}; ${bar}, so ${choice.method} serves`;
    case 'lstm-unavailable':
      return `no usable LSTM backtest for this series, so ${best} serves`;
  }
}

/**
 * Chooses the method in service (the LSTM only where it beat the best baseline on this series'
 * backtest) and forecasts the next horizon from every value with it.
 */
export function composeForecast(values: readonly number[], baselines: BaselineBacktests, lstm: LstmCandidate | null, policy: ForecastPolicy): ComposedForecast {
  const choice = chooseForecastModel(baselines.results, lstm?.backtest ?? null, policy.maxLstmRatio);
  let forecast: Forecast;
  if (choice.kind === 'lstm' && lstm !== null) {
    forecast = lstm.forecast(values);
  } else {
    const method = baselineMethods(baselines.period).find((candidate) => candidate.name === choice.method);
    if (method === undefined) throw new Error(`baseline '${choice.method}' is not a known method`);
    forecast = method.fitTo(values).forecast(policy.horizon, policy.level);
  }
  return {
    period: baselines.period,
    choice,
    explanation: explainChoice(choice),
    forecast,
    accuracy: [...baselines.results, ...(lstm ? [lstm.backtest] : [])].map(accuracyOf),
  };
}
