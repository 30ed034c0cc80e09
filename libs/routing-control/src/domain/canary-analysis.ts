import { SequentialCanaryJudge, type SequentialJudgement, type SequentialJudgeSettings, formatNumber, formatP, formatPercent, formatSigned } from '@strata/analytics';
import { AnalysisFigures, AnalysisOutcome, AnalysisVerdict, JudgedMetric } from '@strata/domain';

export const ERROR_RATE_METRIC = 'error-rate';
export const LATENCY_METRIC = 'latency-ms';

/**
 * The statistical judge of a rollout's analysis step: the sequential judge (libs/analytics) fed the
 * step's KPI windows in order, canary against stable. Each KPI window is a block of concurrent
 * requests, so latency is compared window by window (drift and a slow node move a window's spread,
 * which the judge estimates) and errors by an exact test given each window's split, whose false-fail
 * chance holds however many windows the step is judged over (an inconclusive step is judged again
 * over a longer window).
 * - 0.5 pp absolute on errors: a stable config at 0 errors must not fail a canary for one unlucky 5xx.
 * - 10 % and 1 ms on latency: a shift smaller than either is not worth an abort (nor is it resolved
 *   by the histogram's ~19 % buckets).
 * - Two KPI windows are enough to compare latency: an analysis is a few 10 s windows; with so few,
 *   the spread is floored by the requests' own (what the old rank test on pooled requests assumed).
 * - No warm-up: a window's histogram does not tell the canary's first requests from its last.
 */
export const ROLLOUT_JUDGE_SETTINGS: Partial<SequentialJudgeSettings> = {
  errorAbsoluteTolerance: 0.005,
  latencyTolerance: 0.1,
  latencyAbsoluteTolerance: 1,
  blockRequests: 1,
  minimumBlocks: 2,
  warmUpRequests: 0,
};

/**
 * Judges the step's windows (oldest first). A fail at any window stands: the judge may be read
 * after every one. Otherwise, once both sides served `minRequests`, no regression shown is a pass,
 * as the step's minSamples asks; fewer is inconclusive, never a pass, and so is a side without
 * latency, and a window in which the canary did not get the share its weight (`canaryWeight`, %) routes to it.
 */
/**
 * How unlikely a KPI window's canary count must be, had the canary taken its weight's share of the
 * window's requests, to say it did not: far beyond chance over a long rollout of many windows.
 */
export const UNDER_SERVED_P = 1e-6;

/** P(X ≤ k) for X ~ Binomial(n, p), summed in log space (k is small whenever it matters). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  let logTerm = n * Math.log1p(-p); // P(X = 0)
  let total = Math.exp(logTerm);
  for (let i = 1; i <= k; i += 1) {
    logTerm += Math.log((n - i + 1) / i) + Math.log(p) - Math.log1p(-p);
    total += Math.exp(logTerm);
  }
  return Math.min(1, total);
}

/**
 * A KPI window (not the step's first, which may straddle the weight change) in which the canary
 * served far fewer requests than its weight routes to it: its nodes were ejected, down or not
 * reached, and the gateway sent their requests to the stable config, so the window says nothing
 * of the canary. The judge would read it as a canary without errors.
 */
export function underServedWindow(windows: readonly AnalysisFigures[], canaryWeight: number): string | undefined {
  const share = canaryWeight / 100;
  if (share <= 0 || share >= 1) return undefined;
  for (const [index, { canary, stable }] of windows.entries()) {
    const total = canary.requests + stable.requests;
    if (index === 0 || canary.requests >= share * total) continue;
    const p = binomialLowerTail(canary.requests, total, share);
    if (p < UNDER_SERVED_P) {
      return `the canary served ${canary.requests} of ${total} requests in KPI window ${index + 1} of ${windows.length} at ${canaryWeight} % weight (≈ ${Math.round(share * total)} expected; P = ${formatP(p)} by chance): its nodes were ejected, down or not reached, and the stable config served their requests`;
    }
  }
  return undefined;
}

export function judgeRolloutWindows(windows: readonly AnalysisFigures[], minRequests: number, canaryWeight = 0): AnalysisOutcome {
  const judge = new SequentialCanaryJudge(ROLLOUT_JUDGE_SETTINGS);
  let judgement: SequentialJudgement | null = null;
  for (const { canary, stable } of windows) {
    judgement = judge.observe({
      baseline: { requests: stable.requests, errors: stable.errors, latencies: positive(stable.latencyHistogram) },
      canary: { requests: canary.requests, errors: canary.errors, latencies: positive(canary.latencyHistogram) },
    });
    if (judgement.verdict === 'fail') break;
  }
  if (judgement === null) return { verdict: 'inconclusive', findings: ['statistical judge: insufficient-data: no KPI window in the analysis window'] };
  const findings = [errorFinding(judgement), latencyFinding(judgement)];
  const judgedMetrics = judgedMetricsOf(judgement);
  if (judgement.verdict === 'fail') return { verdict: 'fail', findings: [`statistical judge: fail (${judgement.reason})`, ...findings], judgedMetrics };
  const served = (side: 'canary' | 'stable') => windows.reduce((sum, window) => sum + window[side].requests, 0);
  const measured = (side: 'canary' | 'stable') => windows.some((window) => window[side].latencyHistogram.counts.some((count) => count > 0));
  if (served('stable') < minRequests || served('canary') < minRequests || !measured('stable') || !measured('canary')) {
    const shortfall = `${served('stable')} baseline and ${served('canary')} canary requests, ${minRequests} per side required${measured('stable') && measured('canary') ? '' : ', latency measured on both'}`;
    return { verdict: 'inconclusive', findings: [`statistical judge: insufficient-data: ${shortfall}`, ...findings], judgedMetrics };
  }
  const underServed = underServedWindow(windows, canaryWeight);
  if (underServed) {
    return { verdict: 'inconclusive', findings: [`statistical judge: insufficient-data: ${underServed}`, ...findings], judgedMetrics };
  }
  const decided = judgement.verdict === 'pass' ? 'shown within tolerance' : 'no regression shown';
  return { verdict: 'pass', findings: [`statistical judge: pass (${decided} after ${judgement.canaryRequests} canary requests)`, ...findings], judgedMetrics };
}

