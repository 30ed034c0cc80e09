import { hodgesLehmannOfSorted } from './hodges-lehmann';
import { holmAdjust } from './holm';
import { BadDirection, JudgeConfig, JudgeConfigInput, MetricConfig, parseJudgeConfig } from './judge-config';
import { mannWhitneyUOfSorted } from './mann-whitney';
import { compareProportions, EventCounts } from './proportions';
import { formatNumber, formatP, formatPercent, formatSigned } from './judge-format';
import { GroupedSamples, groupedCount, groupedMedian, hodgesLehmannOfGroups, isGroupedSamples, mannWhitneyUOfGroups } from './grouped-samples';

/**
 * One metric of one side: raw samples (latencies, query times), grouped samples (a histogram of
 * request latencies: values with counts) or event counts (errors of requests).
 */
export type MetricObservation = readonly number[] | GroupedSamples | EventCounts;

/** Baseline and canary figures of the same window, keyed by metric name. Unconfigured names are ignored. */
export interface CanaryComparison {
  readonly baseline: Readonly<Record<string, MetricObservation | undefined>>;
  readonly canary: Readonly<Record<string, MetricObservation | undefined>>;
}

export type Verdict = 'pass' | 'marginal' | 'fail' | 'insufficient-data';

/** high/low: the canary differs significantly and beyond tolerance; pass: it does not. */
export type MetricClassification = 'pass' | 'high' | 'low' | 'insufficient';

export type MetricTest = 'mann-whitney-exact' | 'mann-whitney-normal' | 'two-proportion-z' | 'fisher-exact';

export interface EffectInterval {
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
}

interface MetricJudgementCommon {
  readonly name: string;
  readonly group: string;
  readonly critical: boolean;
  readonly direction: BadDirection;
  /** Share of the total weight (group weight split equally among its metrics), in [0, 1]. */
  readonly weight: number;
  /** Null when the metric was not tested (insufficient data). */
  readonly test: MetricTest | null;
  readonly pValue: number | null;
  /** The p-value the decision used: Holm-adjusted over the tested metrics, or the raw one. */
  readonly adjustedPValue: number | null;
  /** Hodges–Lehmann shift (continuous) or rate difference (proportion), canary − baseline. */
  readonly effect: number | null;
  /** Effect over the baseline median or rate; null when that is 0 or the metric was not tested. */
  readonly relativeEffect: number | null;
  readonly interval: EffectInterval | null;
  readonly classification: MetricClassification;
  /** A significant change beyond tolerance in the metric's bad direction. */
  readonly regression: boolean;
  /** One sentence an SRE can read: the figures behind the classification. */
  readonly reason: string;
}

export interface SampleSummary {
  readonly count: number;
  readonly median: number | null;
}

export interface RateSummary {
  readonly total: number;
  readonly errors: number;
  readonly rate: number | null;
}

export interface ContinuousJudgement extends MetricJudgementCommon {
  readonly kind: 'continuous';
  readonly baseline: SampleSummary;
  readonly canary: SampleSummary;
}

export interface ProportionJudgement extends MetricJudgementCommon {
  readonly kind: 'proportion';
  readonly baseline: RateSummary;
  readonly canary: RateSummary;
  /** canary rate / baseline rate; null when the baseline rate is 0 or the metric was not tested. */
  readonly rateRatio: number | null;
}

export type MetricJudgement = ContinuousJudgement | ProportionJudgement;

export interface GroupScore {
  readonly name: string;
  /** Share of the total weight, in [0, 1]. */
  readonly weight: number;
  /** Share of the group's tested metrics without regression, 0–100; null when none was tested. */
  readonly score: number | null;
}

export interface CanaryVerdict {
  readonly verdict: Verdict;
  /** Weighted share of tested metrics without regression, 0–100; null when none was tested. */
  readonly score: number | null;
  /** Weighted share of metrics with insufficient data, in [0, 1]. */
  readonly insufficientShare: number;
  /** Why the verdict is what it is, most decisive first. */
  readonly reasons: readonly string[];
  readonly confidence: number;
  readonly multipleComparisons: JudgeConfig['multipleComparisons'];
  readonly groups: readonly GroupScore[];
  readonly metrics: readonly MetricJudgement[];
}

/** Observations that cannot be judged (not the same as too few: those give insufficient data). */
export class JudgeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JudgeInputError';
  }
}

