export interface PeriodDetectionOptions {
  readonly minPeriod?: number;
  /** Largest lag tried; defaults to half the samples so that two cycles are seen. */
  readonly maxPeriod?: number;
  /** Autocorrelation a peak needs to count as seasonality. */
  readonly minCorrelation?: number;
}

/**
 * The dominant period of a series by autocorrelation, or null when there is none. The series is
 * detrended first (least-squares line), since a trend correlates at every lag; a period is the
 * highest autocorrelation *local peak* above `minCorrelation`, and a multiple of a shorter peak
 * that is nearly as strong loses to it (a daily cycle also correlates at two days).
 */
export function detectPeriod(values: readonly number[], options: PeriodDetectionOptions = {}): number | null {
  const n = values.length;
  const minPeriod = Math.max(2, options.minPeriod ?? 2);
  const maxPeriod = Math.min(options.maxPeriod ?? Math.floor(n / 2), n - 2);
  const minCorrelation = options.minCorrelation ?? 0.3;
  if (maxPeriod < minPeriod + 1) return null;

  const detrended = detrend(values);
  const variance = detrended.reduce((sum, value) => sum + value * value, 0);
  if (variance === 0) return null;
  // Normalised per overlapping pair: the plain estimator shrinks with the lag and so favours short ones.
  const correlation = (lag: number): number => {
    let sum = 0;
    for (let i = lag; i < n; i++) sum += detrended[i] * detrended[i - lag];
    return sum / (n - lag) / (variance / n);
  };
  const acf: number[] = [];
  for (let lag = 0; lag <= maxPeriod + 1; lag++) acf.push(lag === 0 ? 1 : correlation(lag));

  const peaks: { lag: number; value: number }[] = [];
  for (let lag = minPeriod; lag <= maxPeriod; lag++) {
    const value = acf[lag];
    if (value >= minCorrelation && value > acf[lag - 1] && value >= acf[lag + 1]) peaks.push({ lag, value });
  }
  if (peaks.length === 0) return null;
  const strongest = peaks.reduce((best, peak) => (peak.value > best.value ? peak : best));
  const fundamental = peaks.find((peak) => peak.value >= 0.9 * strongest.value && isNearMultiple(strongest.lag, peak.lag));
  return (fundamental ?? strongest).lag;
}

function isNearMultiple(lag: number, base: number): boolean {
  const ratio = lag / base;
  return Math.abs(ratio - Math.round(ratio)) * base <= Math.max(1, 0.02 * lag);
}

function detrend(values: readonly number[]): number[] {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let varianceX = 0;
  values.forEach((value, i) => {
    covariance += (i - meanX) * (value - meanY);
    varianceX += (i - meanX) ** 2;
  });
  const slope = varianceX === 0 ? 0 : covariance / varianceX;
  return values.map((value, i) => value - meanY - slope * (i - meanX));
}
