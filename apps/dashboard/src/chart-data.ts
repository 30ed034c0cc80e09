/** A KPI series' points as the range API answers them (epoch ms). */
export interface RangePoint {
  timestamp: number;
  value: number;
}

/** A forecast's points as the forecast API answers them. */
export interface ForecastPoint {
  at: string;
  value: number;
  lower: number;
  upper: number;
}

export interface AnomalyMark {
  at: string;
  observed: number;
  severity: string;
}

/** Columns for uPlot: x in seconds, then observed, forecast, lower and upper bound, anomaly markers; null where a column has no value. */
export type ChartColumns = [number[], (number | null)[], (number | null)[], (number | null)[], (number | null)[], (number | null)[]];

export const CHART_SERIES = { observed: 1, forecast: 2, lower: 3, upper: 4, anomalies: 5 } as const;

/**
 * Lines the observed values, the forecast with its interval, and the anomalies up on one time
 * axis. The forecast starts where the history ends, so its band extends the chart to the right;
 * an anomaly is drawn at its window's end, at the value the detector observed.
 */
export function chartColumns(observed: readonly RangePoint[], forecast: readonly ForecastPoint[], anomalies: readonly AnomalyMark[]): ChartColumns {
  const rows = new Map<number, [number | null, number | null, number | null, number | null, number | null]>();
  const row = (ms: number) => {
    const seconds = ms / 1000;
    let found = rows.get(seconds);
    if (!found) {
      found = [null, null, null, null, null];
      rows.set(seconds, found);
    }
    return found;
  };
  for (const point of observed) row(point.timestamp)[0] = point.value;
  for (const point of forecast) {
    const target = row(Date.parse(point.at));
    target[1] = point.value;
    target[2] = point.lower;
    target[3] = point.upper;
  }
  for (const anomaly of anomalies) row(Date.parse(anomaly.at))[4] = anomaly.observed;
  const times = [...rows.keys()].sort((a, b) => a - b);
  const column = (index: number) => times.map((time) => rows.get(time)?.[index] ?? null);
  return [times, column(0), column(1), column(2), column(3), column(4)];
}
