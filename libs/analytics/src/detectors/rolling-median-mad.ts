/** Plain, JSON-safe state of a {@link RollingMedianMad}. */
export interface RollingMedianMadState {
  readonly capacity: number;
  /** Values in arrival order, oldest first. */
  readonly values: readonly number[];
}

/** Gaussian-consistency factor: 1.4826 · MAD estimates σ for normal data. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Median and median absolute deviation of the last `capacity` values: robust location and scale that a
 * few outliers cannot drag, which is why residuals are scored on them rather than on mean and σ.
 * O(capacity) per sample (sorted insert plus a linear selection).
 */
export class RollingMedianMad {
  private readonly arrival: number[];
  private readonly sorted: number[];

  constructor(private readonly capacity: number, values: readonly number[] = []) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.arrival = values.slice(-capacity);
    this.sorted = [...this.arrival].sort((a, b) => a - b);
  }

  get size(): number {
    return this.arrival.length;
  }

  push(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.arrival.length === this.capacity) {
      const oldest = this.arrival.shift() ?? Number.NaN;
      this.sorted.splice(lowerBound(this.sorted, oldest), 1);
    }
    this.arrival.push(value);
    this.sorted.splice(lowerBound(this.sorted, value), 0, value);
  }

  median(): number {
    return medianOfSorted(this.sorted);
  }

  /** Median of |x − median|; 0 when more than half the values are equal. */
  mad(): number {
    return medianAbsoluteDeviation(this.sorted, this.median());
  }

  /**
   * A σ estimate that is never zero while the values vary: 1.4826·MAD, else (for mostly-constant
   * windows) the Gaussian-consistent mean absolute deviation, else `floor`.
   */
  robustSigma(floor: number): number {
    const fromMad = MAD_TO_SIGMA * this.mad();
    if (fromMad > floor) return fromMad;
    if (this.sorted.length === 0) return floor;
    const center = this.median();
    const meanAbsoluteDeviation = this.sorted.reduce((sum, value) => sum + Math.abs(value - center), 0) / this.sorted.length;
    return Math.max(1.2533 * meanAbsoluteDeviation, floor);
  }

  /** Robust z-score of `value` against the window: (value − median) / robust σ. */
  zScore(value: number, sigmaFloor: number): number {
    return (value - this.median()) / this.robustSigma(sigmaFloor);
  }

  toJSON(): RollingMedianMadState {
    return { capacity: this.capacity, values: [...this.arrival] };
  }

  static fromJSON(state: RollingMedianMadState): RollingMedianMad {
    return new RollingMedianMad(state.capacity, state.values);
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function medianOfSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const half = n >>> 1;
  return n % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

/**
 * Median of |x − center| over sorted values without sorting the deviations: they fall leftwards and
 * rise rightwards of the center, so merging the two runs outward yields them in order. O(n).
 */
function medianAbsoluteDeviation(sorted: readonly number[], center: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  let right = lowerBound(sorted, center);
  let left = right - 1;
  const takeNext = (): number => {
    const leftDeviation = left >= 0 ? center - sorted[left] : Infinity;
    const rightDeviation = right < n ? sorted[right] - center : Infinity;
    if (leftDeviation <= rightDeviation) {
      left--;
      return leftDeviation;
    }
    right++;
    return rightDeviation;
  };
  const half = n >>> 1;
  let previous = 0;
  for (let i = 0; i < half; i++) previous = takeNext();
  const upper = takeNext();
  return n % 2 === 1 ? upper : (previous + upper) / 2;
}
