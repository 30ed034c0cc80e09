/**
 * An always-valid confidence sequence for the mean of a stream of block statistics (Robbins'
 * normal mixture): with S_n the sum of n observations centred on θ and σ² the variance of one,
 * `|S_n| ≥ √(σ²(n + n₀)·(2·ln(1/α) + ln(1 + n/n₀)))` happens at any n, however often one looks,
 * with probability at most α. Watching it after every block therefore does not inflate the error
 * rate, where a fixed-sample test looked at repeatedly does. `n₀` is the number of blocks at which
 * the boundary is tightest; it changes the width, not the validity.
 */
export function mixtureRadius(count: number, variance: number, alpha: number, tightestAt: number): number {
  if (count <= 0) return Number.POSITIVE_INFINITY;
  return Math.sqrt(variance * (count + tightestAt) * (2 * Math.log(1 / alpha) + Math.log(1 + count / tightestAt))) / count;
}

/**
 * The smallest α at which {@link mixtureRadius} excludes 0 after `count` observations of mean
 * `mean`: |mean| > mixtureRadius(count, variance, α, tightestAt) exactly when α is above it. It is
 * 1 / the mixture's likelihood ratio √(n₀/(n + n₀))·exp(S²/(2σ²(n + n₀))), S = n·mean, a
 * nonnegative martingale under θ = 0: by Ville's inequality it ever falls to α with chance at most
 * α, so it is an always-valid (two-sided) p-value of θ = 0. Capped at 1.
 */
export function mixturePValue(count: number, variance: number, mean: number, tightestAt: number): number {
  if (count <= 0) return 1;
  // No spread at all: the radius is 0, and any shift is excluded at every α.
  if (!(variance > 0)) return mean === 0 ? 1 : 0;
  const sum = count * mean;
  const logP = 0.5 * Math.log1p(count / tightestAt) - (sum * sum) / (2 * variance * (count + tightestAt));
  return Math.min(1, Math.exp(logP));
}

/** Sample mean, variance and lag-1 autocorrelation of a series (population-free: n − 1 in the variance). */
export function seriesMoments(values: readonly number[]): { mean: number; variance: number; lag1: number } {
  const count = values.length;
  if (count === 0) return { mean: Number.NaN, variance: Number.NaN, lag1: 0 };
  const mean = values.reduce((sum, value) => sum + value, 0) / count;
  let squares = 0;
  let products = 0;
  for (let index = 0; index < count; index += 1) {
    const deviation = values[index] - mean;
    squares += deviation * deviation;
    if (index > 0) products += deviation * (values[index - 1] - mean);
  }
  return { mean, variance: count > 1 ? squares / (count - 1) : Number.NaN, lag1: squares > 0 ? products / squares : 0 };
}

/**
 * Variance of one block statistic as it enters a mean of many: the sample variance times the AR(1)
 * long-run factor (1 + r)/(1 − r) of the lag-1 autocorrelation r (clipped to [0, maxLag1]): with
 * autocorrelated blocks the effective number of independent blocks is that factor smaller. Never
 * below `floor`, the variance the blocks would have if their requests were independent: a short
 * series can look calmer than it is, not the other way round.
 */
export function longRunVariance(values: readonly number[], floor: number, maxLag1 = 0.9): number {
  const { variance, lag1 } = seriesMoments(values);
  if (!Number.isFinite(variance)) return floor;
  const r = Math.min(Math.max(lag1, 0), maxLag1);
  return Math.max(variance * ((1 + r) / (1 - r)), floor);
}
