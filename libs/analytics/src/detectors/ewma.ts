/** Plain, JSON-safe state of an {@link Ewma}. */
export interface EwmaState {
  readonly alpha: number;
  readonly mean: number | null;
  readonly variance: number;
}

/**
 * Exponentially weighted mean and variance (West's incremental form): the level baseline for series
 * without seasonality, adapting to drifts at rate `alpha`. O(1) per sample.
 */
export class Ewma {
  private mean: number | null;
  private variance: number;

  constructor(private readonly alpha: number, mean: number | null = null, variance = 0) {
    if (!(alpha > 0 && alpha <= 1)) throw new Error('alpha must be in (0, 1]');
    this.mean = mean;
    this.variance = variance;
  }

  /** Forecast of the next value: the current mean (null before the first value). */
  forecast(): number | null {
    return this.mean;
  }

  get currentVariance(): number {
    return this.variance;
  }

  update(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.mean === null) {
      this.mean = value;
      return;
    }
    const difference = value - this.mean;
    const increment = this.alpha * difference;
    this.mean += increment;
    this.variance = (1 - this.alpha) * (this.variance + difference * increment);
  }

  toJSON(): EwmaState {
    return { alpha: this.alpha, mean: this.mean, variance: this.variance };
  }

  static fromJSON(state: EwmaState): Ewma {
    return new Ewma(state.alpha, state.mean, state.variance);
  }
}
