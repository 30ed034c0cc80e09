import { ThresholdMetric, ThresholdRule } from './rollout-spec';

/** What one stack config served during an analysis window. */
export interface WindowFigures {
  requests: number;
  errors: number;
  /** Null when no latency was measured in the window. */
  latencyP99Ms: number | null;
  /** Mean latency over every request of the window; null when none was measured. */
  latencyMeanMs: number | null;
  /**
   * The latency of every request of the window as a histogram (each value with its count, values
   * ascending), merged over its KPI windows and nodes: the statistical judge's samples.
   */
  latencyHistogram: LatencyHistogram;
}

export interface LatencyHistogram {
  values: number[];
  counts: number[];
}

export const EMPTY_LATENCY_HISTOGRAM: LatencyHistogram = { values: [], counts: [] };

export interface AnalysisFigures {
  canary: WindowFigures;
  stable: WindowFigures;
}

/** `marginal`: neither clearly good nor clearly bad; the rollout is held for an operator. */
export type AnalysisVerdict = 'pass' | 'marginal' | 'fail' | 'inconclusive';

/**
 * One metric a statistical judge tested, with its always-valid p-value (null: not tested, e.g. no
 * latency on one side) and the level a fail needs it under (a fail also needs the shift beyond the
 * tolerances, so a p-value under the level is not always a regression).
 */
export interface JudgedMetric {
  metric: string;
  regression: boolean;
  pValue: number | null;
  level: number;
}

export interface AnalysisOutcome {
  verdict: AnalysisVerdict;
  /** One line per rule (or the sample shortfall), so an abort explains itself. */
  findings: string[];
  /** The statistical judge's metrics and their p-values; absent for the thresholds judge. */
  judgedMetrics?: JudgedMetric[];
}

function valueOf(metric: ThresholdMetric, figures: WindowFigures): number | null {
  if (metric === 'errorRate') {
    return figures.requests === 0 ? null : figures.errors / figures.requests;
  }
  return figures.latencyP99Ms;
}

/**
 * The `thresholds` judge, and the explicit rules of any analysis: threshold rules over the canary's
 * and the stable config's figures of the same window. Too few canary requests is inconclusive, never a pass.
 */
export function judgeByThresholds(rules: readonly ThresholdRule[], minSamples: number, figures: AnalysisFigures): AnalysisOutcome {
  if (figures.canary.requests < minSamples) {
    return { verdict: 'inconclusive', findings: [`the canary served ${figures.canary.requests} request(s), fewer than the ${minSamples} required`] };
  }
  const findings: string[] = [];
  let failed = false;
  for (const rule of rules) {
    const canary = valueOf(rule.metric, figures.canary);
    const stable = valueOf(rule.metric, figures.stable);
    if (canary === null) {
      findings.push(`${rule.metric}: no canary measurement`);
      continue;
    }
    if (rule.max !== undefined && canary > rule.max) {
      failed = true;
      findings.push(`${rule.metric} of the canary ${format(canary)} is above the maximum ${format(rule.max)}`);
      continue;
    }
    if (rule.maxRatioToStable !== undefined && stable !== null && canary > (rule.ratioFloor ?? 0)) {
      const limit = rule.maxRatioToStable * stable;
      if (canary > limit) {
        failed = true;
        findings.push(`${rule.metric} of the canary ${format(canary)} is above ${rule.maxRatioToStable} × the stable ${format(stable)}`);
        continue;
      }
    }
    findings.push(`${rule.metric} of the canary ${format(canary)} is within limits`);
  }
  return { verdict: failed ? 'fail' : 'pass', findings };
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(3);
}