/** A metric after its test, before the family-wise decision. */
interface TestedMetric {
  readonly test: MetricTest;
  readonly pValue: number;
  readonly effect: number;
  /** Baseline median or rate: what tolerance and relative effect are measured against. */
  readonly reference: number;
  readonly interval: EffectInterval;
  readonly unit: 'value' | 'rate';
}

interface WeightedMetric {
  readonly config: MetricConfig;
  readonly group: string;
  readonly weight: number;
}

/**
 * Judges a canary against its baseline over the same window, metric by metric, then overall.
 *
 * Each metric is tested (Mann–Whitney U with a Hodges–Lehmann shift for samples; two-proportion z
 * or Fisher's exact for counts), the p-values are Holm-adjusted across the tested metrics, and a
 * metric regresses only if its change is significant at the configured confidence, beyond its
 * tolerance and in its bad direction. The verdict: a critical regression fails; a critical metric,
 * or too large a weighted share, without enough data is insufficient data; otherwise the weighted
 * share of metrics without regression is scored against the pass and marginal thresholds.
 */
export function judgeCanary(config: JudgeConfig | JudgeConfigInput, comparison: CanaryComparison): CanaryVerdict {
  const settings = parseJudgeConfig(config);
  const alpha = 1 - settings.confidence;
  const totalWeight = settings.groups.reduce((sum, group) => sum + group.weight, 0);
  const metrics: WeightedMetric[] = settings.groups.flatMap((group) =>
    group.metrics.map((metric) => ({ config: metric, group: group.name, weight: group.weight / group.metrics.length / totalWeight })),
  );

  const outcomes = metrics.map(({ config: metric }): TestOutcome => {
    const baseline = comparison.baseline[metric.name];
    const canary = comparison.canary[metric.name];
    return metric.kind === 'continuous'
      ? { kind: 'continuous', ...testSamples(metric, baseline, canary, settings.confidence) }
      : { kind: 'proportion', ...testCounts(metric, baseline, canary, settings.confidence) };
  });
  const tested = outcomes.flatMap((outcome, index) => (outcome.tested ? [{ index, pValue: outcome.tested.pValue }] : []));
  const rawPValues = tested.map(({ pValue }) => pValue);
  const adjustedPValues = settings.multipleComparisons === 'holm' ? holmAdjust(rawPValues) : rawPValues;
  // Aligned with `metrics`; NaN where a metric was not tested (and its p-value is never read).
  const decisionPValues = metrics.map(() => Number.NaN);
  tested.forEach(({ index }, position) => {
    decisionPValues[index] = adjustedPValues[position];
  });

  const judgements = metrics.map((metric, index): MetricJudgement => {
    const outcome = outcomes[index];
    const decision = outcome.tested ? decide(metric.config, outcome.tested, decisionPValues[index], alpha, settings.multipleComparisons) : insufficient(outcome.shortfall);
    const common = { name: metric.config.name, group: metric.group, critical: metric.config.critical, direction: metric.config.direction, weight: metric.weight, ...decision };
    return outcome.kind === 'continuous'
      ? { ...common, kind: 'continuous', baseline: outcome.baseline, canary: outcome.canary }
      : { ...common, kind: 'proportion', baseline: outcome.baseline, canary: outcome.canary, rateRatio: outcome.rateRatio };
  });

  return { ...overallVerdict(settings, judgements), confidence: settings.confidence, multipleComparisons: settings.multipleComparisons, metrics: judgements };
}

/** One side's summary and, when both sides had enough data, the test; otherwise why not. */
type SideOutcome<Summary> = { readonly baseline: Summary; readonly canary: Summary } & (
  | { readonly tested: TestedMetric; readonly shortfall?: undefined }
  | { readonly tested: null; readonly shortfall: string }
);

type TestOutcome =
  | ({ readonly kind: 'continuous' } & SideOutcome<SampleSummary>)
  | ({ readonly kind: 'proportion'; readonly rateRatio: number | null } & SideOutcome<RateSummary>);

