import type { BacktestResult } from './backtest';

export type ModelChoiceReason =
  /** The LSTM's backtest MASE beat the best baseline's by the required margin. */
  | 'lstm-beat-best-baseline'
  /** The LSTM was backtested but did not beat the best baseline by the margin. */
  | 'lstm-not-better'
  /** No usable LSTM backtest (not trained, failed, or undefined MASE). */
  | 'lstm-unavailable';

export interface ModelChoice {
  readonly kind: 'lstm' | 'baseline';
  /** The method in service for this series. */
  readonly method: string;
  readonly reason: ModelChoiceReason;
  readonly bestBaseline: string;
  readonly bestBaselineMase: number;
  readonly lstmMase: number | null;
  /** LSTM MASE ÷ best baseline MASE (null without an LSTM backtest). */
  readonly ratio: number | null;
  /** The LSTM is chosen only when ratio < maxRatio. */
  readonly maxRatio: number;
}

/** The baseline with the lowest defined backtest MASE (ties: the earlier, simpler one). */
export function bestBaseline(baselines: readonly BacktestResult[]): BacktestResult {
  const defined = baselines.filter((result) => Number.isFinite(result.mase));
  if (defined.length === 0) {
    if (baselines.length === 0) throw new RangeError('no baseline backtests to choose from');
    return baselines[0];
  }
  return defined.reduce((best, result) => (result.mase < best.mase ? result : best));
}

/**
 * Per-series model selection: the LSTM only where its recent backtest MASE beat the best
 * baseline's (ratio below `maxRatio`, default 1); otherwise the best baseline. The reason is data.
 */
export function chooseForecastModel(baselines: readonly BacktestResult[], lstm: BacktestResult | null, maxRatio = 1): ModelChoice {
  const best = bestBaseline(baselines);
  const base = { bestBaseline: best.method, bestBaselineMase: best.mase, maxRatio };
  if (lstm === null || !Number.isFinite(lstm.mase)) {
    return { ...base, kind: 'baseline', method: best.method, reason: 'lstm-unavailable', lstmMase: lstm === null ? null : lstm.mase, ratio: null };
  }
  const ratio = best.mase > 0 ? lstm.mase / best.mase : lstm.mase > 0 ? Number.POSITIVE_INFINITY : 1;
  if (ratio < maxRatio) return { ...base, kind: 'lstm', method: lstm.method, reason: 'lstm-beat-best-baseline', lstmMase: lstm.mase, ratio };
  return { ...base, kind: 'baseline', method: best.method, reason: 'lstm-not-better', lstmMase: lstm.mase, ratio };
}

/** One-sided 95 % quantiles of Student's t for 1 … 30 degrees of freedom. */
const T_95 = [6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697];

/** The one-sided 95 % t quantile; beyond the table, the Cornish-Fisher expansion around the normal's 1.645. */
function tQuantile95(degreesOfFreedom: number): number {
  const z = 1.6448536269514722;
  return T_95[degreesOfFreedom - 1] ?? z + (z ** 3 + z) / (4 * degreesOfFreedom);
}

/**
 * Whether a candidate's per-origin errors are significantly above a reference's on the same origins:
 * a one-sided paired t-test at 5 %. Errors at consecutive origins of one series are correlated, which
 * makes the test liberal; it is still the evidence a per-series choice needs, as a mean over a few
 * origins is mostly noise (eval:forecast --cv measures both rules held out).
 */
export function significantlyWorse(candidate: readonly number[], reference: readonly number[]): boolean {
  if (candidate.length !== reference.length) throw new RangeError(`candidate has ${candidate.length} origins, reference ${reference.length}`);
  // Origins where either MASE is undefined (a constant training window) are left out.
  const differences = candidate.map((value, index) => value - reference[index]).filter((value) => Number.isFinite(value));
  if (differences.length < 2) return false;
  const mean = differences.reduce((sum, value) => sum + value, 0) / differences.length;
  const variance = differences.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (differences.length - 1);
  if (variance === 0) return mean > 0;
  return mean / Math.sqrt(variance / differences.length) > tQuantile95(differences.length - 1);
}
