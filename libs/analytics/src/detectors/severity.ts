export type AnomalySeverity = 'none' | 'low' | 'medium' | 'high' | 'critical';

/** Lower score bounds of each severity, highest first. */
export const SEVERITY_BOUNDS: readonly { readonly severity: AnomalySeverity; readonly from: number }[] = [
  { severity: 'critical', from: 0.9 },
  { severity: 'high', from: 0.7 },
  { severity: 'medium', from: 0.5 },
  { severity: 'low', from: 0.3 },
];

/** Severity of an anomaly score in [0, 1]. */
export function severityOf(score: number): AnomalySeverity {
  return SEVERITY_BOUNDS.find((bound) => score >= bound.from)?.severity ?? 'none';
}
