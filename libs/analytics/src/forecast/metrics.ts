import type { Forecast } from './types';

function requireSameLength(actual: readonly number[], predicted: readonly number[]): void {
  if (actual.length !== predicted.length) throw new RangeError(`length mismatch: ${actual.length} actual vs ${predicted.length} predicted`);
  if (actual.length === 0) throw new RangeError('no values to score');
}

export function meanAbsoluteError(actual: readonly number[], predicted: readonly number[]): number {
  requireSameLength(actual, predicted);
  return actual.reduce((sum, value, i) => sum + Math.abs(value - predicted[i]), 0) / actual.length;
}

/**
 * In-sample MAE of the seasonal naive method at lag `period` (the MASE denominator of Hyndman &
 * Koehler 2006). Falls back to lag 1 when there is no usable season (period < 2, too short a
 * series, or a zero seasonal scale such as a perfectly periodic series). 0 only for a constant series.
 */
export function maseScale(train: readonly number[], period = 1): number {
  const lagMae = (lag: number): number => {
    let sum = 0;
    for (let i = lag; i < train.length; i++) sum += Math.abs(train[i] - train[i - lag]);
    return sum / (train.length - lag);
  };
  if (period >= 2 && train.length > period) {
    const seasonal = lagMae(period);
    if (seasonal > 0) return seasonal;
  }
  if (train.length < 2) throw new RangeError('maseScale needs at least two training values');
  return lagMae(1);
}

/** Mean absolute scaled error; NaN when the scale is 0 (a constant training series). */
export function mase(actual: readonly number[], predicted: readonly number[], scale: number): number {
  const mae = meanAbsoluteError(actual, predicted);
  return scale > 0 ? mae / scale : Number.NaN;
}

/** Symmetric MAPE in percent (0..200), with 0/0 counted as a perfect 0. */
export function smape(actual: readonly number[], predicted: readonly number[]): number {
  requireSameLength(actual, predicted);
  let sum = 0;
  actual.forEach((value, i) => {
    const denominator = Math.abs(value) + Math.abs(predicted[i]);
    sum += denominator === 0 ? 0 : (200 * Math.abs(value - predicted[i])) / denominator;
  });
  return sum / actual.length;
}

/** Share of actual values inside the forecast's interval (bounds included). */
export function intervalCoverage(actual: readonly number[], forecast: Pick<Forecast, 'lower' | 'upper'>): number {
  requireSameLength(actual, forecast.lower);
  requireSameLength(actual, forecast.upper);
  return actual.filter((value, i) => value >= forecast.lower[i] && value <= forecast.upper[i]).length / actual.length;
}
