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
 * Mid-ranks of the pooled sample, sorted once (O(N log N)): tied values share the mean of the
 * ranks they span, which keeps U unbiased under ties.
 */
function rankPooled(baseline: readonly number[], canary: readonly number[]): PooledRanks {
  const pooled = [...baseline.map((value) => ({ value, canary: false })), ...canary.map((value) => ({ value, canary: true }))];
  pooled.sort((a, b) => a.value - b.value);
  let canaryRankSum = 0;
  let tieCorrection = 0;
  for (let start = 0; start < pooled.length; ) {
    let end = start + 1;
    while (end < pooled.length && pooled[end]!.value === pooled[start]!.value) end += 1;
    const tied = end - start;
    const midRank = (start + 1 + end) / 2;
    for (let index = start; index < end; index += 1) if (pooled[index]!.canary) canaryRankSum += midRank;
    tieCorrection += tied * tied * tied - tied;
    start = end;
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
      const withCanaryOnTop = column[i]!; // (i, j−1): support 0 … i·(j−1)
      const withBaselineOnTop = next[i - 1]!; // (i−1, j): support 0 … (i−1)·j
      const distribution = new Float64Array(i * j + 1);
      const canaryShare = j / (i + j);
      for (let u = 0; u < withCanaryOnTop.length; u += 1) distribution[u + i]! += canaryShare * withCanaryOnTop[u]!;
      for (let u = 0; u < withBaselineOnTop.length; u += 1) distribution[u]! += (1 - canaryShare) * withBaselineOnTop[u]!;
      next.push(distribution);
    }
    column = next;
  }
  return column[baselineSize]!;
}

/** P(U ≤ u) under the exact null distribution. */
function cumulative(distribution: Float64Array, u: number): number {
  let total = 0;
  for (let k = 0; k <= Math.min(u, distribution.length - 1); k += 1) total += distribution[k]!;
  return total;
}

/**
 * Two-sided Mann–Whitney U test (Wilcoxon rank-sum) of canary against baseline. Exact for small
 * samples without ties; otherwise the normal approximation with the tie-corrected variance and a
 * continuity correction of ½ towards the mean, as R's wilcox.test(correct = TRUE) does.
 */
export function mannWhitneyU(baseline: readonly number[], canary: readonly number[]): MannWhitneyResult {
  const n = baseline.length;
  const m = canary.length;
  if (n === 0 || m === 0) throw new RangeError('mannWhitneyU: both samples need at least one value');
  const { canaryRankSum, tieCorrection } = rankPooled(baseline, canary);
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
