import type { BacktestResult } from './backtest';

/** One series' backtests, origins in time order: the first `selectionOrigins` choose, the rest are scored. */
export interface SeriesBacktests {
  readonly name: string;
  /** The group left out together (a NAB category). */
  readonly fold: string;
  readonly baselines: readonly BacktestResult[];
  readonly lstm: BacktestResult | null;
}

/**
 * Serving policies: the LSTM serves a series where its MASE on the selection origins is below this
 * multiple of the best baseline's there (0: never, Infinity: always).
 */
export const SERVING_THRESHOLDS: readonly number[] = [0, 0.8, 0.9, 1, Number.POSITIVE_INFINITY];

export interface ForecastFoldResult {
  readonly fold: string;
  readonly series: number;
  /** Baseline method with the lowest mean scored MASE on the other folds. */
  readonly baseline: string;
  /** Serving threshold with the lowest mean served MASE on the other folds. */
  readonly servingThreshold: number;
  /** Mean scored MASE of the served models of this fold, and of its chosen baseline method. */
  readonly servedMase: number;
  readonly baselineMase: number;
  readonly lstmMase: number;
}

export interface ForecastCrossValidation {
  /** Served ÷ held-out best baseline, mean MASE over every scored series. */
  readonly cvRatio: number;
  /** The LSTM on every series ÷ held-out best baseline. */
  readonly cvLstmRatio: number;
  /** In hindsight, as eval:forecast reports without --cv: LSTM ÷ the baseline method best over all series. */
  readonly inSampleRatio: number;
  /** Served (chosen held out) ÷ the baseline method best over all series in hindsight: the stricter yardstick. */
  readonly cvRatioHindsightBaseline: number;
  /** Served ÷ each series' own best baseline on the scored origins, in hindsight (a bound no selection reaches). */
  readonly cvRatioPerSeriesBest: number;
  readonly folds: readonly ForecastFoldResult[];
}

/** Mean MASE of the origins in [from, to), NaN when none is defined. */
function maseOver(result: BacktestResult | null, from: number, to: number): number {
  if (result === null) return Number.NaN;
  const defined = result.origins.slice(from, to).map((origin) => origin.mase).filter((value) => Number.isFinite(value));
  return defined.length === 0 ? Number.NaN : defined.reduce((sum, value) => sum + value, 0) / defined.length;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Leave-one-fold-out model selection for the forecaster. Every choice is made without the series
 * it is scored on: per series, LSTM or its best baseline is decided on the earlier selection origins
 * only (never the scored ones); per fold, the baseline method that stands for "the best baseline"
 * and the serving threshold are chosen on the other folds' scored origins. Only series whose every
 * method has a defined MASE on both parts are scored.
 */
export function crossValidateForecasts(series: readonly SeriesBacktests[], selectionOrigins: number): ForecastCrossValidation {
  const scored = series
    .filter((entry) => entry.lstm !== null && entry.baselines.length > 0)
    .map((entry) => {
      const total = entry.lstm?.origins.length ?? 0;
      const test = (result: BacktestResult | null): number => maseOver(result, selectionOrigins, total);
      const select = (result: BacktestResult | null): number => maseOver(result, 0, selectionOrigins);
      const baselines = new Map(entry.baselines.map((result) => [result.method, { test: test(result), select: select(result) }]));
      const bestBySelection = [...baselines.values()].reduce((best, next) => (next.select < best.select ? next : best));
      return { ...entry, baselines, lstmTest: test(entry.lstm), lstmSelect: select(entry.lstm), bestBySelection };
    })
    .filter((entry) => Number.isFinite(entry.lstmTest) && Number.isFinite(entry.lstmSelect) && [...entry.baselines.values()].every((value) => Number.isFinite(value.test) && Number.isFinite(value.select)));
  if (scored.length === 0) throw new Error('no series with a defined MASE for every method on both the selection and the scored origins');

  const methods = [...(scored[0]?.baselines.keys() ?? [])];
  const baselineMase = (entries: typeof scored, method: string): number => mean(entries.map((entry) => entry.baselines.get(method)?.test ?? Number.NaN));
  // Infinity serves the LSTM even where the best baseline was perfect on the selection origins (∞ · 0).
  const served = (entry: (typeof scored)[number], threshold: number): number =>
    threshold === Number.POSITIVE_INFINITY || entry.lstmSelect < threshold * entry.bestBySelection.select ? entry.lstmTest : entry.bestBySelection.test;
  const bestMethod = (entries: typeof scored): string => methods.reduce((best, method) => (baselineMase(entries, method) < baselineMase(entries, best) ? method : best));

  const folds = [...new Set(scored.map((entry) => entry.fold))].sort().map((fold): ForecastFoldResult & { readonly servedTotal: number; readonly baselineTotal: number } => {
    const training = scored.filter((entry) => entry.fold !== fold);
    const held = scored.filter((entry) => entry.fold === fold);
    const baseline = training.length === 0 ? (methods[0] ?? '') : bestMethod(training);
    const servingThreshold = training.length === 0 ? 1 : SERVING_THRESHOLDS.reduce((best, threshold) => (mean(training.map((entry) => served(entry, threshold))) < mean(training.map((entry) => served(entry, best))) ? threshold : best));
    const servedValues = held.map((entry) => served(entry, servingThreshold));
    const baselineValues = held.map((entry) => entry.baselines.get(baseline)?.test ?? Number.NaN);
    return {
      fold,
      series: held.length,
      baseline,
      servingThreshold,
      servedMase: mean(servedValues),
      baselineMase: mean(baselineValues),
      lstmMase: mean(held.map((entry) => entry.lstmTest)),
      servedTotal: servedValues.reduce((sum, value) => sum + value, 0),
      baselineTotal: baselineValues.reduce((sum, value) => sum + value, 0),
    };
  });
  const lstmTotal = scored.reduce((sum, entry) => sum + entry.lstmTest, 0);
  const baselineTotal = folds.reduce((sum, fold) => sum + fold.baselineTotal, 0);
  const servedTotal = folds.reduce((sum, fold) => sum + fold.servedTotal, 0);
  const hindsightMethod = bestMethod(scored);
  return {
    cvRatio: servedTotal / baselineTotal,
    cvRatioHindsightBaseline: servedTotal / (baselineMase(scored, hindsightMethod) * scored.length),
    cvRatioPerSeriesBest: servedTotal / scored.reduce((sum, entry) => sum + Math.min(...[...entry.baselines.values()].map((value) => value.test)), 0),
    cvLstmRatio: lstmTotal / baselineTotal,
    inSampleRatio: mean(scored.map((entry) => entry.lstmTest)) / baselineMase(scored, hindsightMethod),
    folds: folds.map(({ servedTotal: _served, baselineTotal: _baseline, ...fold }) => fold),
  };
}
