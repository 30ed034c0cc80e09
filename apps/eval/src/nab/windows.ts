/** An anomaly window as labelled: inclusive start and end times (ms since the epoch). */
export interface WindowLimits {
  readonly start: number;
  readonly end: number;
}

/** An anomaly window as row indices of one file, both inclusive. */
export interface WindowSpan {
  readonly startIndex: number;
  readonly endIndex: number;
}

/**
 * Row spans of the labelled windows, in time order. NAB's labels name rows of the file exactly, and
 * then the span is those rows; a limit between rows snaps inwards (first row at or after the start,
 * last row at or before the end), and a window holding no row is dropped, where NAB would fail.
 */
export function resolveWindowSpans(timestamps: readonly number[], windows: readonly WindowLimits[]): WindowSpan[] {
  const spans: WindowSpan[] = [];
  for (const window of [...windows].sort((a, b) => a.start - b.start)) {
    const startIndex = firstIndexAtOrAfter(timestamps, window.start);
    const endIndex = firstIndexAtOrAfter(timestamps, window.end + 1) - 1;
    if (startIndex <= endIndex) spans.push({ startIndex, endIndex });
  }
  return spans;
}

/** Binary search in ascending timestamps; `timestamps.length` when every row is earlier. */
function firstIndexAtOrAfter(timestamps: readonly number[], time: number): number {
  let low = 0;
  let high = timestamps.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (timestamps[middle] < time) low = middle + 1;
    else high = middle;
  }
  return low;
}
