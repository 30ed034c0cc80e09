/** Standardisation (z-score) fitted on training values only; serialisable as plain numbers. */
export interface StandardScaler {
  readonly mean: number;
  readonly std: number;
}

export function fitStandardScaler(train: readonly number[]): StandardScaler {
  if (train.length === 0) throw new RangeError('cannot fit a scaler on no values');
  const mean = train.reduce((sum, value) => sum + value, 0) / train.length;
  const variance = train.reduce((sum, value) => sum + (value - mean) ** 2, 0) / train.length;
  const std = Math.sqrt(variance);
  // A constant training series scales by 1, so the transform stays finite and invertible.
  return { mean, std: std > 0 ? std : 1 };
}

export function scaleValues(scaler: StandardScaler, values: readonly number[]): number[] {
  return values.map((value) => (value - scaler.mean) / scaler.std);
}

export function unscaleValues(scaler: StandardScaler, values: readonly number[]): number[] {
  return values.map((value) => value * scaler.std + scaler.mean);
}
