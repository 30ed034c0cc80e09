/** Smoothing rates of an additive, damped-trend Holt-Winters model. */
export interface HoltWintersParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  /** Trend damping φ in (0, 1]; below 1 keeps a spurious trend from running away. */
  readonly phi: number;
}

/** Plain, JSON-safe state of a {@link HoltWinters}. */
export interface HoltWintersState {
  readonly parameters: HoltWintersParameters;
  readonly level: number;
  readonly trend: number;
  readonly seasonals: readonly number[];
  /** Index into `seasonals` of the next value. */
  readonly phase: number;
}

/**
 * Additive Holt-Winters with a damped trend: level, trend and one seasonal term per position in the
 * period, updated online in O(1). Initialised from whole periods of history.
 */
export class HoltWinters {
  private constructor(
    private readonly parameters: HoltWintersParameters,
    private level: number,
    private trend: number,
    private readonly seasonals: number[],
    private phase: number,
  ) {}

  /** Fits initial level and seasonal profile on the history (at least one full period), then replays it. */
  static fitTo(history: readonly number[], period: number, parameters: HoltWintersParameters): HoltWinters {
    if (!Number.isInteger(period) || period < 2) throw new Error('period must be an integer ≥ 2');
    if (history.length < period) throw new Error('history must hold at least one period');
    const first = history.slice(0, period);
    const level = first.reduce((sum, value) => sum + value, 0) / period;
    const model = new HoltWinters(parameters, level, 0, first.map((value) => value - level), 0);
    for (const value of history.slice(period)) model.update(value);
    return model;
  }

  get period(): number {
    return this.seasonals.length;
  }

  forecast(): number {
    return this.level + this.parameters.phi * this.trend + this.seasonals[this.phase];
  }

  update(value: number): void {
    if (!Number.isFinite(value)) {
      this.phase = (this.phase + 1) % this.seasonals.length;
      return;
    }
    const { alpha, beta, gamma, phi } = this.parameters;
    const seasonal = this.seasonals[this.phase];
    const previousLevel = this.level;
    this.level = alpha * (value - seasonal) + (1 - alpha) * (previousLevel + phi * this.trend);
    this.trend = beta * (this.level - previousLevel) + (1 - beta) * phi * this.trend;
    this.seasonals[this.phase] = gamma * (value - this.level) + (1 - gamma) * seasonal;
    this.phase = (this.phase + 1) % this.seasonals.length;
  }

  toJSON(): HoltWintersState {
    return { parameters: this.parameters, level: this.level, trend: this.trend, seasonals: [...this.seasonals], phase: this.phase };
  }

  static fromJSON(state: HoltWintersState): HoltWinters {
    return new HoltWinters(state.parameters, state.level, state.trend, [...state.seasonals], state.phase);
  }
}
