import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, findScoresFile, listCsvFiles, parseEvalNabArgs, runEvalNab, splitCrossHalves, splitHalves } from './eval-nab';

const fixtures = join(__dirname, '../../../test/fixtures/nab-dev');
const labels = join(fixtures, 'labels/combined_windows.json');

describe(parseEvalNabArgs.name, () => {
  const sut = parseEvalNabArgs;

  it('reads the flags, with separate or inline values', () => {
    expect(sut(['--data', fixtures, `--labels=${labels}`, '--json'])).toEqual({ data: fixtures, labels, scores: null, halves: false, cv: false, json: true });
    expect(sut(['--data', fixtures, '--labels', labels, '--halves']).halves).toBe(true);
  });

  it.each([
    [['--labels', labels], /--data/],
    [['--data', fixtures], /--labels/],
    [['--data', fixtures, '--labels'], /--labels needs a value/],
    [['--data', fixtures, '--labels', labels, '--bogus'], /--bogus/],
    [['--data', join(fixtures, 'missing'), '--labels', labels], /--data: .* does not exist/],
    [['--data', fixtures, '--labels', fixtures], /--labels: .* is not a file/],
  ])('refuses %p naming the flag', (argv, message) => {
    expect(() => sut(argv)).toThrow(UsageError);
    expect(() => sut(argv)).toThrow(message);
  });
});

describe(findScoresFile.name, () => {
  const sut = findScoresFile;

  it("finds NAB's <detector>_<file>.csv results naming", () => {
    expect(sut(join(fixtures, 'reference-numenta'), 'realTraffic/speed_7578.csv')).toBe(join(fixtures, 'reference-numenta/realTraffic/numenta_speed_7578.csv'));
  });

  it('finds a same-named file and nothing where there is none', () => {
    expect(sut(join(fixtures, 'data'), 'realTraffic/speed_7578.csv')).toBe(join(fixtures, 'data/realTraffic/speed_7578.csv'));
    expect(sut(join(fixtures, 'data'), 'nowhere/x.csv')).toBeNull();
  });
});

describe(splitHalves.name, () => {
  const sut = splitHalves;

  it('alternates files within each category, so both halves hold every category', () => {
    const names = ['b/2.csv', 'a/1.csv', 'a/3.csv', 'b/1.csv', 'a/2.csv'].map((name) => ({ name }));
    expect(sut(names).map((half) => half.map((dataSet) => dataSet.name))).toEqual([
      ['a/1.csv', 'a/3.csv', 'b/1.csv'],
      ['a/2.csv', 'b/2.csv'],
    ]);
  });
});

describe(splitCrossHalves.name, () => {
  const sut = splitCrossHalves;

  it('puts files C, D, D, C, … within each category, crossing the halves', () => {
    const names = ['a/1.csv', 'a/2.csv', 'a/3.csv', 'a/4.csv', 'a/5.csv', 'a/6.csv', 'b/1.csv'].map((name) => ({ name }));
    const [c, d] = sut(names).map((half) => half.map((dataSet) => dataSet.name));
    expect([c, d]).toEqual([
      ['a/1.csv', 'a/4.csv', 'a/5.csv', 'b/1.csv'],
      ['a/2.csv', 'a/3.csv', 'a/6.csv'],
    ]);
    const [a, b] = splitHalves(names).map((half) => half.map((dataSet) => dataSet.name));
    // Each of C and D shares files with both A and B.
    for (const half of [c, d]) for (const other of [a, b]) expect(half?.some((name) => other?.includes(name))).toBe(true);
  });
});