function judgedMetricsOf({ errors, latency, regressions }: SequentialJudgement): JudgedMetric[] {
  return [
    { metric: ERROR_RATE_METRIC, regression: regressions.includes('errors'), pValue: errors.pValue, level: errors.level },
    { metric: LATENCY_METRIC, regression: regressions.includes('latency'), pValue: latency.pValue, level: latency.level },
  ];
}

/**
 * How a finding quotes its metric's p-value: always valid (however often the step was read), and
 * the level a fail needs. Below 1e-15 the figure is rounding (it underflows to 0), so it is not given.
 */
function quoteP(pValue: number, level: number): string {
  return `always-valid ${pValue < 1e-15 ? 'p < 1e-15' : `p = ${formatP(pValue)}`} (fail below ${formatP(level)})`;
}

/** The judge compares log latencies: a request timed at 0 ms (a coarse clock) counts as 1 µs, far under the 1 ms tolerance. */
function positive(histogram: AnalysisFigures['canary']['latencyHistogram']): AnalysisFigures['canary']['latencyHistogram'] {
  return histogram.values.every((value) => value > 0) ? histogram : { values: histogram.values.map((value) => Math.max(value, 0.001)), counts: histogram.counts };
}

function errorFinding({ errors, regressions, baselineRequests, canaryRequests }: SequentialJudgement): string {
  const rate = (value: number | null) => (value === null ? 'n/a' : `${(100 * value).toFixed(2)} %`);
  const figures = `canary ${rate(errors.canaryRate)} of ${canaryRequests} requests against ${rate(errors.baselineRate)} of ${baselineRequests}`;
  const test = errors.boundary === null ? 'too few errors to tell from chance yet' : `${errors.canaryErrors} canary errors, sequential boundary ${errors.boundary}`;
  return `${ERROR_RATE_METRIC}: ${regressions.includes('errors') ? 'regression' : 'no regression shown'}: ${figures} (${test}), ${quoteP(errors.pValue, errors.level)}`;
}

function latencyFinding({ latency, regressions }: SequentialJudgement): string {
  if (latency.shift === null || latency.absoluteShift === null || latency.baselineLatency === null) return `${LATENCY_METRIC}: not compared: ${latency.blocks} KPI window(s) with latency on both sides`;
  const percent = (value: number | null) => (value === null ? 'n/a' : formatPercent(value));
  const shift = `canary shift ${formatSigned(latency.absoluteShift)} ms (${percent(latency.shift)} of the baseline's geometric mean ${formatNumber(latency.baselineLatency)} ms)`;
  return `${LATENCY_METRIC}: ${regressions.includes('latency') ? 'regression' : 'no regression shown'}: ${shift}, always-valid interval ${percent(latency.lower)} … ${percent(latency.upper)} over ${latency.blocks} KPI windows, ${quoteP(latency.pValue ?? 1, latency.level)}`;
}

const SEVERITY: Record<AnalysisVerdict, number> = { pass: 0, marginal: 1, inconclusive: 2, fail: 3 };

/** Several judges of one window: the worst verdict stands (a fail wins, then too little data, then marginal). */
export function combineAnalyses(outcomes: readonly AnalysisOutcome[]): AnalysisOutcome {
  const verdict = outcomes.reduce<AnalysisVerdict>((worst, outcome) => (SEVERITY[outcome.verdict] > SEVERITY[worst] ? outcome.verdict : worst), 'pass');
  const judgedMetrics = outcomes.flatMap((outcome) => outcome.judgedMetrics ?? []);
  return { verdict, findings: outcomes.flatMap((outcome) => outcome.findings), ...(judgedMetrics.length > 0 ? { judgedMetrics } : {}) };
}

/** The KPI windows a side's figures came from, and its counts. */
export interface JudgedSpan {
  coveredFrom: number | null;
  coveredTo: number | null;
  errors: number;
  requests: number;
}

/** What the judge was given: the KPI windows it covered and each side's counts, to check against the metrics store. */
export function describeJudged(canary: JudgedSpan, stable: JudgedSpan): string {
  const span = (figures: JudgedSpan) => (figures.coveredFrom === null || figures.coveredTo === null ? 'no KPI window' : `${new Date(figures.coveredFrom).toISOString()}–${new Date(figures.coveredTo).toISOString()}`);
  const counts = (figures: JudgedSpan) => `${figures.errors} errors in ${figures.requests} requests`;
  return `judged KPI windows: canary ${span(canary)} ${counts(canary)}; stable ${span(stable)} ${counts(stable)}`;
}
