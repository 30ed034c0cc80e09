import { gaussianTail } from '../detectors/gaussian-tail';
import { normalQuantile } from '../forecast/normal';
import { HodgesLehmannResult } from './hodges-lehmann';
import { MannWhitneyResult } from './mann-whitney';

/**
 * Samples given as a histogram: each distinct value (ascending) and how many observations it
 * stands for. What a gateway's request latencies become once bucketed: thousands of requests in a
 * few dozen values, judged request by request without listing every request.
 */
export interface GroupedSamples {
  readonly values: readonly number[];
  readonly counts: readonly number[];
}

/** Distinct values a side keeps before neighbours are merged, so pairwise work stays under ~10⁶. */
export const MAX_GROUPED_VALUES = 1_000;

export function isGroupedSamples(value: unknown): value is GroupedSamples {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as GroupedSamples).values) && Array.isArray((value as GroupedSamples).counts);
}

/** Total observations of a grouped sample. */
export function groupedCount(samples: GroupedSamples): number {
  return samples.counts.reduce((sum, count) => sum + count, 0);
}

/** The median value (lower middle on an even count), or null when empty. */
export function groupedMedian(samples: GroupedSamples): number | null {
  const total = groupedCount(samples);
  if (total === 0) return null;
  return groupedQuantileAtRank(samples.values, samples.counts, Math.ceil(total / 2));
}

function groupedQuantileAtRank(values: readonly number[], counts: readonly number[], rank: number): number {
  let seen = 0;
  for (let index = 0; index < values.length; index += 1) {
    seen += counts[index];
    if (seen >= rank) return values[index];
  }
  return values[values.length - 1];
}

/**
 * Mann–Whitney U on grouped samples: every value of a group ties with the others of its group, so
 * ranks are mid-ranks and the variance carries the tie correction, as for raw samples with ties
 * (the normal approximation with continuity correction, R's wilcox.test(correct = TRUE)). Equal
 * to {@link mannWhitneyU} on the expanded samples, in O(distinct values).
 */
export function mannWhitneyUOfGroups(baseline: GroupedSamples, canary: GroupedSamples): MannWhitneyResult {
  const n = groupedCount(baseline);
  const m = groupedCount(canary);
  if (n === 0 || m === 0) throw new RangeError('mannWhitneyUOfGroups: both samples need at least one observation');
  let canaryRankSum = 0;
  let tieCorrection = 0;
  let rank = 0;
  let i = 0;
  let j = 0;
  while (i < baseline.values.length || j < canary.values.length) {
    const value = j >= canary.values.length || (i < baseline.values.length && baseline.values[i] <= canary.values[j]) ? baseline.values[i] : canary.values[j];
    let tiedBaseline = 0;
    let tiedCanary = 0;
    while (i < baseline.values.length && baseline.values[i] === value) tiedBaseline += baseline.counts[i++];
    while (j < canary.values.length && canary.values[j] === value) tiedCanary += canary.counts[j++];
    const tied = tiedBaseline + tiedCanary;
    canaryRankSum += tiedCanary * (rank + (tied + 1) / 2);
    tieCorrection += tied * tied * tied - tied;
    rank += tied;
  }
  const u = canaryRankSum - (m * (m + 1)) / 2;
  const pooled = n + m;
  const variance = ((n * m) / 12) * (pooled + 1 - tieCorrection / (pooled * (pooled - 1)));
  const ties = tieCorrection > 0;
  if (!(variance > 0)) return { u, pValue: 1, method: 'normal', z: 0, ties };
  const deviation = u - (n * m) / 2;
  const z = (deviation - Math.sign(deviation) * 0.5) / Math.sqrt(variance);
  return { u, pValue: Math.min(1, 2 * gaussianTail(Math.abs(z))), method: 'normal', z, ties };
}

/**
 * Hodges–Lehmann shift of grouped samples (the weighted median of the pairwise differences
 * canary − baseline, each pair of values weighing the product of their counts) and its Moses
 * interval from the normal approximation of U. Sides with more than {@link MAX_GROUPED_VALUES}
 * distinct values are coarsened first by merging neighbours.
 */
export function hodgesLehmannOfGroups(baselineInput: GroupedSamples, canaryInput: GroupedSamples, confidence: number): HodgesLehmannResult {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`hodgesLehmannOfGroups: confidence must be in (0,1), got ${confidence}`);
  const baseline = coarsen(baselineInput, MAX_GROUPED_VALUES);
  const canary = coarsen(canaryInput, MAX_GROUPED_VALUES);
  const n = groupedCount(baseline);
  const m = groupedCount(canary);
  if (n === 0 || m === 0) throw new RangeError('hodgesLehmannOfGroups: both samples need at least one observation');
  const size = baseline.values.length * canary.values.length;
  const differences = new Float64Array(size);
  const weights = new Float64Array(size);
  let position = 0;
  for (let b = 0; b < baseline.values.length; b += 1) {
    for (let c = 0; c < canary.values.length; c += 1) {
      differences[position] = canary.values[c] - baseline.values[b];
      weights[position] = canary.counts[c] * baseline.counts[b];
      position += 1;
    }
  }
  const order = Array.from({ length: size }, (_, index) => index).sort((left, right) => differences[left] - differences[right]);
  const pairs = n * m;
  // The k-th smallest difference (1-based) counting each pair of observations once.
  const select = (k: number): number => {
    let seen = 0;
    for (const index of order) {
      seen += weights[index];
      if (seen >= k) return differences[index];
    }
    return differences[order[order.length - 1]];
  };
  const middle = Math.ceil(pairs / 2);
  const shift = pairs % 2 === 1 ? select(middle) : (select(middle) + select(middle + 1)) / 2;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const rank = Math.max(1, Math.floor(pairs / 2 - z * Math.sqrt((pairs * (n + m + 1)) / 12)));
  return { shift, interval: { lower: select(rank), upper: select(pairs + 1 - rank), confidence } };
}

/** Merges neighbouring values (count-weighted mean) until at most `limit` remain. */
function coarsen(samples: GroupedSamples, limit: number): GroupedSamples {
  const nonEmpty = samples.values.map((value, index) => ({ value, count: samples.counts[index] })).filter((entry) => entry.count > 0);
  if (nonEmpty.length <= limit) return { values: nonEmpty.map((entry) => entry.value), counts: nonEmpty.map((entry) => entry.count) };
  const span = Math.ceil(nonEmpty.length / limit);
  const values: number[] = [];
  const counts: number[] = [];
  for (let start = 0; start < nonEmpty.length; start += span) {
    const chunk = nonEmpty.slice(start, start + span);
    const count = chunk.reduce((sum, entry) => sum + entry.count, 0);
    values.push(chunk.reduce((sum, entry) => sum + entry.value * entry.count, 0) / count);
    counts.push(count);
  }
  return { values, counts };
}
