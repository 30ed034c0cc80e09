import { gaussianTail } from '../detectors/gaussian-tail';
import { normalQuantile } from '../forecast/normal';

/** Bad events out of a total, e.g. failed requests out of all requests of one side in a window. */
export interface EventCounts {
  readonly errors: number;
  readonly total: number;
}

export interface RateInterval {
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
}

/**
 * Below this expected count in any cell of the 2×2 table the normal approximation behind the z
 * test is poor (the textbook rule of 5), so the exact test takes over.
 */
export const MINIMUM_EXPECTED_COUNT = 5;

export type ProportionTestName = 'two-proportion-z' | 'fisher-exact';

export interface ProportionTestResult {
  readonly test: ProportionTestName;
  /** Two-sided p-value of "same rate". */
  readonly pValue: number;
  readonly baselineRate: number;
  readonly canaryRate: number;
  /** canary rate − baseline rate. */
  readonly difference: number;
  /** canary rate / baseline rate; null when the baseline rate is 0. */
  readonly ratio: number | null;
  /** Newcombe's hybrid score interval for the difference. */
  readonly interval: RateInterval;
}

/**
 * Compares the canary's event rate with the baseline's: the pooled two-proportion z test when every
 * expected cell count is at least {@link MINIMUM_EXPECTED_COUNT}, Fisher's exact test otherwise.
 */
export function compareProportions(baseline: EventCounts, canary: EventCounts, confidence: number): ProportionTestResult {
  assertCounts(baseline, 'baseline');
  assertCounts(canary, 'canary');
  const baselineRate = baseline.errors / baseline.total;
  const canaryRate = canary.errors / canary.total;
  const pooledErrors = baseline.errors + canary.errors;
  const pooledTotal = baseline.total + canary.total;
  const smallestExpected =
    (Math.min(baseline.total, canary.total) * Math.min(pooledErrors, pooledTotal - pooledErrors)) / pooledTotal;
  const exact = smallestExpected < MINIMUM_EXPECTED_COUNT;
  return {
    test: exact ? 'fisher-exact' : 'two-proportion-z',
    pValue: exact ? fisherExact(baseline, canary) : twoProportionZ(baseline, canary).pValue,
    baselineRate,
    canaryRate,
    difference: canaryRate - baselineRate,
    ratio: baselineRate === 0 ? null : canaryRate / baselineRate,
    interval: newcombeDifferenceInterval(baseline, canary, confidence),
  };
}

/** Pooled two-proportion z test, two-sided: z = (p̂c − p̂b) / √(p̂(1−p̂)(1/nb + 1/nc)). */
export function twoProportionZ(baseline: EventCounts, canary: EventCounts): { z: number; pValue: number } {
  assertCounts(baseline, 'baseline');
  assertCounts(canary, 'canary');
  const pooled = (baseline.errors + canary.errors) / (baseline.total + canary.total);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.total + 1 / canary.total));
  // Both sides all-error or all-success: identical rates, nothing to test.
  if (standardError === 0) return { z: 0, pValue: 1 };
  const z = (canary.errors / canary.total - baseline.errors / baseline.total) / standardError;
  return { z, pValue: Math.min(1, 2 * gaussianTail(Math.abs(z))) };
}

/** R's fisher.test tolerance: tables as likely as the observed one within this relative error count as "as extreme". */
const FISHER_RELATIVE_TOLERANCE = 1e-7;

/**
 * Fisher's exact test on the 2×2 table [[baseline errors, baseline successes], [canary errors,
 * canary successes]], two-sided: the sum of the hypergeometric probabilities of every table with
 * the same margins that is no more likely than the observed one. Probabilities are built in log
 * space by the ratio recurrence P(x+1)/P(x) and normalised with log-sum-exp, so large totals with
 * few errors neither overflow nor need factorials.
 */
export function fisherExact(baseline: EventCounts, canary: EventCounts): number {
  assertCounts(baseline, 'baseline');
  assertCounts(canary, 'canary');
  const errors = baseline.errors + canary.errors;
  const lowest = Math.max(0, errors - canary.total);
  const highest = Math.min(errors, baseline.total);
  // logWeights[k] ∝ log P(baseline errors = lowest + k) given the margins.
  const logWeights = [0];
  for (let x = lowest; x < highest; x += 1) {
    const ratio = ((errors - x) * (baseline.total - x)) / ((x + 1) * (canary.total - errors + x + 1));
    logWeights.push(logWeights[logWeights.length - 1] + Math.log(ratio));
  }
  const peak = logWeights.reduce((max, value) => Math.max(max, value), Number.NEGATIVE_INFINITY);
  const logNormaliser = peak + Math.log(logWeights.reduce((sum, value) => sum + Math.exp(value - peak), 0));
  const observed = logWeights[baseline.errors - lowest];
  const threshold = observed + Math.log1p(FISHER_RELATIVE_TOLERANCE);
  let pValue = 0;
  for (const logWeight of logWeights) if (logWeight <= threshold) pValue += Math.exp(logWeight - logNormaliser);
  return Math.min(1, pValue);
}

/** Wilson score interval for one rate: keeps inside [0, 1] and behaves at 0 and 1, unlike Wald. */
export function wilsonInterval(counts: EventCounts, confidence: number): RateInterval {
  assertCounts(counts, 'counts');
  const z = normalQuantile(0.5 + confidence / 2);
  const rate = counts.errors / counts.total;
  const zSquaredOverN = (z * z) / counts.total;
  const centre = (rate + zSquaredOverN / 2) / (1 + zSquaredOverN);
  const halfWidth = (z / (1 + zSquaredOverN)) * Math.sqrt((rate * (1 - rate)) / counts.total + zSquaredOverN / (4 * counts.total));
  return { lower: Math.max(0, centre - halfWidth), upper: Math.min(1, centre + halfWidth), confidence };
}

/**
 * Newcombe's hybrid score interval (1998, method 10) for canary rate − baseline rate, combining
 * the two Wilson intervals; good coverage even with zero counts, where the Wald interval collapses.
 */
export function newcombeDifferenceInterval(baseline: EventCounts, canary: EventCounts, confidence: number): RateInterval {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0,1), got ${confidence}`);
  const baselineRate = baseline.errors / baseline.total;
  const canaryRate = canary.errors / canary.total;
  const baselineWilson = wilsonInterval(baseline, confidence);
  const canaryWilson = wilsonInterval(canary, confidence);
  const difference = canaryRate - baselineRate;
  return {
    lower: difference - Math.hypot(canaryRate - canaryWilson.lower, baselineWilson.upper - baselineRate),
    upper: difference + Math.hypot(canaryWilson.upper - canaryRate, baselineRate - baselineWilson.lower),
    confidence,
  };
}

function assertCounts(counts: EventCounts, name: string): void {
  const { errors, total } = counts;
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`${name}.total must be a positive integer, got ${total}`);
  if (!Number.isInteger(errors) || errors < 0 || errors > total) throw new RangeError(`${name}.errors must be an integer in [0, ${total}], got ${errors}`);
}
