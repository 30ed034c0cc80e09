import { intervalZ } from './normal';
import { minimizeInBox } from './optimize';
import type { FittedForecaster, Forecast, ForecastMethod } from './types';

const DEFAULT_LEVEL = 0.95;

function requireTrain(train: readonly number[], minimum: number, method: string): void {
  if (train.length < minimum) throw new RangeError(`${method} needs at least ${minimum} training values, got ${train.length}`);
  if (train.some((value) => !Number.isFinite(value))) throw new RangeError(`${method}: training values must be finite`);
}

function rms(errors: readonly number[]): number {
  return errors.length === 0 ? 0 : Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / errors.length);
}

/** Builds a forecaster from point forecasts and per-step variance multipliers of sigma². */
function fitted(method: string, params: Record<string, number>, sigma: number, point: (h: number) => number, varianceFactor: (h: number) => number): FittedForecaster {
  return {
    method,
    params,
    sigma,
    forecast(horizon: number, level = DEFAULT_LEVEL): Forecast {
      if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be a positive integer, got ${horizon}`);
      const z = intervalZ(level);
      const mean: number[] = [];
      const lower: number[] = [];
      const upper: number[] = [];
      for (let h = 1; h <= horizon; h++) {
        const value = point(h);
        const half = z * sigma * Math.sqrt(varianceFactor(h));
        mean.push(value);
        lower.push(value - half);
        upper.push(value + half);
      }
      return { mean, lower, upper };
    },
  };
}

/** Naive (random walk): every step ahead is the last value; variance grows as h·σ². */
export function naiveMethod(): ForecastMethod {
  return {
    name: 'naive',
    fitTo(train) {
      requireTrain(train, 2, 'naive');
      const errors = train.slice(1).map((value, i) => value - train[i]);
      const last = train[train.length - 1];
      return fitted('naive', {}, rms(errors), () => last, (h) => h);
    },
  };
}

/**
 * Seasonal naive: the value one period back. With fewer than period + 1 values (or period < 2) it
 * is the naive method, and `params.period` says which period was used (1).
 */
export function seasonalNaiveMethod(period: number): ForecastMethod {
  return {
    name: 'seasonal-naive',
    fitTo(train) {
      requireTrain(train, 2, 'seasonal-naive');
      const m = period >= 2 && train.length > period ? period : 1;
      const errors = train.slice(m).map((value, i) => value - train[i]);
      const n = train.length;
      return fitted('seasonal-naive', { period: m }, rms(errors), (h) => train[n - m + ((h - 1) % m)], (h) => Math.floor((h - 1) / m) + 1);
    },
  };
}

interface SesState {
  readonly level: number;
  readonly errors: number[];
}

function runSes(train: readonly number[], alpha: number): SesState {
  let level = train[0];
  const errors: number[] = [];
  for (let t = 1; t < train.length; t++) {
    const error = train[t] - level;
    errors.push(error);
    level += alpha * error;
  }
  return { level, errors };
}

function sse(errors: readonly number[]): number {
  return errors.reduce((sum, e) => sum + e * e, 0);
}

/** Simple exponential smoothing; α fitted on one-step squared errors, level starts at the first value. */
export function simpleExponentialSmoothingMethod(): ForecastMethod {
  return {
    name: 'ses',
    fitTo(train) {
      requireTrain(train, 2, 'ses');
      const { point } = minimizeInBox(([alpha]) => sse(runSes(train, alpha).errors), 1, { gridPoints: 11 });
      const alpha = point[0];
      const { level, errors } = runSes(train, alpha);
      return fitted('ses', { alpha }, rms(errors), () => level, (h) => 1 + (h - 1) * alpha * alpha);
    },
  };
}

interface HoltState {
  readonly level: number;
  readonly trend: number;
  readonly errors: number[];
}

function runHolt(train: readonly number[], alpha: number, beta: number): HoltState {
  let level = train[0];
  let trend = train[1] - train[0];
  const errors: number[] = [];
  for (let t = 1; t < train.length; t++) {
    const error = train[t] - (level + trend);
    if (t > 1) errors.push(error);
    const previous = level;
    level = level + trend + alpha * error;
    trend = beta * (level - previous) + (1 - beta) * trend;
  }
  return { level, trend, errors };
}

/** Holt's linear trend method; α and β fitted on one-step squared errors. */
export function holtMethod(): ForecastMethod {
  return {
    name: 'holt',
    fitTo(train) {
      requireTrain(train, 3, 'holt');
      const { point } = minimizeInBox(([alpha, beta]) => sse(runHolt(train, alpha, beta).errors), 2);
      const [alpha, beta] = point;
      const { level, trend, errors } = runHolt(train, alpha, beta);
      const variance = (h: number): number => {
        let sum = 1;
        for (let j = 1; j < h; j++) sum += (alpha * (1 + j * beta)) ** 2;
        return sum;
      };
      return fitted('holt', { alpha, beta }, rms(errors), (h) => level + h * trend, variance);
    },
  };
}

interface HoltWintersState {
  readonly level: number;
  readonly trend: number;
  readonly seasonal: number[];
  readonly errors: number[];
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function runHoltWinters(train: readonly number[], m: number, alpha: number, beta: number, gamma: number): HoltWintersState {
  const firstMean = mean(train.slice(0, m));
  let level = firstMean;
  let trend = (mean(train.slice(m, 2 * m)) - firstMean) / m;
  const seasonal = train.slice(0, m).map((value) => value - firstMean);
  const errors: number[] = [];
  for (let t = m; t < train.length; t++) {
    const season = seasonal[t - m];
    const error = train[t] - (level + trend + season);
    errors.push(error);
    const previous = level;
    level = alpha * (train[t] - season) + (1 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1 - beta) * trend;
    seasonal.push(gamma * (train[t] - level) + (1 - gamma) * season);
  }
  return { level, trend, seasonal, errors };
}

/**
 * Additive Holt-Winters with period m (initial level/trend from the first two seasons); α, β, γ
 * fitted on one-step squared errors. With fewer than two seasons it is Holt's method.
 */
export function holtWintersMethod(period: number): ForecastMethod {
  return {
    name: 'holt-winters',
    fitTo(train) {
      requireTrain(train, 3, 'holt-winters');
      if (!(period >= 2 && train.length >= 2 * period + 1)) {
        const holt = holtMethod().fitTo(train);
        return { ...holt, method: 'holt-winters', params: { ...holt.params, gamma: 0, period: 1 } };
      }
      const m = period;
      const { point } = minimizeInBox(([alpha, beta, gamma]) => sse(runHoltWinters(train, m, alpha, beta, gamma).errors), 3, { gridPoints: 5 });
      const [alpha, beta, gamma] = point;
      const { level, trend, seasonal, errors } = runHoltWinters(train, m, alpha, beta, gamma);
      const n = seasonal.length;
      const variance = (h: number): number => {
        let sum = 1;
        for (let j = 1; j < h; j++) sum += (alpha * (1 + j * beta) + (j % m === 0 ? gamma * (1 - alpha) : 0)) ** 2;
        return sum;
      };
      return fitted('holt-winters', { alpha, beta, gamma, period: m }, rms(errors), (h) => level + h * trend + seasonal[n - m + ((h - 1) % m)], variance);
    },
  };
}

/**
 * Additive seasonal indices by classical decomposition (centred moving average of order m, 2×m
 * for even m), normalised to sum to zero; index i belongs to positions t with t mod m = i.
 */
export function seasonalIndices(values: readonly number[], m: number): number[] {
  const n = values.length;
  const prefix = [0];
  for (const value of values) prefix.push(prefix[prefix.length - 1] + value);
  const windowMean = (start: number): number => (prefix[start + m] - prefix[start]) / m;
  const half = Math.floor(m / 2);
  const sums = new Array<number>(m).fill(0);
  const counts = new Array<number>(m).fill(0);
  const extra = m % 2 === 0 ? 1 : 0;
  for (let t = half; t - half + m + extra <= n; t++) {
    const centred = extra === 0 ? windowMean(t - half) : (windowMean(t - half) + windowMean(t - half + 1)) / 2;
    sums[t % m] += values[t] - centred;
    counts[t % m] += 1;
  }
  const raw = sums.map((sum, i) => (counts[i] === 0 ? 0 : sum / counts[i]));
  const average = mean(raw);
  return raw.map((value) => value - average);
}

/**
 * The Theta method (Assimakopoulos & Nikolopoulos 2000, in Hyndman & Billah's SES-with-drift form
 * as in R's `thetaf`): SES forecast plus half the OLS slope, `b/2 · (h − 1 + (1 − (1 − α)^n)/α)`.
 * With a period m ≥ 2 and at least two seasons, it runs on the additively deseasonalised series.
 */
export function thetaMethod(period: number): ForecastMethod {
  return {
    name: 'theta',
    fitTo(train) {
      requireTrain(train, 3, 'theta');
      const n = train.length;
      const m = period >= 2 && n >= 2 * period ? period : 1;
      const indices = m >= 2 ? seasonalIndices(train, m) : [0];
      const adjusted = train.map((value, t) => value - indices[t % m]);
      const meanT = (n - 1) / 2;
      const meanY = mean(adjusted);
      let covariance = 0;
      let varianceT = 0;
      adjusted.forEach((value, t) => {
        covariance += (t - meanT) * (value - meanY);
        varianceT += (t - meanT) ** 2;
      });
      const slope = covariance / varianceT;
      const ses = simpleExponentialSmoothingMethod().fitTo(adjusted);
      const alpha = ses.params['alpha'];
      const level = ses.forecast(1).mean[0];
      const drift = (h: number): number => 0.5 * slope * (h - 1 + (1 - (1 - alpha) ** n) / alpha);
      return fitted('theta', { alpha, slope, period: m }, ses.sigma, (h) => level + drift(h) + indices[(n + h - 1) % m], (h) => 1 + (h - 1) * alpha * alpha);
    },
  };
}

/** Every baseline, in display order. `period` < 2 means no seasonality. */
export function baselineMethods(period: number): ForecastMethod[] {
  return [naiveMethod(), seasonalNaiveMethod(period), simpleExponentialSmoothingMethod(), holtMethod(), holtWintersMethod(period), thetaMethod(period)];
}
