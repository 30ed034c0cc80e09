import { gaussianTail } from '../detectors/gaussian-tail';

/**
 * Below this size on both sides, and without ties, the p-value comes from the exact null
 * distribution of U; above it (or with ties) from the normal approximation. R's wilcox.test uses
 * the same rule (`exact` when both samples have fewer than 50 values and no ties), so its p-values
 * can be quoted as reference values.
 */
export const EXACT_MANN_WHITNEY_LIMIT = 50;

export type MannWhitneyMethod = 'exact' | 'normal';

export interface MannWhitneyResult {
  /** U of the canary: pairs where the canary value is above the baseline value, ties counting ½. */
  readonly u: number;
  /** Two-sided p-value of "same distribution" against a location shift either way. */
  readonly pValue: number;
  readonly method: MannWhitneyMethod;
  /** Standardised U (with continuity and tie corrections) for the normal method; null for exact. */
  readonly z: number | null;
  /** Whether any value occurs more than once in the pooled sample. */
  readonly ties: boolean;
}

interface PooledRanks {
  /** Sum of the mid-ranks of the canary values in the pooled sample. */
  readonly canaryRankSum: number;
  /** Σ (t³ − t) over groups of t tied values: the variance correction for ties. */
  readonly tieCorrection: number;
}

/**
 * Mid-ranks of the pooled sample by merging the two sorted samples (O(N) after the sorts): tied
 * values share the mean of the ranks they span, which keeps U unbiased under ties.
 */
function rankPooled(sortedBaseline: Float64Array, sortedCanary: Float64Array): PooledRanks {
  let canaryRankSum = 0;
  let tieCorrection = 0;
  let i = 0;
  let j = 0;
  let rank = 0;
  while (i < sortedBaseline.length || j < sortedCanary.length) {
    const value = j >= sortedCanary.length || (i < sortedBaseline.length && sortedBaseline[i] <= sortedCanary[j]) ? sortedBaseline[i] : sortedCanary[j];
    let tiedBaseline = 0;
    let tiedCanary = 0;
    while (i < sortedBaseline.length && sortedBaseline[i] === value) {
      tiedBaseline += 1;
      i += 1;
    }
    while (j < sortedCanary.length && sortedCanary[j] === value) {
      tiedCanary += 1;
      j += 1;
    }
    const tied = tiedBaseline + tiedCanary;
    canaryRankSum += tiedCanary * (rank + (tied + 1) / 2);
    tieCorrection += tied * tied * tied - tied;
    rank += tied;
  }
  return { canaryRankSum, tieCorrection };
}

/**
 * The exact null distribution of U for `baseline` × `canary` sizes without ties, as probabilities
 * indexed by U = 0 … n·m. Recursion on the largest pooled value: with probability m/(n+m) it is a
 * canary value and beats all n baseline values (U = n + U′ on n, m−1); otherwise it is a baseline
 * value and adds nothing (U = U′ on n−1, m). Probabilities rather than counts, so nothing overflows.
 */
export function exactMannWhitneyDistribution(baselineSize: number, canarySize: number): Float64Array {
  assertSize(baselineSize, 'baselineSize');
  assertSize(canarySize, 'canarySize');
  // column[i] holds the distribution for (i baseline, j canary) values, for the current j.
  let column: Float64Array[] = Array.from({ length: baselineSize + 1 }, () => Float64Array.of(1));
  for (let j = 1; j <= canarySize; j += 1) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= baselineSize; i += 1) {
      const withCanaryOnTop = column[i]; // (i, j−1): support 0 … i·(j−1)
      const withBaselineOnTop = next[i - 1]; // (i−1, j): support 0 … (i−1)·j
      const distribution = new Float64Array(i * j + 1);
      const canaryShare = j / (i + j);
      for (let u = 0; u < withCanaryOnTop.length; u += 1) distribution[u + i] += canaryShare * withCanaryOnTop[u];
      for (let u = 0; u < withBaselineOnTop.length; u += 1) distribution[u] += (1 - canaryShare) * withBaselineOnTop[u];
      next.push(distribution);
    }
    column = next;
  }
  return column[baselineSize];
}

/** P(U ≤ u) under the exact null distribution. */
function cumulative(distribution: Float64Array, u: number): number {
  let total = 0;
  for (let k = 0; k <= Math.min(u, distribution.length - 1); k += 1) total += distribution[k];
  return total;
}

/**
 * Two-sided Mann–Whitney U test (Wilcoxon rank-sum) of canary against baseline. Exact for small
 * samples without ties; otherwise the normal approximation with the tie-corrected variance and a
 * continuity correction of ½ towards the mean, as R's wilcox.test(correct = TRUE) does.
 */
export function mannWhitneyU(baseline: readonly number[], canary: readonly number[]): MannWhitneyResult {
  return mannWhitneyUOfSorted(Float64Array.from(baseline).sort(), Float64Array.from(canary).sort());
}

/** {@link mannWhitneyU} on samples already sorted ascending, for callers that sort once for several statistics. */
export function mannWhitneyUOfSorted(sortedBaseline: Float64Array, sortedCanary: Float64Array): MannWhitneyResult {
  const n = sortedBaseline.length;
  const m = sortedCanary.length;
  if (n === 0 || m === 0) throw new RangeError('mannWhitneyU: both samples need at least one value');
  const { canaryRankSum, tieCorrection } = rankPooled(sortedBaseline, sortedCanary);
  const u = canaryRankSum - (m * (m + 1)) / 2;
  const ties = tieCorrection > 0;
  const mean = (n * m) / 2;

  if (!ties && n < EXACT_MANN_WHITNEY_LIMIT && m < EXACT_MANN_WHITNEY_LIMIT) {
    const distribution = exactMannWhitneyDistribution(n, m);
    // The distribution is symmetric about n·m/2, so doubling the nearer tail is the two-sided p.
    const tail = u > mean ? 1 - cumulative(distribution, u - 1) : cumulative(distribution, u);
    return { u, pValue: Math.min(1, 2 * tail), method: 'exact', z: null, ties };
  }

  const pooledSize = n + m;
  const variance = ((n * m) / 12) * (pooledSize + 1 - tieCorrection / (pooledSize * (pooledSize - 1)));
  // Every pooled value equal: no ordering information at all, so no evidence of a shift.
  if (!(variance > 0)) return { u, pValue: 1, method: 'normal', z: 0, ties };
  const deviation = u - mean;
  const z = (deviation - Math.sign(deviation) * 0.5) / Math.sqrt(variance);
  return { u, pValue: Math.min(1, 2 * gaussianTail(Math.abs(z))), method: 'normal', z, ties };
}

function assertSize(size: number, name: string): void {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`exactMannWhitneyDistribution: ${name} must be a non-negative integer, got ${size}`);
}
