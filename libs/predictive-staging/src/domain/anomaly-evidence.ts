import { type AnomalyResult, Ewma, HoltWinters, SeasonalNaive, type StreamingDetectorState } from '@strata/analytics';
import type { AnomalyDetectedV1, KpiWindowV1 } from '@strata/contracts';
import type { ReportedSeverity } from '../config/predictive-staging-settings';
import type { WindowObservation } from './observation';

export type AnomalyEvidence = AnomalyDetectedV1['evidence'];
export type BaselineForecasts = Record<'ewma' | 'seasonalNaive' | 'holtWinters', number | null>;

/** Severities in rising order; an anomaly filter "at least X" compares ranks. */
export const SEVERITY_ORDER = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityName = (typeof SEVERITY_ORDER)[number];

export function severityRank(severity: SeverityName): number {
  return SEVERITY_ORDER.indexOf(severity);
}

/** Whether a verdict is reported: stored as an anomaly and published. */
export function isReported(severity: SeverityName, minimum: ReportedSeverity): severity is ReportedSeverity {
  return severity !== 'none' && severityRank(severity) >= severityRank(minimum);
}

/**
 * What each of the detector's baselines expected for the next value, read from its state before
 * the value is applied (the detector itself reports only the z of the best one).
 */
export function baselineForecasts(state: StreamingDetectorState | null): BaselineForecasts {
  if (state === null) return { ewma: null, seasonalNaive: null, holtWinters: null };
  return {
    ewma: Ewma.fromJSON(state.ewma).forecast(),
    seasonalNaive: state.seasonalNaive ? SeasonalNaive.fromJSON(state.seasonalNaive).forecast() : null,
    holtWinters: state.holtWinters ? HoltWinters.fromJSON(state.holtWinters).forecast() : null,
  };
}

/** The baseline forecast nearest the observation: the most generous reading of "expected". */
export function nearestExpectation(observed: number, baselines: BaselineForecasts): number | null {
  const ready = Object.values(baselines).filter((value): value is number => value !== null && Number.isFinite(value));
  if (ready.length === 0) return null;
  return ready.reduce((nearest, value) => (Math.abs(value - observed) < Math.abs(nearest - observed) ? value : nearest));
}

export function anomalyEvidence(window: KpiWindowV1, observation: WindowObservation, result: AnomalyResult, baselines: BaselineForecasts, windowsSeen: number): AnomalyEvidence {
  return {
    observed: observation.value,
    expected: nearestExpectation(observation.value, baselines),
    baselines,
    zScore: result.zScore,
    likelihood: result.likelihood,
    changeEvidence: result.changeEvidence,
    changePoint: result.changePoint,
    period: result.period,
    windowsSeen,
    window: {
      start: window.windowStart,
      end: window.windowEnd,
      value: observation.aggregate,
      count: window.count,
      mean: window.mean,
      min: window.min,
      max: window.max,
      p99: window.p99,
    },
  };
}
