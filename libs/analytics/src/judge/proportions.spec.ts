import { compareProportions, EventCounts, fisherExact, newcombeDifferenceInterval, twoProportionZ, wilsonInterval } from './proportions';

const counts = (errors: number, total: number): EventCounts => ({ errors, total });

/** C(n, k) exactly. */
function binomial(n: number, k: number): bigint {
  let result = 1n;
  for (let i = 1; i <= k; i += 1) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

/** Two-sided Fisher p-value with exact integer arithmetic: the oracle for the log-space version. */
function exactFisher(baseline: EventCounts, canary: EventCounts): number {
  const errors = baseline.errors + canary.errors;
  const weight = (x: number): bigint => binomial(baseline.total, x) * binomial(canary.total, errors - x);
  const observed = weight(baseline.errors);
  let asExtreme = 0n;
  let all = 0n;
  for (let x = Math.max(0, errors - canary.total); x <= Math.min(errors, baseline.total); x += 1) {
    const w = weight(x);
    all += w;
    if (w <= observed) asExtreme += w;
  }
  return Number((asExtreme * 10n ** 15n) / all) / 1e15;
}

describe(fisherExact.name, () => {
  it("gives 0.4857 for Fisher's tea-tasting table, as fisher.test(matrix(c(3, 1, 1, 3), 2)) does", () => {
    // Tables with the same margins have probabilities 1, 16, 36, 16, 1 (/70); those ≤ 16/70 sum to 34/70.
    expect(fisherExact(counts(3, 4), counts(1, 4))).toBeCloseTo(34 / 70, 12);
  });

  it.each([
    // [[1, 9], [11, 3]]: scipy.stats.fisher_exact → 0.0027594561852.
    { baseline: counts(1, 10), canary: counts(11, 14), pValue: 0.0027594561852 },
    // No baseline errors against six canary errors in 1 000 requests each: 0.0310158599618.
    { baseline: counts(0, 1000), canary: counts(6, 1000), pValue: 0.0310158599618 },
    { baseline: counts(2, 3000), canary: counts(9, 3000), pValue: 0.0651880287684 },
  ])('p = $pValue for $baseline.errors/$baseline.total against $canary.errors/$canary.total', ({ baseline, canary, pValue }) => {
    expect(fisherExact(baseline, canary)).toBeCloseTo(pValue, 10);
  });

  it.each([
    [counts(0, 5), counts(5, 5)],
    [counts(4, 17), counts(0, 9)],
    [counts(7, 40), counts(2, 60)],
    [counts(3, 200), counts(3, 150)],
    [counts(12, 20), counts(11, 21)],
  ])('agrees with exact integer arithmetic for %j against %j', (baseline, canary) => {
    expect(fisherExact(baseline, canary)).toBeCloseTo(exactFisher(baseline, canary), 10);
  });

  it('is 1 when both sides have the same rate', () => {
    expect(fisherExact(counts(0, 50), counts(0, 70))).toBe(1);
    expect(fisherExact(counts(2, 10), counts(2, 10))).toBeCloseTo(1, 12);
  });

  it('refuses impossible counts', () => {
    expect(() => fisherExact(counts(5, 4), counts(0, 4))).toThrow('baseline.errors');
    expect(() => fisherExact(counts(0, 4), counts(0, 0))).toThrow('canary.total');
  });
});

describe(twoProportionZ.name, () => {
  it('matches the pooled z test for 20/100 against 35/100', () => {
    // p̂ = 0.275, se = √(0.275·0.725·0.02) = 0.0631467; z = 0.15 / se = 2.375423; R's
    // prop.test(c(35, 20), c(100, 100), correct = FALSE) reports X² = z² = 5.6426, p = 0.01753.
    const sut = twoProportionZ(counts(20, 100), counts(35, 100));
    expect(sut.z).toBeCloseTo(2.375422747, 8);
    expect(sut.pValue).toBeCloseTo(0.0175288613, 7);
  });

  it('is signed: a lower canary rate gives a negative z and the same p', () => {
    const sut = twoProportionZ(counts(140, 5000), counts(100, 5000));
    expect(sut.z).toBeCloseTo(-2.613541867, 8);
    expect(sut.pValue).toBeCloseTo(0.0089609104, 7);
  });

  it('finds nothing to test when both sides are all errors', () => {
    expect(twoProportionZ(counts(10, 10), counts(20, 20))).toEqual({ z: 0, pValue: 1 });
  });
});

describe(wilsonInterval.name, () => {
  it.each([
    // Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 → [0.2553, 0.3662]; 0/10 → [0, 0.2775].
    { observed: counts(81, 263), lower: 0.2552885, upper: 0.366209577 },
    { observed: counts(0, 10), lower: 0, upper: 0.2775328 },
  ])('gives the 95 % score interval for $observed.errors/$observed.total', ({ observed, lower, upper }) => {
    const sut = wilsonInterval(observed, 0.95);
    expect(sut.lower).toBeCloseTo(lower, 6);
    expect(sut.upper).toBeCloseTo(upper, 6);
  });
});

describe(newcombeDifferenceInterval.name, () => {
  it("matches Newcombe's hybrid score interval for 56/70 − 48/80", () => {
    // Newcombe (1998), Statistics in Medicine 17:873, method 10: difference 0.2, 95 % [0.0524, 0.3339].
    const sut = newcombeDifferenceInterval(counts(48, 80), counts(56, 70), 0.95);
    expect(sut.lower).toBeCloseTo(0.0524315, 6);
    expect(sut.upper).toBeCloseTo(0.3338727, 6);
  });

  it('stays a proper interval when the baseline has no errors at all', () => {
    const sut = newcombeDifferenceInterval(counts(0, 1000), counts(6, 1000), 0.98);
    expect(sut.lower).toBeGreaterThan(-0.01);
    expect(sut.lower).toBeLessThan(0.006);
    expect(sut.upper).toBeGreaterThan(0.006);
  });

  it('refuses a confidence outside (0, 1)', () => {
    expect(() => newcombeDifferenceInterval(counts(1, 10), counts(1, 10), 0)).toThrow('confidence');
  });
});

describe(compareProportions.name, () => {
  it('uses the z test when every expected count is at least 5', () => {
    const sut = compareProportions(counts(100, 5000), counts(140, 5000), 0.98);
    expect(sut).toMatchObject({ test: 'two-proportion-z', baselineRate: 0.02, canaryRate: 0.028 });
    expect(sut.pValue).toBeCloseTo(0.0089609104, 7);
    expect(sut.difference).toBeCloseTo(0.008, 12);
    expect(sut.ratio).toBeCloseTo(1.4, 12);
    expect(sut.interval.lower).toBeLessThan(0.008);
    expect(sut.interval.upper).toBeGreaterThan(0.008);
    expect(sut.interval.confidence).toBe(0.98);
  });

  it("switches to Fisher's exact test when an expected count is below 5", () => {
    // Expected errors per side: 6 · 1000 / 2000 = 3.
    const sut = compareProportions(counts(0, 1000), counts(6, 1000), 0.98);
    expect(sut).toMatchObject({ test: 'fisher-exact', ratio: null });
    expect(sut.pValue).toBeCloseTo(0.0310158599618, 10);
  });

  it('looks at the rarer outcome: near-total failure also counts as a small cell', () => {
    expect(compareProportions(counts(998, 1000), counts(995, 1000), 0.98).test).toBe('fisher-exact');
  });
});
