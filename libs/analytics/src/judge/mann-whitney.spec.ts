import { exactMannWhitneyDistribution, mannWhitneyU } from './mann-whitney';

/** P(U = u) by listing every way of choosing which pooled ranks are the canary's: an oracle independent of the recursion. */
function enumeratedDistribution(baselineSize: number, canarySize: number): number[] {
  const pooled = baselineSize + canarySize;
  const counts = new Array<number>(baselineSize * canarySize + 1).fill(0);
  let total = 0;
  for (let mask = 0; mask < 1 << pooled; mask += 1) {
    let bits = 0;
    for (let rank = 0; rank < pooled; rank += 1) if (mask & (1 << rank)) bits += 1;
    if (bits !== canarySize) continue;
    let u = 0;
    let baselineBelow = 0;
    for (let rank = 0; rank < pooled; rank += 1) {
      if (mask & (1 << rank)) u += baselineBelow;
      else baselineBelow += 1;
    }
    counts[u]! += 1;
    total += 1;
  }
  return counts.map((count) => count / total);
}

describe(mannWhitneyU.name, () => {
  // R's ?wilcox.test example (Hollander & Wolfe 1973, p. 69): wilcox.test(x, y, alternative = "greater")
  // gives W = 35, p = 0.1272, so the two-sided exact p is 2 × 0.12721 = 0.25441 (scipy's exact method agrees: 0.2544122544).
  const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
  const y = [1.15, 0.88, 0.9, 0.74, 1.21];

  it("reproduces R's exact two-sided p-value for the wilcox.test documentation example", () => {
    const sut = mannWhitneyU(y, x);
    expect(sut).toMatchObject({ u: 35, method: 'exact', z: null, ties: false });
    expect(sut.pValue).toBeCloseTo(0.2544122544, 9);
  });

  it('gives the same p-value with the sides swapped, and the complementary U', () => {
    const sut = mannWhitneyU(x, y);
    expect(sut.u).toBe(50 - 35);
    expect(sut.pValue).toBeCloseTo(0.2544122544, 9);
  });

  it.each([
    // Fully separated samples: p = 2 / C(n+m, n), as wilcox.test(1:3, 4:6) and wilcox.test(1:4, 5:8) report.
    { baseline: [1, 2, 3], canary: [4, 5, 6], u: 9, pValue: 2 / 20 },
    { baseline: [1, 2, 3, 4], canary: [5, 6, 7, 8], u: 16, pValue: 2 / 70 },
    { baseline: [5, 6, 7, 8], canary: [1, 2, 3, 4], u: 0, pValue: 2 / 70 },
  ])('p = $pValue for fully separated samples of U = $u', ({ baseline, canary, u, pValue }) => {
    const sut = mannWhitneyU(baseline, canary);
    expect(sut.u).toBe(u);
    expect(sut.pValue).toBeCloseTo(pValue, 12);
  });

  it('uses the tie-corrected normal approximation with continuity correction when values tie', () => {
    // scipy.stats.mannwhitneyu(canary, baseline, method="asymptotic", use_continuity=True) → U = 64.5, p = 0.006373133838.
    const sut = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7, 8]);
    expect(sut).toMatchObject({ u: 64.5, method: 'normal', ties: true });
    expect(sut.pValue).toBeCloseTo(0.006373133838, 6);
  });

  it('uses the normal approximation from 50 values per side on', () => {
    // U = Σ min(60, j + 8) = 2222, σ² = 60·60·121/12; scipy (asymptotic, continuity) → p = 0.026945856.
    const baseline = Array.from({ length: 60 }, (_, i) => i);
    const canary = Array.from({ length: 60 }, (_, i) => i + 7.5);
    const sut = mannWhitneyU(baseline, canary);
    expect(sut).toMatchObject({ u: 2222, method: 'normal', ties: false });
    expect(sut.z).toBeCloseTo((2222 - 1800 - 0.5) / Math.sqrt(36300), 9);
    expect(sut.pValue).toBeCloseTo(0.026945856, 6);
  });

  it('finds no evidence at all when every value is the same', () => {
    expect(mannWhitneyU([4, 4, 4], [4, 4])).toMatchObject({ u: 3, pValue: 1, method: 'normal' });
  });

  it('refuses an empty side', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1], [])).toThrow(RangeError);
  });
});

describe(exactMannWhitneyDistribution.name, () => {
  it.each([
    [1, 1],
    [3, 3],
    [4, 6],
    [6, 4],
    [5, 7],
  ])('matches the enumerated distribution of U for %i baseline × %i canary values', (baselineSize, canarySize) => {
    const sut = Array.from(exactMannWhitneyDistribution(baselineSize, canarySize));
    const expected = enumeratedDistribution(baselineSize, canarySize);
    expect(sut).toHaveLength(expected.length);
    sut.forEach((probability, u) => expect(probability).toBeCloseTo(expected[u]!, 14));
  });

  it('is a symmetric probability distribution for sizes near the exact limit', () => {
    const sut = exactMannWhitneyDistribution(49, 40);
    expect(sut.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
    expect(sut[0]).toBeGreaterThan(0);
    for (let u = 0; u < sut.length; u += 1) expect(sut[u]).toBeCloseTo(sut[sut.length - 1 - u]!, 15);
  });

  it('refuses sizes that are not non-negative integers', () => {
    expect(() => exactMannWhitneyDistribution(-1, 3)).toThrow('baselineSize');
    expect(() => exactMannWhitneyDistribution(2, 1.5)).toThrow('canarySize');
  });
});