function testSamples(metric: MetricConfig, baselineInput: MetricObservation | undefined, canaryInput: MetricObservation | undefined, confidence: number): SideOutcome<SampleSummary> {
  if (isGroupedSamples(baselineInput) || isGroupedSamples(canaryInput)) {
    return testGroupedSamples(metric, groupedOf(metric.name, 'baseline', baselineInput), groupedOf(metric.name, 'canary', canaryInput), confidence);
  }
  // Sorted once for the medians, the rank test and the shift estimate alike.
  const baseline = Float64Array.from(samplesOf(metric.name, 'baseline', baselineInput)).sort();
  const canary = Float64Array.from(samplesOf(metric.name, 'canary', canaryInput)).sort();
  const summary = (sorted: Float64Array): SampleSummary => ({ count: sorted.length, median: sorted.length === 0 ? null : medianOfSorted(sorted) });
  const sides = { baseline: summary(baseline), canary: summary(canary) };
  if (baseline.length < metric.minimumSamples || canary.length < metric.minimumSamples) {
    return { ...sides, tested: null, shortfall: `${baseline.length} baseline and ${canary.length} canary samples, ${metric.minimumSamples} per side required` };
  }
  const rankTest = mannWhitneyUOfSorted(baseline, canary);
  const { shift, interval } = hodgesLehmannOfSorted(baseline, canary, confidence);
  return {
    ...sides,
    tested: {
      test: rankTest.method === 'exact' ? 'mann-whitney-exact' : 'mann-whitney-normal',
      pValue: rankTest.pValue,
      effect: shift,
      reference: medianOfSorted(baseline),
      interval,
      unit: 'value',
    },
  };
}

/** The same tests on histograms: every observation counts, ties within a value are ranked as ties. */
function testGroupedSamples(metric: MetricConfig, baseline: GroupedSamples, canary: GroupedSamples, confidence: number): SideOutcome<SampleSummary> {
  const summary = (samples: GroupedSamples): SampleSummary => ({ count: groupedCount(samples), median: groupedMedian(samples) });
  const sides = { baseline: summary(baseline), canary: summary(canary) };
  if (sides.baseline.count < metric.minimumSamples || sides.canary.count < metric.minimumSamples) {
    return { ...sides, tested: null, shortfall: `${sides.baseline.count} baseline and ${sides.canary.count} canary samples, ${metric.minimumSamples} per side required` };
  }
  const rankTest = mannWhitneyUOfGroups(baseline, canary);
  const { shift, interval } = hodgesLehmannOfGroups(baseline, canary, confidence);
  return {
    ...sides,
    tested: { test: 'mann-whitney-normal', pValue: rankTest.pValue, effect: shift, reference: sides.baseline.median ?? 0, interval, unit: 'value' },
  };
}

function testCounts(
  metric: MetricConfig,
  baselineInput: MetricObservation | undefined,
  canaryInput: MetricObservation | undefined,
  confidence: number,
): SideOutcome<RateSummary> & { readonly rateRatio: number | null } {
  const baseline = countsOf(metric.name, 'baseline', baselineInput);
  const canary = countsOf(metric.name, 'canary', canaryInput);
  const summary = (counts: EventCounts): RateSummary => ({ total: counts.total, errors: counts.errors, rate: counts.total === 0 ? null : counts.errors / counts.total });
  const sides = { baseline: summary(baseline), canary: summary(canary) };
  if (baseline.total < metric.minimumSamples || canary.total < metric.minimumSamples) {
    return { ...sides, rateRatio: null, tested: null, shortfall: `${baseline.total} baseline and ${canary.total} canary requests, ${metric.minimumSamples} per side required` };
  }
  const rates = compareProportions(baseline, canary, confidence);
  return {
    ...sides,
    rateRatio: rates.ratio,
    tested: { test: rates.test, pValue: rates.pValue, effect: rates.difference, reference: rates.baselineRate, interval: rates.interval, unit: 'rate' },
  };
}

type Decision = Pick<MetricJudgementCommon, 'test' | 'pValue' | 'adjustedPValue' | 'effect' | 'relativeEffect' | 'interval' | 'classification' | 'regression' | 'reason'>;

function insufficient(shortfall: string): Decision {
  return {
    test: null,
    pValue: null,
    adjustedPValue: null,
    effect: null,
    relativeEffect: null,
    interval: null,
    classification: 'insufficient',
    regression: false,
    reason: `insufficient data: ${shortfall}`,
  };
}

