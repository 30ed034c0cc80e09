import type { KpiWindowV1 } from '@strata/contracts';

export type ObservedAggregate = 'mean' | 'sum';

export interface WindowObservation {
  readonly value: number;
  readonly aggregate: ObservedAggregate;
}

/** Prometheus naming: these series carry increments, so a window's meaning is their total. */
const COUNTER_SUFFIXES = ['_total', '_count', '_sum', '_bucket'];

export function isCounterMetric(metric: string): boolean {
  return COUNTER_SUFFIXES.some((suffix) => metric.endsWith(suffix));
}

/**
 * The one number a window contributes to its series: a counter's total over the window (requests
 * per window), any other metric's mean (latency, utilisation). A window without samples
 * contributes nothing rather than a zero that would read as a collapse.
 */
export function windowObservation(window: Pick<KpiWindowV1, 'series' | 'count' | 'sum' | 'mean'>): WindowObservation | null {
  if (window.count === 0) return null;
  if (isCounterMetric(window.series.metric)) return Number.isFinite(window.sum) ? { value: window.sum, aggregate: 'sum' } : null;
  const mean = window.mean ?? window.sum / window.count;
  return Number.isFinite(mean) ? { value: mean, aggregate: 'mean' } : null;
}
