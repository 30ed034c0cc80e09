import { CanaryVerdict, JudgeConfigInput, judgeCanary } from '@strata/analytics';
import { AnalysisFigures, AnalysisOutcome, AnalysisVerdict } from '@strata/domain';

export const ERROR_RATE_METRIC = 'error-rate';
export const LATENCY_METRIC = 'latency-ms';

/**
 * The statistical judge of a rollout's analysis step, canary against stable over the same KPI
 * windows: error rate (requests with a 5xx or no answer, a proportion test) and latency (every
 * request's latency from the gateway's histograms, a rank test with a Hodges–Lehmann shift). Both
 * are critical: a regression of either fails the step, and too few requests on either side is
 * insufficient data, never a pass. `minRequests` is the step's minSamples, per side.
 */
export function rolloutJudgeConfig(minRequests: number): JudgeConfigInput {
  return {
    groups: [
      {
        name: 'errors',
        weight: 50,
        // 0.5 pp absolute: a stable config at 0 errors must not fail a canary for one unlucky 5xx.
        metrics: [{ name: ERROR_RATE_METRIC, kind: 'proportion', direction: 'increase', critical: true, tolerance: 0.1, absoluteTolerance: 0.005, minimumSamples: minRequests }],
      },
      {
        name: 'latency',
        weight: 50,
        // 10 % and 1 ms: a shift smaller than either is not worth an abort (nor is it resolved by
        // the histogram's ~19 % buckets), while thousands of requests make a real one plain.
        metrics: [{ name: LATENCY_METRIC, kind: 'continuous', direction: 'increase', critical: true, tolerance: 0.1, absoluteTolerance: 1, minimumSamples: minRequests }],
      },
    ],
  };
}

const VERDICTS: Record<CanaryVerdict['verdict'], AnalysisVerdict> = { pass: 'pass', marginal: 'marginal', fail: 'fail', 'insufficient-data': 'inconclusive' };

/** Runs the statistical judge over the window's figures; every metric's figures go into the findings. */
export function judgeRolloutWindow(figures: AnalysisFigures, minRequests: number): AnalysisOutcome {
  const side = (which: 'canary' | 'stable') => ({
    [ERROR_RATE_METRIC]: { errors: figures[which].errors, total: figures[which].requests },
    [LATENCY_METRIC]: figures[which].latencyHistogram,
  });
  const verdict = judgeCanary(rolloutJudgeConfig(minRequests), { baseline: side('stable'), canary: side('canary') });
  const score = verdict.score === null ? 'no score' : `score ${verdict.score.toFixed(0)}`;
  return {
    verdict: VERDICTS[verdict.verdict],
    findings: [`statistical judge: ${verdict.verdict} (${score})`, ...verdict.metrics.map((metric) => `${metric.name}: ${metric.reason}`)],
  };
}

const SEVERITY: Record<AnalysisVerdict, number> = { pass: 0, marginal: 1, inconclusive: 2, fail: 3 };

/** Several judges of one window: the worst verdict stands (a fail wins, then too little data, then marginal). */
export function combineAnalyses(outcomes: readonly AnalysisOutcome[]): AnalysisOutcome {
  const verdict = outcomes.reduce<AnalysisVerdict>((worst, outcome) => (SEVERITY[outcome.verdict] > SEVERITY[worst] ? outcome.verdict : worst), 'pass');
  return { verdict, findings: outcomes.flatMap((outcome) => outcome.findings) };
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