function decide(metric: MetricConfig, tested: TestedMetric, decisionPValue: number, alpha: number, adjustment: JudgeConfig['multipleComparisons']): Decision {
  const { effect, reference } = tested;
  const relativeEffect = reference === 0 ? null : effect / Math.abs(reference);
  const significant = decisionPValue < alpha;
  // A baseline of 0 tolerates no relative change at all; the absolute tolerance still applies.
  const beyondTolerance = Math.abs(effect) > metric.tolerance * Math.abs(reference) && Math.abs(effect) > metric.absoluteTolerance;
  const classification: MetricClassification = significant && beyondTolerance ? (effect > 0 ? 'high' : 'low') : 'pass';
  const regression =
    (classification === 'high' && metric.direction !== 'decrease') || (classification === 'low' && metric.direction !== 'increase');

  const change = describeChange(tested, relativeEffect);
  const evidence = `p = ${formatP(tested.pValue)}${adjustment === 'holm' ? ` (Holm-adjusted ${formatP(decisionPValue)})` : ''}`;
  const tolerance = describeTolerance(metric, tested.unit);
  let reason: string;
  if (!significant) reason = `no significant difference: ${change}, ${evidence} ≥ ${formatNumber(alpha)}`;
  else if (!beyondTolerance) reason = `within tolerance: ${change}, significant (${evidence} < ${formatNumber(alpha)}) but not beyond ${tolerance}`;
  else if (regression) reason = `regression: ${change}, ${evidence} < ${formatNumber(alpha)}, beyond ${tolerance}`;
  else reason = `improvement, not a regression: ${change}, ${evidence} < ${formatNumber(alpha)}; only ${metric.direction === 'increase' ? 'an increase' : 'a decrease'} is bad`;

  return { test: tested.test, pValue: tested.pValue, adjustedPValue: decisionPValue, effect, relativeEffect, interval: tested.interval, classification, regression, reason };
}

function describeChange(tested: TestedMetric, relativeEffect: number | null): string {
  const what = tested.unit === 'value' ? 'shift' : 'rate difference';
  const against = tested.unit === 'value' ? 'baseline median' : 'baseline rate';
  const relative = relativeEffect === null ? '' : ` (${formatPercent(relativeEffect)} of the ${against} ${formatNumber(tested.reference)})`;
  const { lower, upper, confidence } = tested.interval;
  return `canary ${what} ${formatSigned(tested.effect)}${relative}, ${formatPercent(confidence, false)} interval [${formatNumber(lower)}, ${formatNumber(upper)}]`;
}

function describeTolerance(metric: MetricConfig, unit: TestedMetric['unit']): string {
  const relative = `${formatPercent(metric.tolerance, false)} of the baseline ${unit === 'value' ? 'median' : 'rate'}`;
  return metric.absoluteTolerance > 0 ? `the tolerance (${relative} and ${formatNumber(metric.absoluteTolerance)})` : `the tolerance (${relative})`;
}

function overallVerdict(settings: JudgeConfig, judgements: readonly MetricJudgement[]): Pick<CanaryVerdict, 'verdict' | 'score' | 'insufficientShare' | 'reasons' | 'groups'> {
  const totalWeight = settings.groups.reduce((sum, group) => sum + group.weight, 0);
  const groups = settings.groups.map((group) => ({
    name: group.name,
    weight: group.weight / totalWeight,
    score: scoreOf(judgements.filter((judgement) => judgement.group === group.name)),
  }));
  const score = scoreOf(judgements);
  const insufficientShare = judgements.filter((judgement) => judgement.classification === 'insufficient').reduce((sum, judgement) => sum + judgement.weight, 0);
  const common = { score, insufficientShare, groups };

  const criticalRegressions = judgements.filter((judgement) => judgement.critical && judgement.regression);
  if (criticalRegressions.length > 0) {
    return { ...common, verdict: 'fail', reasons: criticalRegressions.map((judgement) => `critical metric ${judgement.name}: ${judgement.reason}`) };
  }
  const criticalWithoutData = judgements.filter((judgement) => judgement.critical && judgement.classification === 'insufficient');
  if (criticalWithoutData.length > 0) {
    return { ...common, verdict: 'insufficient-data', reasons: criticalWithoutData.map((judgement) => `critical metric ${judgement.name}: ${judgement.reason}`) };
  }
  if (score === null || insufficientShare > settings.maximumInsufficientShare) {
    return {
      ...common,
      verdict: 'insufficient-data',
      reasons: [`${formatPercent(insufficientShare, false)} of the weight has insufficient data, more than the ${formatPercent(settings.maximumInsufficientShare, false)} allowed`],
    };
  }
  const { pass, marginal } = settings.thresholds;
  const verdict: Verdict = score >= pass ? 'pass' : score >= marginal ? 'marginal' : 'fail';
  const regressions = judgements.filter((judgement) => judgement.regression);
  const tested = judgements.filter((judgement) => judgement.classification !== 'insufficient').length;
  const headline = `score ${formatNumber(score)} (pass ≥ ${pass}, marginal ≥ ${marginal}): ${tested - regressions.length} of ${tested} tested metrics without regression`;
  return { ...common, verdict, reasons: [headline, ...regressions.map((judgement) => `${judgement.name}: ${judgement.reason}`)] };
}

