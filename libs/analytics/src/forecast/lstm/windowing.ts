export interface Windows {
  /** `lookback` consecutive values per sample. */
  readonly inputs: number[][];
  /** The `horizon` values that follow each input window. */
  readonly targets: number[][];
}

/**
 * Supervised windows for direct multi-step forecasting: every input of `lookback` values followed
 * by the next `horizon` values, stepping by `stride`. No window reads past the end of `values`.
 */
export function makeWindows(values: readonly number[], lookback: number, horizon: number, stride = 1): Windows {
  for (const [name, value] of [['lookback', lookback], ['horizon', horizon], ['stride', stride]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let start = 0; start + lookback + horizon <= values.length; start += stride) {
    inputs.push(values.slice(start, start + lookback));
    targets.push(values.slice(start + lookback, start + lookback + horizon));
  }
  return { inputs, targets };
}

/** The empirical q-quantile (linear interpolation between order statistics, R type 7). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level must be in [0,1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}
