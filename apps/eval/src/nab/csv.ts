import { parseNabTimestamp } from './timestamp';

/** A NAB CSV as columns: row times and the numeric columns by header name. */
export interface NabCsv {
  readonly timestamps: number[];
  readonly columns: Readonly<Record<string, number[]>>;
}

/**
 * Parses NAB's plain CSVs (`timestamp,value` data; `timestamp,anomaly_score,…` results). NAB writes
 * no quoted fields, so a comma split is the whole grammar. Non-numeric cells read as NaN.
 */
export function parseNabCsv(text: string): NabCsv {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const timeColumn = header.indexOf('timestamp');
  if (timeColumn < 0) throw new Error("CSV has no 'timestamp' column");
  const timestamps: number[] = [];
  const columns: Record<string, number[]> = Object.fromEntries(header.filter((_, i) => i !== timeColumn).map((name) => [name, [] as number[]]));
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    timestamps.push(parseNabTimestamp(cells[timeColumn] ?? ''));
    header.forEach((name, i) => {
      if (i !== timeColumn) columns[name].push(Number(cells[i]));
    });
  }
  return { timestamps, columns };
}

/** Reads NAB's `combined_windows.json`: file key → list of `[start, end]` timestamps. */
export function parseNabWindows(json: unknown): Record<string, { start: number; end: number }[]> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('windows must be an object of file to [[start, end], …]');
  const windows: Record<string, { start: number; end: number }[]> = {};
  for (const [file, limits] of Object.entries(json)) {
    if (!Array.isArray(limits)) throw new Error(`windows of '${file}' must be a list`);
    windows[file] = limits.map((limit: unknown) => {
      if (!Array.isArray(limit) || limit.length !== 2 || typeof limit[0] !== 'string' || typeof limit[1] !== 'string') {
        throw new Error(`a window of '${file}' must be [start, end] timestamps`);
      }
      return { start: parseNabTimestamp(limit[0]), end: parseNabTimestamp(limit[1]) };
    });
  }
  return windows;
}
