/** What the gateway measured for one stack config over the scoring window. */
export interface StackConfigKpis {
  requests: number;
  errors: number;
  meanLatencyMs: number;
}

export interface ScoreSettings {
  /** Below this many requests a config keeps full score: too little evidence to punish it. */
  minRequests: number;
  /** Error rate above the baseline's tolerated before the score drops (absolute, 0.01 = 1 point). */
  errorRateTolerance: number;
  /** How much of the error rate excess (beyond tolerance) takes the whole score away. */
  errorRateExcessForFloor: number;
  /** Latency ratio to the baseline tolerated before the score drops (1.5 = 50 % slower). */
  latencyRatioTolerance: number;
  /**
   * The lowest score. Never 0: a config that takes no traffic produces no KPIs and could never
   * show it has recovered; taking it out entirely is a rollout decision, not the router's.
   */
  floor: number;
}

export const DEFAULT_SCORE_SETTINGS: ScoreSettings = {
  minRequests: 20,
  errorRateTolerance: 0.01,
  errorRateExcessForFloor: 0.1,
  latencyRatioTolerance: 1.5,
  floor: 0.05,
};

/**
 * A multiplier in [floor, 1] for a stack config's weight: error rate and latency compared with the
 * stable baseline measured over the same window, so a degraded canary loses traffic before a
 * human reacts, while a platform-wide slowdown (baseline slow too) does not shift traffic.
 */
export function stackConfigScore(candidate: StackConfigKpis, baseline: StackConfigKpis, settings: ScoreSettings = DEFAULT_SCORE_SETTINGS): number {
  if (candidate.requests < settings.minRequests) {
    return 1;
  }
  const baselineKnown = baseline.requests >= settings.minRequests;
  const baselineErrorRate = baselineKnown ? baseline.errors / baseline.requests : 0;
  const excess = candidate.errors / candidate.requests - baselineErrorRate - settings.errorRateTolerance;
  const errorFactor = excess > 0 ? 1 - excess / settings.errorRateExcessForFloor : 1;
  let latencyFactor = 1;
  if (baselineKnown && baseline.meanLatencyMs > 0) {
    const ratio = candidate.meanLatencyMs / baseline.meanLatencyMs;
    if (ratio > settings.latencyRatioTolerance) {
      latencyFactor = settings.latencyRatioTolerance / ratio;
    }
  }
  return Math.min(1, Math.max(settings.floor, errorFactor * latencyFactor));
}
