import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BacktestResult, chooseForecastModel } from '@strata/analytics';
import { type SeriesForecastReport, UsageError, parseEvalForecastArgs, runEvalForecast, summariseForecastEval } from './eval-forecast';

const fixtures = join(__dirname, '../../../test/fixtures/nab-dev/data');

describe(parseEvalForecastArgs.name, () => {
  const sut = parseEvalForecastArgs;

  it('has bounded defaults and reads separate or inline values', () => {
    expect(sut(['--data', fixtures])).toEqual({ data: fixtures, horizon: 12, origins: 5, maxPoints: 2000, maxSeries: null, epochs: 8, units: 32, lookback: 24, batchSize: 128, patience: 0, blend: false, cv: false, reference: 'auto', json: false });
    expect(sut(['--data', fixtures, '--cv']).cv).toBe(true);
    expect(sut([`--data=${fixtures}`, '--horizon', '6', '--epochs=2', '--max-series', '3', '--json'])).toMatchObject({ horizon: 6, epochs: 2, maxSeries: 3, json: true });
  });

  it.each([
    [[], /--data/],
    [['--data'], /--data needs a value/],
    [['--data', join(fixtures, 'missing')], /not a directory/],
    [['--data', fixtures, '--bogus'], /--bogus/],
    [['--data', fixtures, '--horizon', '0'], /--horizon needs an integer/],
    [['--data', fixtures, '--origins', '4'], /--origins needs an integer ≥ 5/],
    [['--data', fixtures, '--epochs', '1.5'], /--epochs/],
    [['--data', fixtures, '--reference', 'mean'], /--reference must be one of/],
  ])('refuses %p naming the flag', (argv, message) => {
    expect(() => sut(argv)).toThrow(UsageError);
    expect(() => sut(argv)).toThrow(message);
  });
});

const result = (method: string, mase: number): BacktestResult => ({ method, horizon: 12, mase, smape: 10 * mase, coverage: 0.9, origins: [] });

function report(file: string, maseByMethod: Record<string, number>, lstmMase: number | null, epochSeconds: number[]): SeriesForecastReport {
  const baselines = Object.entries(maseByMethod).map(([method, mase]) => result(method, mase));
  const lstm = lstmMase === null ? null : result('lstm32', lstmMase);
  return { file, points: 100, period: 1, baselines, lstm, lstmError: null, choice: chooseForecastModel(baselines, lstm), epochSeconds };
}

describe(summariseForecastEval.name, () => {
  const sut = summariseForecastEval;

  it('averages MASE per method over fully scored series and divides the LSTM by the best baseline', () => {
    const summary = sut([
      report('a.csv', { naive: 1, ses: 0.8 }, 0.6, [9, 2, 4]),
      report('b.csv', { naive: 2, ses: 1.2 }, 1.4, [9, 3]),
      report('flat.csv', { naive: Number.NaN, ses: Number.NaN }, Number.NaN, []),
    ]);
    expect(summary.mase).toEqual({ naive: 1.5, ses: 1, lstm32: 1 });
    expect(summary.bestBaseline).toBe('ses');
    expect(summary.ratio).toBeCloseTo(1, 12);
    expect(summary.scoredSeries).toBe(2);
    expect(summary.lstmChosen).toBe(1);
    // First epochs (warm-up) excluded: median of 2, 4, 3.
    expect(summary.secondsPerEpoch).toBe(3);
  });
});

describe(runEvalForecast.name, () => {
  const sut = runEvalForecast;

  it('backtests every baseline and the LSTM and ends with the JSON line', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'eval-forecast-'));
    mkdirSync(join(directory, 'cat'));
    const rows = Array.from({ length: 260 }, (_, t) => `2020-01-01 00:${String(t % 60).padStart(2, '0')}:00,${(10 + 3 * Math.sin((2 * Math.PI * t) / 12) + 0.01 * t).toFixed(4)}`);
    writeFileSync(join(directory, 'cat', 's.csv'), `timestamp,value\n${rows.join('\n')}\n`);
    const output: string[] = [];
    const summary = await sut(parseEvalForecastArgs(['--data', directory, '--json', '--epochs', '2', '--units', '4', '--lookback', '12', '--horizon', '6']), (text) => output.push(text)).finally(() =>
      rmSync(directory, { recursive: true, force: true }),
    );
    const last = JSON.parse(output[output.length - 1]) as { ratio: number; mase: Record<string, number>; secondsPerEpoch: number };
    expect(Object.keys(last.mase)).toEqual(['naive', 'seasonal-naive', 'ses', 'holt', 'holt-winters', 'theta', 'lstm4']);
    expect(last.ratio).toBeCloseTo(summary.ratio, 3);
    expect(last.secondsPerEpoch).toBeGreaterThan(0);
    expect(summary.series[0].baselines.every((backtest) => backtest.origins.length === 5)).toBe(true);
    expect(output.join('')).toMatch(/ratio LSTM MASE ÷ best baseline/);
  }, 30_000);

  it('with --cv chooses on the two older thirds of three times the origins and scores each category held out', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'eval-forecast-cv-'));
    for (const [category, amplitude] of [['a', 3], ['b', 1]] as const) {
      mkdirSync(join(directory, category));
      const rows = Array.from({ length: 300 }, (_, t) => `2020-01-01 00:${String(t % 60).padStart(2, '0')}:00,${(10 + amplitude * Math.sin((2 * Math.PI * t) / 12) + 0.01 * t).toFixed(4)}`);
      writeFileSync(join(directory, category, 's.csv'), `timestamp,value\n${rows.join('\n')}\n`);
    }
    const output: string[] = [];
    const summary = await sut(parseEvalForecastArgs(['--data', directory, '--json', '--cv', '--epochs', '1', '--units', '4', '--lookback', '12', '--horizon', '6']), (text) => output.push(text)).finally(() =>
      rmSync(directory, { recursive: true, force: true }),
    );
    expect(summary.series.every((series) => series.baselines.every((backtest) => backtest.origins.length === 15))).toBe(true);
    expect(summary.crossValidation?.folds.map((fold) => [fold.fold, fold.series])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    const last = JSON.parse(output[output.length - 1]) as { cvRatio: number; cvLstmRatio: number; cvMeanRuleRatio: number; cvInSampleRatio: number };
    expect(last.cvRatio).toBeCloseTo(summary.crossValidation?.cvRatio ?? Number.NaN, 3);
    expect([last.cvLstmRatio, last.cvMeanRuleRatio, last.cvInSampleRatio].every(Number.isFinite)).toBe(true);
    expect(output.join('')).toMatch(/held out a .* 1 series: best baseline chosen without it/);
  }, 60_000);
});
