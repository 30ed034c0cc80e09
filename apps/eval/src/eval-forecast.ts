import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BacktestResult,
  type LstmConfig,
  LstmForecaster,
  type ModelChoice,
  baselineMethods,
  bestBaseline,
  chooseForecastModel,
  crossValidateForecasts,
  detectPeriod,
  type ForecastCrossValidation,
  rollingOriginBacktest,
  rollingOriginBacktestAsync,
} from '@strata/analytics';
import { trainLstmInWorker } from '@strata/runtime';
import { UsageError, listCsvFiles } from './eval-nab';
import { nabCategoryOf, parseNabCsv } from './nab';

export { UsageError } from './eval-nab';

export const EVAL_FORECAST_USAGE = `usage: npm run eval:forecast -- --data <dir> [--horizon 12] [--json] [options]

  --data <dir>         timestamp,value CSVs (searched recursively)
  --horizon <n>        steps ahead scored (default 12)
  --origins <n>        rolling forecast origins, ≥ 5 (default 5), one horizon apart
  --max-points <n>     use the newest n points of each series (default 2000)
  --max-series <n>     use the first n series in path order (default: all)
  --epochs <n>         LSTM training epochs (default 8)
  --units <n>          LSTM units (default 32)
  --lookback <n>       LSTM input window (default 24)
  --batch-size <n>     LSTM batch size (default 128)
  --reference <r>      what the LSTM forecasts a correction to: none | last | seasonal | smoothing |
                       auto (default: smoothing, with the detected season where it fits three
                       times into the training values, else without one)
  --patience <n>       early stopping after n epochs without a better validation loss (default 0: off)
  --blend              choose the weight of the LSTM's correction on the validation windows
  --cv                 leave one category out: three times the origins, the newest third scored; per
                       series the baseline serves where the LSTM was significantly worse on the two
                       thirds before; the best-baseline method is chosen on the other categories
                       (JSON cvRatio)
  --json               end with one JSON line: {"ratio":…,"mase":{…},"secondsPerEpoch":…,…}

The LSTM is trained once per series (in a worker thread) on the values before the first origin and
conditioned on the newer history at each origin; the baselines are refitted at every origin.
`;

export interface EvalForecastArgs {
  readonly data: string;
  readonly horizon: number;
  readonly origins: number;
  readonly maxPoints: number;
  readonly maxSeries: number | null;
  readonly epochs: number;
  readonly units: number;
  readonly lookback: number;
  readonly batchSize: number;
  readonly patience: number;
  readonly blend: boolean;
  readonly cv: boolean;
  readonly reference: LstmReference;
  readonly json: boolean;
}

export type LstmReference = LstmConfig['reference'] | 'auto';
const REFERENCES: readonly LstmReference[] = ['none', 'last', 'seasonal', 'smoothing', 'auto'];

const INTEGER_FLAGS = {
  '--horizon': { key: 'horizon', min: 1 },
  '--origins': { key: 'origins', min: 5 },
  '--max-points': { key: 'maxPoints', min: 100 },
  '--max-series': { key: 'maxSeries', min: 1 },
  '--epochs': { key: 'epochs', min: 1 },
  '--units': { key: 'units', min: 1 },
  '--lookback': { key: 'lookback', min: 2 },
  '--batch-size': { key: 'batchSize', min: 1 },
  '--patience': { key: 'patience', min: 0 },
} as const;

type IntegerFlag = keyof typeof INTEGER_FLAGS;

function isIntegerFlag(flag: string): flag is IntegerFlag {
  return Object.prototype.hasOwnProperty.call(INTEGER_FLAGS, flag);
}

