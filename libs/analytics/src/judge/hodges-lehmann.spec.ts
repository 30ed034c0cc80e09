import { hodgesLehmann, kthPairwiseDifference } from './hodges-lehmann';
import { SeededRandom } from './seeded-random';

const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** Every difference canary − baseline, sorted: the oracle the selection must agree with. */
function allDifferences(baseline: readonly number[], canary: readonly number[]): number[] {
  return ascending(canary.flatMap((value) => baseline.map((base) => value - base)));
}

describe(hodgesLehmann.name, () => {
  // R's ?wilcox.test example: wilcox.test(x, y, conf.int = TRUE) reports a difference in location of
  // 0.305 and the 95 % interval [-0.15, 0.76]; the 98 % one, [-0.17, 0.90], uses ranks 7 and 44 of the 50
  // sorted differences (qwilcox(0.01, 10, 5) = 7), covering 1 − 2·P(U ≤ 6) = 0.98069.
  const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
  const y = [1.15, 0.88, 0.9, 0.74, 1.21];

  it("matches R's estimate and exact 95 % interval for the wilcox.test documentation example", () => {
    const sut = hodgesLehmann(y, x, 0.95);
    expect(sut.shift).toBeCloseTo(0.305, 12);
    expect(sut.interval.lower).toBeCloseTo(-0.15, 12);
    expect(sut.interval.upper).toBeCloseTo(0.76, 12);
    expect(sut.interval.confidence).toBeCloseTo(0.96004, 5);
  });

  it('widens to the exact 98 % interval and reports the coverage it achieves', () => {
    const sut = hodgesLehmann(y, x, 0.98);
    expect(sut.interval.lower).toBeCloseTo(-0.17, 12);
    expect(sut.interval.upper).toBeCloseTo(0.9, 12);
    expect(sut.interval.confidence).toBeCloseTo(0.98069, 5);
  });

  it('says so when the samples are too small for the requested coverage', () => {
    // 3 vs 3: differences 1,2,2,3,3,3,4,4,5; even [min, max] covers only 1 − 2/20 = 90 %.
    const sut = hodgesLehmann([1, 2, 3], [4, 5, 6], 0.98);
    expect(sut.shift).toBe(3);
    expect(sut.interval).toEqual({ lower: 1, upper: 5, confidence: 0.9 });
  });

  it('averages the two middle differences when their number is even', () => {
    // Differences of [4, 6] − [0, 1]: 3, 4, 5, 6.
    expect(hodgesLehmann([0, 1], [4, 6], 0.5).shift).toBe(4.5);
  });

  it('takes the interval ranks from the normal approximation for large samples', () => {
    const random = new SeededRandom(7);
    const baseline = random.lognormal(100, 100, 0.5);
    const canary = random.lognormal(100, 110, 0.5);
    const differences = allDifferences(baseline, canary);
    // C = ⌊n·m/2 − z(0.99)·√(n·m·(n+m+1)/12)⌋ = ⌊5000 − 2.3263·409.27⌋ = 4047.
    const sut = hodgesLehmann(baseline, canary, 0.98);
    expect(sut.shift).toBe((differences[4999]! + differences[5000]!) / 2);
    expect(sut.interval).toEqual({ lower: differences[4046], upper: differences[10000 - 4047], confidence: 0.98 });
  });

  it('is shift-equivariant: moving the canary by d moves the estimate by d', () => {
    const random = new SeededRandom(11);
    const baseline = random.lognormal(80, 50, 0.3);
    const canary = random.lognormal(90, 50, 0.3);
    const moved = canary.map((value) => value + 10);
    expect(hodgesLehmann(baseline, moved, 0.98).shift).toBeCloseTo(hodgesLehmann(baseline, canary, 0.98).shift + 10, 9);
  });

  it('refuses an empty side and a confidence outside (0, 1)', () => {
    expect(() => hodgesLehmann([], [1], 0.9)).toThrow(RangeError);
    expect(() => hodgesLehmann([1], [2], 1)).toThrow('confidence');
  });
});

describe(kthPairwiseDifference.name, () => {
  it('agrees with sorting every difference, for every rank, on tied integer data', () => {
    const random = new SeededRandom(3);
    const baseline = ascending(Array.from({ length: 23 }, () => Math.floor(random.next() * 10)));
    const canary = ascending(Array.from({ length: 31 }, () => Math.floor(random.next() * 12)));
    const differences = allDifferences(baseline, canary);
    differences.forEach((difference, index) => expect(kthPairwiseDifference(baseline, canary, index + 1)).toBe(difference));
  });

  it('agrees with sorting every difference on continuous data past the listing limit', () => {
    const random = new SeededRandom(5);
    const baseline = ascending(random.lognormal(400, 100, 0.6));
    const canary = ascending(random.lognormal(700, 120, 0.6));
    const differences = allDifferences(baseline, canary);
    for (const k of [1, 2, 1000, 69_999, 140_000, 140_001, 279_999, 280_000]) {
      expect(kthPairwiseDifference(baseline, canary, k)).toBe(differences[k - 1]);
    }
  });

  it('selects the median of 25 million differences without listing them', () => {
    const random = new SeededRandom(9);
    const baseline = ascending(random.lognormal(5000, 100, 0.5));
    const canary = ascending(random.lognormal(5000, 100, 0.5));
    const k = 12_500_000;
    const sut = kthPairwiseDifference(baseline, canary, k);
    // The k-th smallest has fewer than k differences below it and at least k at or below it.
    let below = 0;
    let atOrBelow = 0;
    for (const value of canary) {
      for (const base of baseline) {
        const difference = value - base;
        if (difference < sut) below += 1;
        if (difference <= sut) atOrBelow += 1;
      }
    }
    expect(below).toBeLessThan(k);
    expect(atOrBelow).toBeGreaterThanOrEqual(k);
  });

  it('returns the common value when every difference is equal', () => {
    expect(kthPairwiseDifference([1, 1, 1], [3, 3], 4)).toBe(2);
  });

  it('refuses a rank outside [1, n·m]', () => {
    expect(() => kthPairwiseDifference([1, 2], [3], 0)).toThrow('k must be');
    expect(() => kthPairwiseDifference([1, 2], [3], 3)).toThrow('k must be');
    expect(() => kthPairwiseDifference([], [3], 1)).toThrow(RangeError);
  });
});
