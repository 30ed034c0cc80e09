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

/**
 * One column's values for uPlot: null is a gap (the line breaks there), undefined only that the
 * column has no value at this time (the line runs on past it, to its next value).
 */
export type ChartColumn = (number | null | undefined)[];

/** Columns for uPlot: x in seconds, then observed, forecast, lower and upper bound, anomaly markers. */
export type ChartColumns = [number[], ChartColumn, ChartColumn, ChartColumn, ChartColumn, ChartColumn];

export const CHART_SERIES = { observed: 1, forecast: 2, lower: 3, upper: 4, anomalies: 5 } as const;

/**
 * Where a line through `timestamps` (ms, ascending) must break: one step after each point that the
 * next follows by more than twice `stepMs`. Without a break the line would join the two across the
 * missing samples, and a straight line there reads as data.
 */
export function gapBreaks(timestamps: readonly number[], stepMs: number): number[] {
  const breaks: number[] = [];
  for (let index = 1; index < timestamps.length; index++) {
    const previous = timestamps[index - 1];
    if (timestamps[index] - previous > 2 * stepMs) breaks.push(previous + stepMs);
  }
  return breaks;
}

/**
 * Lines the observed values, the forecast with its interval, and the anomalies up on one time
 * axis. The forecast starts where the history ends, so its band extends the chart to the right;
 * an anomaly is drawn at its window's end, at the value the detector observed. The observed line
 * breaks where samples are missing for more than two steps of `stepMs` (the range's step).
 */
export function chartColumns(observed: readonly RangePoint[], forecast: readonly ForecastPoint[], anomalies: readonly AnomalyMark[], stepMs: number): ChartColumns {
  const rows = new Map<number, ChartColumn>();
  const row = (ms: number) => {
    const seconds = ms / 1000;
    let found = rows.get(seconds);
    if (!found) {
      found = [undefined, undefined, undefined, undefined, undefined];
      rows.set(seconds, found);
    }
    return found;
  };
  const history = [...observed].sort((a, b) => a.timestamp - b.timestamp);
  for (const point of history) row(point.timestamp)[0] = point.value;
  for (const at of gapBreaks(history.map((point) => point.timestamp), stepMs)) row(at)[0] = null;
  for (const point of forecast) {
    const target = row(Date.parse(point.at));
    target[1] = point.value;
    target[2] = point.lower;
    target[3] = point.upper;
  }
  for (const anomaly of anomalies) row(Date.parse(anomaly.at))[4] = anomaly.observed;
  const times = [...rows.keys()].sort((a, b) => a - b);
  const column = (index: number) => times.map((time) => rows.get(time)?.[index]);
  return [times, column(0), column(1), column(2), column(3), column(4)];
}

/** How many values a column has: neither its gaps nor the times it has nothing at. */
export const valueCount = (column: ChartColumn): number => column.filter((value) => typeof value === 'number').length;

/** A time of the chart (epoch seconds) in UTC, as the API's timestamps are, saying so: "2026-11-27 14:05:30 UTC". */
export const utcStamp = (seconds: number): string => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
