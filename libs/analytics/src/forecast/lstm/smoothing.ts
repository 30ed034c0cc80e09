import { minimizeInBox } from '../optimize';

/**
 * Constants of additive exponential smoothing without trend, ETS(A,N,A) (SES when period < 2):
 * the classical model the 'smoothing' LSTM learns a correction to, as in the M4 winner (ES-RNN),
 * where Holt-Winters states normalise and deseasonalise each window of the network.
 */
export interface SmoothingParams {
  readonly alpha: number;
  readonly gamma: number;
  /** Season length; 1 means no seasonal component. */
  readonly period: number;
}

/**
 * The smoothing states of a series, every one causal: `level[t]` is the level after observing
 * `values[t]`, `season[t]` the seasonal component of time t as known before observing it. `season`
 * runs one period past the end, so the components of the next `period` steps are known.
 */
export interface SmoothingStates {
  readonly level: Float64Array;
  readonly season: Float64Array;
  /** First index whose one-step error is defined (the states before it are the initial guess). */
  readonly start: number;
}

function seasonLength(period: number): number {
  return Number.isInteger(period) && period >= 2 ? period : 1;
}

/**
 * Seasons whose values initialise a seasonal model: its level is their mean and each seasonal
 * component their mean deviation at that phase. Read from the history itself (never from stored
 * positions), so a history that starts later than the training values still lines up.
 */
export const INITIAL_SEASONS = 2;

/** Values a model of this period reads before its first one-step error (its initialisation). */
export function smoothingWarmUp(period: number): number {
  const m = seasonLength(period);
  return m === 1 ? 1 : INITIAL_SEASONS * m;
}

/**
 * Runs the recursion over `values`. The states up to the warm-up are the initialisation, which
 * reads the warm-up values only; every later state reads only values up to its own time.
 */
export function smoothingStates(values: readonly number[], params: SmoothingParams): SmoothingStates {
  const m = seasonLength(params.period);
  const n = values.length;
  const start = smoothingWarmUp(m);
  if (n < start + 1) throw new RangeError(`smoothing with period ${m} needs more than ${start} values, got ${n}`);
  const level = new Float64Array(n);
  const season = new Float64Array(n + m);
  let current = values[0];
  if (m >= 2) {
    current = 0;
    for (let t = 0; t < start; t++) current += values[t];
    current /= start;
    for (let k = 0; k < INITIAL_SEASONS; k++) {
      let seasonMean = 0;
      for (let p = 0; p < m; p++) seasonMean += values[k * m + p];
      seasonMean /= m;
      for (let p = 0; p < m; p++) season[p] += (values[k * m + p] - seasonMean) / INITIAL_SEASONS;
    }
    // Each component holds the initial profile until the recursion first updates it.
    for (let t = m; t < start + m; t++) season[t] = season[t % m];
  }
  for (let t = 0; t < start; t++) level[t] = current;
  for (let t = start; t < n; t++) {
    current = params.alpha * (values[t] - season[t]) + (1 - params.alpha) * current;
    level[t] = current;
    season[t + m] = m === 1 ? 0 : params.gamma * (values[t] - current) + (1 - params.gamma) * season[t];
  }
  return { level, season, start };
}

/** One-step errors `values[t] − (level[t−1] + season[t])` from `states.start` on. */
export function smoothingErrors(values: readonly number[], states: SmoothingStates): number[] {
  const errors: number[] = [];
  for (let t = states.start; t < values.length; t++) errors.push(values[t] - (states.level[t - 1] + states.season[t]));
  return errors;
}

/**
 * Fits α and γ on one-step squared errors (γ is searched as a share of 1 − α, the usual
 * admissible region). Series too short for three seasons fall back to SES.
 */
export function fitSmoothing(train: readonly number[], period: number): SmoothingParams {
  // A seasonal model needs a season of one-step errors after its warm-up to be fitted.
  const m = seasonLength(period) >= 2 && train.length >= smoothingWarmUp(period) + period ? period : 1;
  if (train.length < smoothingWarmUp(m) + 2) throw new RangeError(`smoothing needs at least ${smoothingWarmUp(m) + 2} training values, got ${train.length}`);
  const sse = (params: SmoothingParams): number => smoothingErrors(train, smoothingStates(train, params)).reduce((sum, e) => sum + e * e, 0);
  if (m === 1) {
    const { point } = minimizeInBox(([alpha]) => sse({ alpha, gamma: 0, period: 1 }), 1, { gridPoints: 11 });
    return { alpha: point[0], gamma: 0, period: 1 };
  }
  const { point } = minimizeInBox(([alpha, share]) => sse({ alpha, gamma: share * (1 - alpha), period: m }), 2, { gridPoints: 6 });
  return { alpha: point[0], gamma: point[1] * (1 - point[0]), period: m };
}

/** The seasonal component of step h (1-based) ahead of a forecast made at `end`. */
export function futureSeason(states: SmoothingStates, end: number, h: number, period: number): number {
  const m = seasonLength(period);
  return m === 1 ? 0 : states.season[end + ((h - 1) % m)];
}
