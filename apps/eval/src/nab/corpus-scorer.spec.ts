import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NabDataSet, normalizeNabScore, optimizeNabThreshold, scoreNabCorpus, scoreNabDataSet } from './corpus-scorer';
import { NAB_DEFAULT_PROFILES, parseNabProfiles } from './cost-profile';
import { parseNabCsv, parseNabWindows } from './csv';

const fixtures = join(__dirname, '../../../../test/fixtures/nab-dev');
const readText = (path: string): string => readFileSync(join(fixtures, path), 'utf8');

interface ReferenceRow {
  readonly profile: string;
  readonly file: string;
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly totalCount: number;
}

/** NAB's own per-file scores of the Numenta HTM detector output, one CSV per profile. */
function referenceRows(profile: string): ReferenceRow[] {
  const [, ...lines] = readText(`reference-numenta/numenta_${profile}_scores.csv`).trim().split('\n');
  return lines
    .map((line) => line.split(','))
    .filter((cells) => cells[2]!.endsWith('.csv'))
    .map(([, , file, threshold, score, tp, tn, fp, fn, totalCount]) => ({
      profile,
      file: file!,
      threshold: Number(threshold),
      score: Number(score),
      tp: Number(tp),
      tn: Number(tn),
      fp: Number(fp),
      fn: Number(fn),
      totalCount: Number(totalCount),
    }));
}

const windows = parseNabWindows(JSON.parse(readText('labels/combined_windows.json')));
const profiles = parseNabProfiles(JSON.parse(readText('profiles.json')));

function numentaDataSet(file: string): NabDataSet {
  const [category, name] = file.split('/');
  const csv = parseNabCsv(readText(`reference-numenta/${category}/numenta_${name}`));
  return { name: file, timestamps: csv.timestamps, anomalyScores: csv.columns['anomaly_score']!, windows: windows[file]! };
}

describe(scoreNabDataSet.name, () => {
  const sut = scoreNabDataSet;
  const rows = Object.keys(profiles).flatMap(referenceRows);
  const dataSets = new Map(Object.keys(windows).map((file) => [file, numentaDataSet(file)]));

  it('has a reference row for every file and profile', () => {
    expect(rows).toHaveLength(Object.keys(windows).length * Object.keys(profiles).length);
  });

  it.each(rows.map((row) => [row.profile, row.file, row] as const))("reproduces NAB's %s row of %s", (_profile, _file, row) => {
    const result = sut(dataSets.get(row.file)!, profiles[row.profile]!, row.threshold);
    expect(result.score).toBeCloseTo(row.score, 6);
    expect({ tp: result.tp, tn: result.tn, fp: result.fp, fn: result.fn, total: result.rowCount }).toEqual({
      tp: row.tp,
      tn: row.tn,
      fp: row.fp,
      fn: row.fn,
      total: row.totalCount,
    });
  });
});

describe(scoreNabCorpus.name, () => {
  const sut = scoreNabCorpus;
  const timestamps = Array.from({ length: 200 }, (_, i) => i * 300_000);
  const corpusWindows = [
    { start: timestamps[60]!, end: timestamps[79]! },
    { start: timestamps[150]!, end: timestamps[169]! },
  ];
  const dataSetWith = (anomalyScores: number[]): NabDataSet => ({ name: 'synthetic/a.csv', timestamps, anomalyScores, windows: corpusWindows });

  it('gives a detector alarming at the start of every window 100', () => {
    const perfect = timestamps.map((_, i) => (i === 60 || i === 150 ? 1 : 0));
    const result = sut([dataSetWith(perfect)], NAB_DEFAULT_PROFILES);
    for (const profile of Object.values(result)) expect(profile.normalizedScore).toBeCloseTo(100, 9);
  });

  it('gives a detector that never alarms 0', () => {
    const result = sut([dataSetWith(timestamps.map(() => 0))], NAB_DEFAULT_PROFILES);
    for (const profile of Object.values(result)) expect(profile.normalizedScore).toBeCloseTo(0, 9);
  });

  it('chooses the threshold that maximises the total score', () => {
    // 0.9 catches both windows; 0.95 adds a false positive; 0.5 adds a row outside every window.
    const scores = timestamps.map((_, i) => (i === 65 || i === 155 ? 0.9 : i === 100 ? 0.95 : i === 120 ? 0.5 : 0));
    const result = sut([dataSetWith(scores)], { standard: NAB_DEFAULT_PROFILES['standard']! });
    expect(result['standard']!.threshold).toBe(0.9);
    expect(result['standard']!.files[0]).toMatchObject({ tp: 2, fp: 1 });
  });

  it('scores at given thresholds instead of optimising', () => {
    const scores = timestamps.map((_, i) => (i === 65 ? 0.9 : 0));
    const result = sut([dataSetWith(scores)], { standard: NAB_DEFAULT_PROFILES['standard']! }, { thresholds: { standard: 0.95 } });
    expect(result['standard']!).toMatchObject({ threshold: 0.95, normalizedScore: 0 });
  });

  it("gives NAB's Numenta HTM output on this subset a score near its published 70.5", () => {
    const result = sut(Object.keys(windows).map(numentaDataSet), profiles);
    expect(result['standard']!.normalizedScore).toBeGreaterThan(60);
    expect(result['standard']!.normalizedScore).toBeLessThan(80);
    expect(result['standard']!.nullScore).toBe(-Object.values(windows).reduce((count, list) => count + list.length, 0));
  });
});

describe(optimizeNabThreshold.name, () => {
  it('keeps the highest threshold among equal scores', () => {
    const timestamps = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i * 1000);
    const dataSet: NabDataSet = { name: 'x', timestamps, anomalyScores: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.7], windows: [] };
    expect(optimizeNabThreshold([dataSet], NAB_DEFAULT_PROFILES['standard']!, 0).score).toBe(0);
    expect(optimizeNabThreshold([dataSet], NAB_DEFAULT_PROFILES['standard']!, 0).threshold).toBe(1.1);
  });
});

describe(normalizeNabScore.name, () => {
  it('maps null to 0 and perfect to 100', () => {
    expect(normalizeNabScore(-10, -10, 10)).toBe(0);
    expect(normalizeNabScore(10, -10, 10)).toBe(100);
    expect(normalizeNabScore(0, -10, 10)).toBe(50);
  });
});