/** Weighted share of tested metrics without regression, 0–100; insufficient metrics do not count either way. */
function scoreOf(judgements: readonly MetricJudgement[]): number | null {
  const tested = judgements.filter((judgement) => judgement.classification !== 'insufficient');
  const weight = tested.reduce((sum, judgement) => sum + judgement.weight, 0);
  if (weight === 0) return null;
  const regressed = tested.filter((judgement) => judgement.regression).reduce((sum, judgement) => sum + judgement.weight, 0);
  // Rounded to 1e-9 so that shares like 3 × ⅓ land on the threshold they add up to, not just below it.
  return Math.round(1e11 * (1 - regressed / weight)) / 1e9;
}

/** Grouped samples, validated; raw samples on the other side are grouped so both sides compare alike. */
function groupedOf(metric: string, side: string, observation: MetricObservation | undefined): GroupedSamples {
  if (!isGroupedSamples(observation)) {
    const sorted = Float64Array.from(samplesOf(metric, side, observation)).sort();
    const values: number[] = [];
    const counts: number[] = [];
    for (const value of sorted) {
      if (values.length > 0 && values[values.length - 1] === value) counts[counts.length - 1] += 1;
      else {
        values.push(value);
        counts.push(1);
      }
    }
    return { values, counts };
  }
  const { values, counts } = observation;
  if (values.length !== counts.length) throw new JudgeInputError(`${side}.${metric} must have as many counts as values, got ${values.length} values and ${counts.length} counts`);
  const badValue = values.findIndex((value, index) => typeof value !== 'number' || !Number.isFinite(value) || (index > 0 && value <= values[index - 1]));
  if (badValue >= 0) throw new JudgeInputError(`${side}.${metric}.values[${badValue}] must be a finite number above the one before it, got ${String(values[badValue])}`);
  const badCount = counts.findIndex((count) => !Number.isInteger(count) || count < 0);
  if (badCount >= 0) throw new JudgeInputError(`${side}.${metric}.counts[${badCount}] must be a non-negative integer, got ${String(counts[badCount])}`);
  return observation;
}

function samplesOf(metric: string, side: string, observation: MetricObservation | undefined): readonly number[] {
  if (observation === undefined) return [];
  if (!Array.isArray(observation)) throw new JudgeInputError(`${side}.${metric} must be an array of samples for a continuous metric`);
  const samples = observation as readonly unknown[];
  const bad = samples.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
  if (bad >= 0) throw new JudgeInputError(`${side}.${metric}[${bad}] must be a finite number, got ${String(samples[bad])}`);
  return samples as readonly number[];
}

function countsOf(metric: string, side: string, observation: MetricObservation | undefined): EventCounts {
  if (observation === undefined) return { errors: 0, total: 0 };
  if (Array.isArray(observation) || typeof observation !== 'object' || observation === null) {
    throw new JudgeInputError(`${side}.${metric} must be { errors, total } for a proportion metric`);
  }
  const { errors, total } = observation as EventCounts;
  if (!Number.isInteger(total) || total < 0) throw new JudgeInputError(`${side}.${metric}.total must be a non-negative integer, got ${String(total)}`);
  if (!Number.isInteger(errors) || errors < 0 || errors > total) throw new JudgeInputError(`${side}.${metric}.errors must be an integer in [0, ${total}], got ${String(errors)}`);
  return { errors, total };
}

/** Median of a non-empty sample sorted ascending. */
function medianOfSorted(sorted: Float64Array): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
