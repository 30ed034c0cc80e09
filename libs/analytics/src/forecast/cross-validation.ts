import type { BacktestResult } from './backtest';
import { significantlyWorse } from './selection';

/** One series' backtests, origins in time order: the last `scoredOrigins` are scored, the `selectionOrigins` before them choose. */
export interface SeriesBacktests {
  readonly name: string;
  /** The group left out together (a NAB category). */
  readonly fold: string;
  readonly baselines: readonly BacktestResult[];
  readonly lstm: BacktestResult | null;
}

export interface ForecastCrossValidationOptions {
  /** The newest origins of every series, scored. */
  readonly scoredOrigins: number;
  /** The origins just before the scored ones, on which each series' model is chosen. */
  readonly selectionOrigins: number;
}

export interface ForecastFoldResult {
  readonly fold: string;
  readonly series: number;
  /** Baseline method with the lowest mean scored MASE on the other folds. */
  readonly baseline: string;
  /** Mean scored MASE of the served models of this fold, of its chosen baseline method and of the LSTM. */
  readonly servedMase: number;
  readonly baselineMase: number;
  readonly lstmMase: number;
  /** Series of this fold the LSTM serves. */
  readonly lstmServed: number;
}

export interface ForecastCrossValidation {
  /** Served ÷ held-out best baseline, mean MASE over every scored series. */
  readonly cvRatio: number;
  /** The LSTM on every series ÷ held-out best baseline. */
  readonly cvLstmRatio: number;
  /** The older rule (LSTM only where its mean selection MASE is below the best baseline's) ÷ held-out best baseline. */
  readonly cvMeanRuleRatio: number;
  /** In hindsight, as eval:forecast reports without --cv: LSTM ÷ the baseline method best over all series. */
  readonly inSampleRatio: number;
  /** Served (chosen held out) ÷ the baseline method best over all series in hindsight: the stricter yardstick. */
  readonly cvRatioHindsightBaseline: number;
  /** Served ÷ each series' own best baseline on the scored origins, in hindsight (a bound no selection reaches). */
  readonly cvRatioPerSeriesBest: number;
  readonly folds: readonly ForecastFoldResult[];
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Mean of the defined values, NaN when none is. */
function meanDefined(values: readonly number[]): number {
  const defined = values.filter((value) => Number.isFinite(value));
  return defined.length === 0 ? Number.NaN : mean(defined);
}

/** Per-origin MASEs of one method: those that choose and the mean of those scored (undefined ones left out). */
interface MethodScores {
  readonly select: readonly number[];
  readonly test: number;
}

interface ScoredSeries {
  readonly fold: string;
  readonly baselines: ReadonlyMap<string, MethodScores>;
  readonly lstm: MethodScores;
  /** The series' best baseline on its selection origins: what serves where the LSTM does not. */
  readonly fallback: MethodScores;
}

function scoresOf(result: BacktestResult, options: ForecastCrossValidationOptions): MethodScores | null {
  const mases = result.origins.map((origin) => origin.mase);
  const firstScored = mases.length - options.scoredOrigins;
  const select = mases.slice(firstScored - options.selectionOrigins, firstScored);
  const scored = mases.slice(firstScored);
  const test = meanDefined(scored);
  if (select.length !== options.selectionOrigins || !Number.isFinite(meanDefined(select)) || !Number.isFinite(test)) return null;
  return { select, test };
}

function scoredSeries(entry: SeriesBacktests, options: ForecastCrossValidationOptions): ScoredSeries | null {
  const lstm = entry.lstm === null ? null : scoresOf(entry.lstm, options);
  const baselines = entry.baselines.map((result) => [result.method, scoresOf(result, options)] as const);
  if (lstm === null || baselines.length === 0 || baselines.some(([, scores]) => scores === null)) return null;
  const defined = new Map(baselines.map(([method, scores]) => [method, scores as MethodScores]));
  const fallback = [...defined.values()].reduce((best, next) => (meanDefined(next.select) < meanDefined(best.select) ? next : best));
  return { fold: entry.fold, baselines: defined, lstm, fallback };
}

/** The LSTM serves unless it was significantly worse than the series' best baseline on the selection origins. */
function servesLstm(entry: ScoredSeries): boolean {
  return !significantlyWorse(entry.lstm.select, entry.fallback.select);
}

const served = (entry: ScoredSeries): number => (servesLstm(entry) ? entry.lstm.test : entry.fallback.test);

/**
 * Leave-one-fold-out validation of the forecaster's model selection. Per series, LSTM or its best
 * baseline is decided on the selection origins only (earlier than the scored ones): the baseline
 * serves where the LSTM was significantly worse there (`significantlyWorse`). Per held-out fold,
 * the baseline method that stands for "the best baseline" is chosen on the other folds' scored
 * origins. Only series with a defined mean MASE for every method on both parts are scored.
 */
export function crossValidateForecasts(series: readonly SeriesBacktests[], options: ForecastCrossValidationOptions): ForecastCrossValidation {
  if (!Number.isInteger(options.selectionOrigins) || options.selectionOrigins < 2) throw new RangeError(`selectionOrigins must be an integer ≥ 2, got ${options.selectionOrigins}`);
  const scored = series.map((entry) => scoredSeries(entry, options)).filter((entry): entry is ScoredSeries => entry !== null);
  if (scored.length === 0) throw new Error('no series with a defined MASE for every method on both the selection and the scored origins');

  const methods = [...(scored[0]?.baselines.keys() ?? [])];
  const baselineMase = (entries: readonly ScoredSeries[], method: string): number => mean(entries.map((entry) => entry.baselines.get(method)?.test ?? Number.NaN));
  const bestMethod = (entries: readonly ScoredSeries[]): string => methods.reduce((best, method) => (baselineMase(entries, method) < baselineMase(entries, best) ? method : best));
  const total = (entries: readonly ScoredSeries[], pick: (entry: ScoredSeries) => number): number => entries.reduce((sum, entry) => sum + pick(entry), 0);

  let baselineTotal = 0;
  const folds = [...new Set(scored.map((entry) => entry.fold))].sort().map((fold): ForecastFoldResult => {
    const training = scored.filter((entry) => entry.fold !== fold);
    const held = scored.filter((entry) => entry.fold === fold);
    const baseline = training.length === 0 ? (methods[0] ?? '') : bestMethod(training);
    const foldBaselineTotal = total(held, (entry) => entry.baselines.get(baseline)?.test ?? Number.NaN);
    baselineTotal += foldBaselineTotal;
    return {
      fold,
      series: held.length,
      baseline,
      servedMase: total(held, served) / held.length,
      baselineMase: foldBaselineTotal / held.length,
      lstmMase: total(held, (entry) => entry.lstm.test) / held.length,
      lstmServed: held.filter(servesLstm).length,
    };
  });
  const servedTotal = total(scored, served);
  const meanRule = (entry: ScoredSeries): number => (meanDefined(entry.lstm.select) < meanDefined(entry.fallback.select) ? entry.lstm.test : entry.fallback.test);
  const hindsightMethod = bestMethod(scored);
  return {
    cvRatio: servedTotal / baselineTotal,
    cvLstmRatio: total(scored, (entry) => entry.lstm.test) / baselineTotal,
    cvMeanRuleRatio: total(scored, meanRule) / baselineTotal,
    cvRatioHindsightBaseline: servedTotal / (baselineMase(scored, hindsightMethod) * scored.length),
    cvRatioPerSeriesBest: servedTotal / total(scored, (entry) => Math.min(...[...entry.baselines.values()].map((value) => value.test))),
    inSampleRatio: mean(scored.map((entry) => entry.lstm.test)) / baselineMase(scored, hindsightMethod),
    folds,
  };
}
