/** Plain, JSON-safe state of a {@link SeasonalNaive}. */
export interface SeasonalNaiveState {
  readonly period: number;
  /** The last `period` values, oldest first. */
  readonly history: readonly number[];
}

/** Seasonal naive forecast: the value one period ago. The baseline a repeating pattern cannot fool. */
export class SeasonalNaive {
  private readonly history: number[];

  constructor(readonly period: number, history: readonly number[] = []) {
    if (!Number.isInteger(period) || period < 1) throw new Error('period must be a positive integer');
    this.history = history.slice(-period);
  }

  /** Null until a full period has been seen. */
  forecast(): number | null {
    return this.history.length === this.period ? this.history[0] : null;
  }

  update(value: number): void {
    // A missing value repeats the one a period earlier, so the phase stays aligned.
    const next = Number.isFinite(value) ? value : (this.forecast() ?? value);
    this.history.push(next);
    if (this.history.length > this.period) this.history.shift();
  }

  toJSON(): SeasonalNaiveState {
    return { period: this.period, history: [...this.history] };
  }

  static fromJSON(state: SeasonalNaiveState): SeasonalNaive {
    return new SeasonalNaive(state.period, state.history);
  }
}
