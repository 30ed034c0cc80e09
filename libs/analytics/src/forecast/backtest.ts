import { intervalCoverage, mase, maseScale, smape } from './metrics';
import type { Forecast, ForecastMethod } from './types';

export interface BacktestOptions {
  readonly horizon: number;
  /** Number of forecast origins (≥ 5 by default policy; at least 1). */
  readonly origins?: number;
  /** Distance between consecutive origins; defaults to the horizon (non-overlapping test windows). */
  readonly step?: number;
  /** Season length for the MASE scale (seasonal naive in-sample MAE); < 2 scales by the naive MAE. */
  readonly period?: number;
  /** Central interval level scored by coverage. */
  readonly level?: number;
  /** Train on at most this many values before each origin (a sliding window); all by default. */
  readonly maxTrain?: number;
}

export interface OriginScore {
  /** Index of the first forecast value: the training set is `values[..origin)`. */
  readonly origin: number;
  readonly mase: number;
  readonly smape: number;
  readonly coverage: number;
}

export interface BacktestResult {
  readonly method: string;
  readonly horizon: number;
  /** Mean over origins with a defined MASE (NaN when none: a constant training series). */
  readonly mase: number;
  readonly smape: number;
  readonly coverage: number;
  readonly origins: readonly OriginScore[];
}

/** Origins of a rolling-origin evaluation: the last one leaves exactly `horizon` values to score. */
export function backtestOrigins(length: number, options: Pick<BacktestOptions, 'horizon' | 'origins' | 'step'>): number[] {
  const count = options.origins ?? 5;
  const step = options.step ?? options.horizon;
  if (!Number.isInteger(options.horizon) || options.horizon < 1) throw new RangeError(`horizon must be a positive integer, got ${options.horizon}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`origins must be a positive integer, got ${count}`);
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`step must be a positive integer, got ${step}`);
  const last = length - options.horizon;
  const first = last - (count - 1) * step;
  if (first < 3) throw new RangeError(`series of ${length} values too short for ${count} origins of horizon ${options.horizon} (step ${step})`);
  return Array.from({ length: count }, (_, i) => first + i * step);
}

function trainingWindow(values: readonly number[], origin: number, maxTrain: number | undefined): readonly number[] {
  return values.slice(maxTrain === undefined ? 0 : Math.max(0, origin - maxTrain), origin);
}

function meanDefined(values: readonly number[]): number {
  const defined = values.filter((value) => Number.isFinite(value));
  return defined.length === 0 ? Number.NaN : defined.reduce((sum, value) => sum + value, 0) / defined.length;
}

function scoreOrigin(values: readonly number[], train: readonly number[], origin: number, forecast: Forecast, options: BacktestOptions): OriginScore {
  const actual = values.slice(origin, origin + options.horizon);
  const mean = forecast.mean.slice(0, options.horizon);
  if (mean.length !== actual.length) throw new RangeError(`forecast has ${forecast.mean.length} steps, horizon is ${options.horizon}`);
  return {
    origin,
    mase: mase(actual, mean, maseScale(train, options.period ?? 1)),
    smape: smape(actual, mean),
    coverage: intervalCoverage(actual, { lower: forecast.lower.slice(0, options.horizon), upper: forecast.upper.slice(0, options.horizon) }),
  };
}

function summarise(method: string, horizon: number, scores: OriginScore[]): BacktestResult {
  return {
    method,
    horizon,
    mase: meanDefined(scores.map((score) => score.mase)),
    smape: meanDefined(scores.map((score) => score.smape)),
    coverage: meanDefined(scores.map((score) => score.coverage)),
    origins: scores,
  };
}

/** Rolling-origin backtest of a method refitted at every origin on the values before it. */
export function rollingOriginBacktest(values: readonly number[], method: ForecastMethod, options: BacktestOptions): BacktestResult {
  const scores = backtestOrigins(values.length, options).map((origin) => {
    const train = trainingWindow(values, origin, options.maxTrain);
    return scoreOrigin(values, train, origin, method.fitTo(train).forecast(options.horizon, options.level), options);
  });
  return summarise(method.name, options.horizon, scores);
}

/**
 * Rolling-origin backtest of any (possibly asynchronous) forecaster: `forecastAt` receives the
 * history before each origin and returns `horizon` steps. Models that are trained once and only
 * conditioned on the newer history (an LSTM) use this.
 */
export async function rollingOriginBacktestAsync(
  values: readonly number[],
  method: string,
  forecastAt: (history: readonly number[], horizon: number) => Forecast | Promise<Forecast>,
  options: BacktestOptions,
): Promise<BacktestResult> {
  const scores: OriginScore[] = [];
  for (const origin of backtestOrigins(values.length, options)) {
    const history = values.slice(0, origin);
    const forecast = await forecastAt(history, options.horizon);
    scores.push(scoreOrigin(values, trainingWindow(values, origin, options.maxTrain), origin, forecast, options));
  }
  return summarise(method, options.horizon, scores);
}
