import { normalQuantile } from '../forecast/normal';
import { EXACT_MANN_WHITNEY_LIMIT, exactMannWhitneyDistribution } from './mann-whitney';

/** A distribution-free interval for the shift, with the coverage it actually achieves. */
export interface ShiftInterval {
  readonly lower: number;
  readonly upper: number;
  /**
   * Coverage: for the exact method the one achieved (the discrete U distribution cannot hit the
   * requested level exactly, and 3 vs 3 values reach at most 90 %); for the normal one, the level
   * requested, which the approximation meets to within its accuracy.
   */
  readonly confidence: number;
}

export interface HodgesLehmannResult {
  /** Median of all pairwise differences canary − baseline: the shift that best aligns the two. */
  readonly shift: number;
  readonly interval: ShiftInterval;
}

/**
 * When no more than this many pairwise differences (times n + m) remain between the bisection
 * bounds, they are listed and sorted; above it the bracket keeps halving. The bound keeps memory
 * O(n + m) while the full matrix (25 M differences for 5 000 × 5 000) is never built.
 */
const CANDIDATE_LIMIT_FACTOR = 1;

/**
 * The k-th smallest (1-based) of the n·m differences canary[j] − baseline[i], both inputs sorted
 * ascending. Bisection on the value with a two-pointer count (O(n + m) per step) until few
 * candidates remain between the bounds, which are then listed and sorted: exact, O((n + m)·steps)
 * time and O(n + m) memory. Differences are evaluated with the same floating-point subtraction
 * everywhere, so counting and listing agree.
 */
export function kthPairwiseDifference(sortedBaseline: ArrayLike<number>, sortedCanary: ArrayLike<number>, k: number): number {
  const n = sortedBaseline.length;
  const m = sortedCanary.length;
  if (n === 0 || m === 0) throw new RangeError('kthPairwiseDifference: both samples need at least one value');
  if (!Number.isInteger(k) || k < 1 || k > n * m) throw new RangeError(`kthPairwiseDifference: k must be an integer in [1, ${n * m}], got ${k}`);

  /** Number of differences ≤ limit. For fixed j, canary[j] − baseline[i] ≤ limit holds from some i on; that i never decreases with j. */
  const countAtMost = (limit: number): number => {
    let count = 0;
    let first = 0;
    for (let j = 0; j < m; j += 1) {
      const value = sortedCanary[j];
      while (first < n && value - sortedBaseline[first] > limit) first += 1;
      count += n - first;
    }
    return count;
  };

  let low = sortedCanary[0] - sortedBaseline[n - 1];
  let countLow = countAtMost(low);
  if (countLow >= k) return low;
  let high = sortedCanary[m - 1] - sortedBaseline[0];
  let countHigh = n * m;
  // Invariant: countLow < k ≤ countHigh, so the answer lies in (low, high]. (Interpolating the count
  // instead of halving measured no faster on latency-like samples.)
  while (countHigh - countLow > CANDIDATE_LIMIT_FACTOR * (n + m)) {
    const middle = low + (high - low) / 2;
    // Adjacent doubles: every difference left in (low, high] equals high.
    if (middle <= low || middle >= high) return high;
    const countMiddle = countAtMost(middle);
    if (countMiddle >= k) {
      high = middle;
      countHigh = countMiddle;
    } else {
      low = middle;
      countLow = countMiddle;
    }
  }

  const candidates = new Float64Array(countHigh - countLow);
  let listed = 0;
  let first = 0;
  let last = 0;
  for (let j = 0; j < m; j += 1) {
    const value = sortedCanary[j];
    while (first < n && value - sortedBaseline[first] > high) first += 1;
    while (last < n && value - sortedBaseline[last] > low) last += 1;
    // Indices first … last−1 give differences in (low, high].
    for (let i = first; i < last; i += 1) candidates[listed++] = value - sortedBaseline[i];
  }
  // A typed array sorts numerically without a comparator, much faster than Array#sort.
  return candidates.sort()[k - countLow - 1];
}

/**
 * Hodges–Lehmann shift of canary against baseline and its Moses interval: the order statistics
 * of the pairwise differences at ranks C and n·m + 1 − C, where C comes from the lower α/2
 * critical value of U (exact for small samples without ties, otherwise its normal approximation,
 * C = ⌊n·m/2 − z·√(n·m·(n+m+1)/12)⌋, clamped to at least 1).
 */
export function hodgesLehmann(baseline: readonly number[], canary: readonly number[], confidence: number): HodgesLehmannResult {
  return hodgesLehmannOfSorted(Float64Array.from(baseline).sort(), Float64Array.from(canary).sort(), confidence);
}

/** {@link hodgesLehmann} on samples already sorted ascending. */
export function hodgesLehmannOfSorted(sortedBaseline: Float64Array, sortedCanary: Float64Array, confidence: number): HodgesLehmannResult {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`hodgesLehmann: confidence must be in (0,1), got ${confidence}`);
  const n = sortedBaseline.length;
  const m = sortedCanary.length;
  if (n === 0 || m === 0) throw new RangeError('hodgesLehmann: both samples need at least one value');
  const pairs = n * m;
  const select = (k: number): number => kthPairwiseDifference(sortedBaseline, sortedCanary, k);

  const middle = Math.ceil(pairs / 2);
  const shift = pairs % 2 === 1 ? select(middle) : (select(middle) + select(middle + 1)) / 2;

  const { rank, achieved } = lowerCriticalRank(sortedBaseline, sortedCanary, confidence);
  return { shift, interval: { lower: select(rank), upper: select(pairs + 1 - rank), confidence: achieved } };
}

function lowerCriticalRank(sortedBaseline: Float64Array, sortedCanary: Float64Array, confidence: number): { rank: number; achieved: number } {
  const n = sortedBaseline.length;
  const m = sortedCanary.length;
  const alpha = 1 - confidence;
  if (n < EXACT_MANN_WHITNEY_LIMIT && m < EXACT_MANN_WHITNEY_LIMIT && !hasTies(sortedBaseline, sortedCanary)) {
    // Smallest q with P(U ≤ q) ≥ α/2 (R's qwilcox); the interval [D(q), D(nm+1−q)] then covers
    // with probability 1 − 2·P(U ≤ q − 1) ≥ 1 − α.
    const distribution = exactMannWhitneyDistribution(n, m);
    let below = 0;
    let q = 0;
    while (below + distribution[q] < alpha / 2) {
      below += distribution[q];
      q += 1;
    }
    // q = 0 means even the widest interval [D(1), D(nm)] misses the requested level.
    const rank = Math.max(1, q);
    const tailBelowRank = rank === q ? below : distribution[0];
    return { rank, achieved: 1 - 2 * tailBelowRank };
  }
  // Rounding the rank down widens the interval: the normal approximation errs on the safe side.
  const z = normalQuantile(1 - alpha / 2);
  const rank = Math.max(1, Math.floor((n * m) / 2 - z * Math.sqrt((n * m * (n + m + 1)) / 12)));
  return { rank, achieved: confidence };
}

function hasTies(sortedBaseline: Float64Array, sortedCanary: Float64Array): boolean {
  const pooled = Float64Array.of(...sortedBaseline, ...sortedCanary).sort();
  return pooled.some((value, index) => index > 0 && value === pooled[index - 1]);
}
