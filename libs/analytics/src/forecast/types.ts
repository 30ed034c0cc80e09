/** A point forecast with a central prediction interval, one entry per step ahead. */
export interface Forecast {
  readonly mean: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
}

/** A method fitted to one training series. */
export interface FittedForecaster {
  readonly method: string;
  /** Fitted parameters (smoothing constants, …), for display and tests. */
  readonly params: Readonly<Record<string, number>>;
  /** In-sample one-step residual standard deviation. */
  readonly sigma: number;
  forecast(horizon: number, level?: number): Forecast;
}

/** A forecasting method: fits a training series into a forecaster. */
export interface ForecastMethod {
  readonly name: string;
  fitTo(train: readonly number[]): FittedForecaster;
}
