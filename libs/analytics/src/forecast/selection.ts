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
