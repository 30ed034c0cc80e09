import type { CostProfiles } from './cost-profile';
import type { NabDataSet } from './corpus-scorer';
import { scoreNabCorpus } from './corpus-scorer';
import { crossValidateNab, nabCategoryOf } from './cross-validation';

const STANDARD: CostProfiles = { standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 } };
const ROWS = 200;
const timestamps = Array.from({ length: ROWS }, (_, i) => i * 300_000);

/**
 * A file of 200 rows with one window over rows 100–109: the detector scores `hit` on row 100,
 * `noise` on rows 150–152 (outside the window) and 0 elsewhere.
 */
function file(name: string, hit: number, noise: number): NabDataSet {
  const anomalyScores = timestamps.map((_, i) => (i === 100 ? hit : i >= 150 && i <= 152 ? noise : 0));
  return { name, timestamps, anomalyScores, windows: [{ start: timestamps[100]!, end: timestamps[109]! }] };
}

describe(nabCategoryOf.name, () => {
  it("is the key's directory", () => {
    expect(nabCategoryOf('realTweets/Twitter_volume_FB.csv')).toBe('realTweets');
    expect(nabCategoryOf('a/b/c.csv')).toBe('a/b');
    expect(nabCategoryOf('c.csv')).toBe('');
  });
});

describe(crossValidateNab.name, () => {
  const sut = crossValidateNab;

  it('scores a detector whose scale holds across categories as in-sample', () => {
    const dataSets = [file('a/1.csv', 0.9, 0.1), file('a/2.csv', 0.9, 0.1), file('b/1.csv', 0.9, 0.1)];
    const result = sut([{ name: 'only', dataSets }], STANDARD);
    expect(result.normalizedScore['standard']).toBeCloseTo(scoreNabCorpus(dataSets, STANDARD)['standard']!.normalizedScore, 9);
    expect(result.folds.map((fold) => [fold.fold, fold.files, fold.windows])).toEqual([
      ['a', 2, 2],
      ['b', 1, 1],
    ]);
  });

  it('chooses the threshold without the held-out category, so a scale that does not carry over costs', () => {
    // Category a alarms at 0.9 with noise at 0.7; b alarms at 0.6 with noise at 0.2. One threshold
    // (0.9 … 0.7) fits both in-sample only if b's alarms are missed or a's noise is taken.
    const dataSets = [file('a/1.csv', 0.9, 0.7), file('b/1.csv', 0.6, 0.2)];
    const result = sut([{ name: 'only', dataSets }], STANDARD);
    const [foldA, foldB] = result.folds;
    expect(foldA?.chosen['standard']?.threshold).toBe(0.6); // learnt on b: takes a's noise too
    expect(foldB?.chosen['standard']?.threshold).toBe(0.9); // learnt on a: misses b's alarm
    expect(foldB?.rawScore['standard']).toBe(-1); // the missed window
    expect(foldA!.rawScore['standard']!).toBeLessThan(1);
    expect(result.normalizedScore['standard']!).toBeLessThan(scoreNabCorpus(dataSets, STANDARD)['standard']!.normalizedScore);
  });

  it('selects the candidate that scores best on the training categories only', () => {
    const names = ['a/1.csv', 'b/1.csv', 'c/1.csv'];
    // "steady" detects in a and b and misses in c; "lucky" detects only in c.
    const steady = names.map((name) => file(name, name.startsWith('c') ? 0 : 0.9, 0));
    const lucky = names.map((name) => file(name, name.startsWith('c') ? 0.9 : 0, 0));
    const result = sut(
      [
        { name: 'steady', dataSets: steady },
        { name: 'lucky', dataSets: lucky },
      ],
      STANDARD,
    );
    expect(result.folds.map((fold) => fold.chosen['standard']?.candidate)).toEqual(['steady', 'steady', 'steady']);
    // Held out, c is scored by the steady detector, which misses it.
    expect(result.folds[2]?.rawScore['standard']).toBe(-1);
  });

  it('reports no normalised score for a fold without windows, and its false alarms in the raw score', () => {
    const quiet: NabDataSet = { name: 'none/1.csv', timestamps, anomalyScores: timestamps.map((_, i) => (i === 120 ? 1 : 0)), windows: [] };
    const result = sut([{ name: 'only', dataSets: [file('a/1.csv', 1, 0), quiet] }], STANDARD);
    const none = result.folds.find((fold) => fold.fold === 'none');
    expect(none?.normalizedScore['standard']).toBeNull();
    expect(none?.rawScore['standard']).toBeCloseTo(-0.11, 9);
  });

  it('refuses candidates over different files and a corpus of one category', () => {
    const one = [file('a/1.csv', 1, 0), file('b/1.csv', 1, 0)];
    expect(() => sut([{ name: 'x', dataSets: one }, { name: 'y', dataSets: [one[0]!] }], STANDARD)).toThrow(/'y' does not cover the same files/);
    expect(() => sut([{ name: 'x', dataSets: [file('a/1.csv', 1, 0)] }], STANDARD)).toThrow(/at least two folds/);
    expect(() => sut([], STANDARD)).toThrow(/at least one candidate/);
  });
});