describe(runEvalNab.name, () => {
  const sut = runEvalNab;

  /** A two-file corpus: one file whose scores flag its window's first row, one without windows. */
  function corpus(): { data: string; scores: string; labels: string } {
    const root = mkdtempSync(join(tmpdir(), 'eval-nab-'));
    const timestamps = Array.from({ length: 100 }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19));
    for (const directory of ['data/a', 'scores/a', 'labels']) mkdirSync(join(root, directory), { recursive: true });
    for (const file of ['x.csv', 'y.csv']) {
      writeFileSync(join(root, 'data/a', file), `timestamp,value\n${timestamps.map((time) => `${time},1`).join('\n')}\n`);
      writeFileSync(join(root, 'scores/a', `det_${file}`), `timestamp,anomaly_score\n${timestamps.map((time, i) => `${time},${file === 'x.csv' && i === 50 ? 1 : 0}`).join('\n')}\n`);
    }
    writeFileSync(join(root, 'labels/windows.json'), JSON.stringify({ 'a/x.csv': [[`${timestamps[50]}.000000`, `${timestamps[59]}.000000`]], 'a/y.csv': [] }));
    return { data: join(root, 'data'), scores: join(root, 'scores'), labels: join(root, 'labels/windows.json') };
  }

  it('scores given anomaly scores and ends with one JSON line', () => {
    const { data, scores, labels: windows } = corpus();
    let output = '';
    const report = sut({ data, labels: windows, scores, halves: false, cv: false, json: true }, (text) => (output += text));
    expect(listCsvFiles(data)).toEqual(['a/x.csv', 'a/y.csv']);
    expect(report.files).toBe(2);
    const lines = output.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ standard: 100, reward_low_FP_rate: 100, reward_low_FN_rate: 100, files: 2 });
  });

  it("runs Strata's detector without --scores", () => {
    const { data, labels: windows } = corpus();
    let output = '';
    sut({ data, labels: windows, scores: null, halves: false, cv: false, json: false }, (text) => (output += text));
    expect(output).toMatch(/Strata's streaming detector over 2 files/);
    expect(output).toMatch(/standard/);
  });

  it('scores each half on its own with --halves', () => {
    const { data, scores, labels: windows } = corpus();
    let output = '';
    const report = sut({ data, labels: windows, scores, halves: true, cv: false, json: true }, (text) => (output += text));
    // Half A holds a/x.csv with its window flagged at the first row; half B only the file without windows.
    expect(report.halves?.[0]).toEqual({ standard: 100, reward_low_FP_rate: 100, reward_low_FN_rate: 100 });
    expect(output).toMatch(/half A \(1 files\): standard 100\.00/);
    const lines = output.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!).halves.A.standard).toBe(100);
    // The crossing split also puts a/x.csv, the first of its category, into C.
    expect(report.crossHalves?.[0]).toEqual({ standard: 100, reward_low_FP_rate: 100, reward_low_FN_rate: 100 });
    expect(output).toMatch(/half C \(1 files\): standard 100\.00/);
  });

  it('scores each category at a threshold chosen on the others with --cv', () => {
    const { data, scores, labels: windows } = corpus();
    // A second category whose window is flagged at a lower score than a's: held out, each is scored at
    // the other's threshold.
    mkdirSync(join(data, 'b'));
    mkdirSync(join(scores, 'b'));
    writeFileSync(join(data, 'b/z.csv'), readFileSync(join(data, 'a/x.csv')));
    const lowered = readFileSync(join(scores, 'a/det_x.csv'), 'utf8').replace(/,1\n/, ',0.5\n');
    writeFileSync(join(scores, 'b/det_z.csv'), lowered);
    const labelsJson = JSON.parse(readFileSync(windows, 'utf8')) as Record<string, unknown>;
    writeFileSync(windows, JSON.stringify({ ...labelsJson, 'b/z.csv': labelsJson['a/x.csv'] }));
    let output = '';
    const report = sut({ data, labels: windows, scores, halves: false, cv: true, json: true }, (text) => (output += text));
    expect(report.scores['standard']?.normalizedScore).toBe(100);
    expect(report.crossValidation?.folds.map((fold) => [fold.fold, fold.chosen['standard']?.threshold])).toEqual([
      ['a', 0.5],
      ['b', 1],
    ]);
    const lines = output.trim().split('\n');
    const json = JSON.parse(lines[lines.length - 1]!);
    // b held out misses its window at a's threshold; a held out still catches its own.
    expect(json.cvStandard).toBe(50);
    expect(Object.keys(json.cvFolds)).toEqual(['a', 'b']);
    expect(output).toMatch(/held out b \(1 files, 1 windows\): standard 0\.00/);
  });
});