export function parseEvalForecastArgs(argv: readonly string[]): EvalForecastArgs {
  let data: string | undefined;
  let json = false;
  let blend = false;
  let cv = false;
  let reference: LstmReference = 'auto';
  const numbers: Record<(typeof INTEGER_FLAGS)[IntegerFlag]['key'], number | null> = {
    horizon: 12,
    origins: 5,
    maxPoints: 2000,
    maxSeries: null,
    epochs: 8,
    units: 32,
    lookback: 24,
    batchSize: 128,
    patience: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const split = argument.startsWith('--') && argument.includes('=');
    const flag = split ? argument.slice(0, argument.indexOf('=')) : argument;
    const inline = split ? argument.slice(argument.indexOf('=') + 1) : undefined;
    if (flag === '--json') {
      json = true;
      continue;
    }
    if (flag === '--blend') {
      blend = true;
      continue;
    }
    if (flag === '--cv') {
      cv = true;
      continue;
    }
    if (flag !== '--data' && flag !== '--reference' && !isIntegerFlag(flag)) throw new UsageError(`unknown argument '${argument}'`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    if (flag === '--data') {
      data = value;
      continue;
    }
    if (flag === '--reference') {
      const known = REFERENCES.find((candidate) => candidate === value);
      if (known === undefined) throw new UsageError(`--reference must be one of ${REFERENCES.join(', ')}, got '${value}'`);
      reference = known;
      continue;
    }
    const { key, min } = INTEGER_FLAGS[flag];
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new UsageError(`${flag} needs an integer ≥ ${min}, got '${value}'`);
    numbers[key] = parsed;
  }
  if (data === undefined) throw new UsageError('--data <dir> is required');
  if (!existsSync(data) || !statSync(data).isDirectory()) throw new UsageError(`--data: '${data}' is not a directory`);
  const required = (value: number | null): number => {
    if (value === null) throw new Error('missing default');
    return value;
  };
  return {
    data,
    json,
    horizon: required(numbers.horizon),
    origins: required(numbers.origins),
    maxPoints: required(numbers.maxPoints),
    maxSeries: numbers.maxSeries,
    epochs: required(numbers.epochs),
    units: required(numbers.units),
    lookback: required(numbers.lookback),
    batchSize: required(numbers.batchSize),
    patience: required(numbers.patience),
    blend,
    cv,
    reference,
  };
}

/**
 * With --cv, each series' model is chosen on this many times the scored --origins just before them:
 * 5 origins decided mostly by noise (held out 0.787 against 0.765 with 10).
 */
const CV_SELECTION_MULTIPLE = 2;

/** Correction weights tried on the validation windows with --blend (0 is the smoothing model alone). */
const BLEND_WEIGHTS = [0, 0.25, 0.5, 0.75, 1];

export interface SeriesForecastReport {
  readonly file: string;
  readonly points: number;
  readonly period: number;
  readonly baselines: readonly BacktestResult[];
  readonly lstm: BacktestResult | null;
  readonly lstmError: string | null;
  readonly choice: ModelChoice;
  readonly epochSeconds: readonly number[];
}

export interface EvalForecastReport {
  readonly series: readonly SeriesForecastReport[];
  /** Mean MASE per method over the series where every method's MASE is defined. */
  readonly mase: Record<string, number>;
  readonly smape: Record<string, number>;
  readonly coverage: Record<string, number>;
  readonly bestBaseline: string;
  /** LSTM mean MASE ÷ best baseline mean MASE. */
  readonly ratio: number;
  /** Median training seconds per epoch (first epoch of each series excluded when there are more). */
  readonly secondsPerEpoch: number;
  readonly scoredSeries: number;
  readonly lstmChosen: number;
  /** Leave-one-category-out selection, with --cv. */
  readonly crossValidation?: ForecastCrossValidation;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Backtests one series: every baseline refitted per origin, the LSTM trained once before the first origin. */
export async function evaluateSeries(file: string, allValues: readonly number[], args: EvalForecastArgs): Promise<SeriesForecastReport> {
  const values = allValues.slice(Math.max(0, allValues.length - args.maxPoints));
  // With --cv the newest --origins are scored and CV_SELECTION_MULTIPLE × as many before them choose.
  const origins = args.cv ? (1 + CV_SELECTION_MULTIPLE) * args.origins : args.origins;
  const firstOrigin = values.length - args.horizon * origins;
  const history = values.slice(0, firstOrigin);
  const period = detectPeriod(history, { maxPeriod: Math.min(Math.floor(history.length / 3), 400) }) ?? 1;
  const options = { horizon: args.horizon, origins, period };
  const baselines = baselineMethods(period).map((method) => rollingOriginBacktest(values, method, options));
  let lstm: BacktestResult | null = null;
  let lstmError: string | null = null;
  let epochSeconds: readonly number[] = [];
  try {
    const seasonalFits = period >= 2 && history.length >= 3 * (args.lookback + period + args.horizon);
    const reference = args.reference === 'auto' ? 'smoothing' : args.reference;
    const trained = await trainLstmInWorker(history, {
      horizon: args.horizon,
      epochs: args.epochs,
      units: args.units,
      lookback: args.lookback,
      batchSize: args.batchSize,
      reference,
      period: args.reference === 'auto' && !seasonalFits ? 1 : Math.max(1, period),
      patience: args.patience,
      correctionWeights: args.blend ? BLEND_WEIGHTS : [1],
    });
    epochSeconds = trained.epochSeconds;
    const forecaster = await LstmForecaster.load(trained.model);
    try {
      lstm = await rollingOriginBacktestAsync(values, `lstm${args.units}`, (past) => forecaster.predict(past), options);
    } finally {
      forecaster.dispose();
    }
  } catch (error: unknown) {
    lstmError = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  return { file, points: values.length, period, baselines, lstm, lstmError, choice: chooseForecastModel(baselines, lstm), epochSeconds };
}

/** Aggregates per-series backtests into per-method means and the LSTM ÷ best-baseline ratio. */
export function summariseForecastEval(series: readonly SeriesForecastReport[]): EvalForecastReport {
  const scored = series.filter((report) => report.lstm !== null && [...report.baselines, report.lstm].every((result) => Number.isFinite(result.mase)));
  const methods = series.length === 0 ? [] : [...series[0].baselines.map((result) => result.method), ...(scored[0]?.lstm ? [scored[0].lstm.method] : [])];
  const meanOf = (pick: (result: BacktestResult) => number): Record<string, number> =>
    Object.fromEntries(
      methods.map((method) => {
        const values = scored.map((report) => [...report.baselines, ...(report.lstm ? [report.lstm] : [])].find((result) => result.method === method)).filter((result): result is BacktestResult => result !== undefined).map(pick);
        return [method, values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length];
      }),
    );
  const mase = meanOf((result) => result.mase);
  const baselineNames = series.length === 0 ? [] : series[0].baselines.map((result) => result.method);
  const best = baselineNames.reduce<string | null>((winner, method) => (winner === null || mase[method] < mase[winner] ? method : winner), null) ?? 'none';
  const lstmMethod = methods.find((method) => !baselineNames.includes(method));
  const epochs = series.flatMap((report) => (report.epochSeconds.length > 1 ? report.epochSeconds.slice(1) : report.epochSeconds));
  return {
    series,
    mase,
    smape: meanOf((result) => result.smape),
    coverage: meanOf((result) => result.coverage),
    bestBaseline: best,
    ratio: lstmMethod === undefined ? Number.NaN : mase[lstmMethod] / mase[best],
    secondsPerEpoch: median(epochs),
    scoredSeries: scored.length,
    lstmChosen: series.filter((report) => report.choice.kind === 'lstm').length,
  };
}

function fixed(value: number | null, digits = 3): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

/** Runs the backtests over every CSV under --data and writes the report. */
export async function runEvalForecast(args: EvalForecastArgs, write: (text: string) => void): Promise<EvalForecastReport> {
  const files = listCsvFiles(args.data).slice(0, args.maxSeries ?? undefined);
  if (files.length === 0) throw new UsageError(`--data: no CSV files under '${args.data}'`);
  write(`Forecast backtest: ${files.length} series, horizon ${args.horizon}, ${args.origins} origins, newest ≤ ${args.maxPoints} points, LSTM${args.units} lookback ${args.lookback} reference ${args.reference}, ${args.epochs} epochs (wasm, worker thread)\n`);
  const reports: SeriesForecastReport[] = [];
  for (const file of files) {
    const values = parseNabCsv(readFileSync(join(args.data, file), 'utf8')).columns['value'];
    if (values === undefined) throw new Error(`${file} has no 'value' column`);
    const report = await evaluateSeries(file, values, args);
    reports.push(report);
    const best = bestBaseline(report.baselines);
    write(
      `  ${file.padEnd(52)} m=${String(report.period).padEnd(4)} best ${best.method.padEnd(14)} ${fixed(best.mase)}  lstm ${fixed(report.lstm?.mase ?? null)}  → ${report.choice.method} (${report.choice.reason})${report.lstmError ? ` [${report.lstmError}]` : ''}\n`,
    );
  }
  const summary = summariseForecastEval(reports);
  write(`Mean over ${summary.scoredSeries} series with a defined MASE for every method:\n`);
  write(`  ${'method'.padEnd(16)} ${'MASE'.padStart(8)} ${'sMAPE'.padStart(8)} ${'coverage'.padStart(9)}\n`);
  for (const method of Object.keys(summary.mase)) {
    write(`  ${method.padEnd(16)} ${fixed(summary.mase[method]).padStart(8)} ${fixed(summary.smape[method], 2).padStart(8)} ${fixed(summary.coverage[method]).padStart(9)}\n`);
  }
  write(`  ratio LSTM MASE ÷ best baseline (${summary.bestBaseline}) MASE: ${fixed(summary.ratio)} (goal ≤ 0.90)\n`);
  write(`  LSTM chosen for ${summary.lstmChosen}/${reports.length} series; training ${fixed(summary.secondsPerEpoch)} s per epoch (median)\n`);
  const backtests = reports.map((report) => ({ name: report.file, fold: nabCategoryOf(report.file), baselines: report.baselines, lstm: report.lstm }));
  const crossValidation = args.cv ? crossValidateForecasts(backtests, { scoredOrigins: args.origins, selectionOrigins: CV_SELECTION_MULTIPLE * args.origins }) : undefined;
  if (crossValidation !== undefined) writeCrossValidation(crossValidation, args.origins, write);
  if (args.json) {
    const round = (value: number): number | null => (Number.isFinite(value) ? Math.round(value * 1e4) / 1e4 : null);
    write(
      `${JSON.stringify({
        ratio: round(summary.ratio),
        mase: Object.fromEntries(Object.entries(summary.mase).map(([method, value]) => [method, round(value)])),
        secondsPerEpoch: round(summary.secondsPerEpoch),
        bestBaseline: summary.bestBaseline,
        series: reports.length,
        scoredSeries: summary.scoredSeries,
        lstmChosen: summary.lstmChosen,
        ...(crossValidation === undefined
          ? {}
          : {
              cvRatio: round(crossValidation.cvRatio),
              cvRatioHindsightBaseline: round(crossValidation.cvRatioHindsightBaseline),
              cvRatioPerSeriesBest: round(crossValidation.cvRatioPerSeriesBest),
              cvLstmRatio: round(crossValidation.cvLstmRatio),
              cvMeanRuleRatio: round(crossValidation.cvMeanRuleRatio),
              cvInSampleRatio: round(crossValidation.inSampleRatio),
            }),
      })}\n`,
    );
  }
  return { ...summary, ...(crossValidation === undefined ? {} : { crossValidation }) };
}

function writeCrossValidation(crossValidation: ForecastCrossValidation, scoredOrigins: number, write: (text: string) => void): void {
  write(`Leave one category out (per series, the baseline serves where the LSTM was significantly worse on the ${CV_SELECTION_MULTIPLE * scoredOrigins} origins before the last ${scoredOrigins}, which are scored):\n`);
  write(`  held-out ratio served ÷ best baseline chosen without the category ${fixed(crossValidation.cvRatio)}; the LSTM everywhere ${fixed(crossValidation.cvLstmRatio)}; LSTM where its mean MASE was lower ${fixed(crossValidation.cvMeanRuleRatio)}\n`);
  write(`  served ÷ the best baseline method in hindsight ${fixed(crossValidation.cvRatioHindsightBaseline)}, ÷ each series' best baseline in hindsight ${fixed(crossValidation.cvRatioPerSeriesBest)}; LSTM ÷ best baseline in hindsight (same origins) ${fixed(crossValidation.inSampleRatio)}\n`);
  for (const fold of crossValidation.folds) {
    write(
      `  held out ${fold.fold.padEnd(22)} ${String(fold.series).padStart(2)} series: best baseline chosen without it ${fold.baseline} ${fixed(fold.baselineMase)}, served ${fixed(fold.servedMase)} (LSTM on ${fold.lstmServed}), LSTM ${fixed(fold.lstmMase)}\n`,
    );
  }
}
