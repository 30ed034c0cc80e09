import type { LstmConfig } from './lstm-model';
import { type StandardScaler, fitStandardScaler, scaleValues } from './scaler';
import { type SmoothingParams, fitSmoothing, futureSeason, smoothingErrors, smoothingStates, smoothingWarmUp } from './smoothing';

/**
 * The LSTM's windows: what the network reads (inputs, relative to a reference forecast) and what it
 * is trained to add to that reference, and the normaliser fitted on the training values.
 */

/** Normalised inputs beyond this many error scales are clipped, so one spike does not saturate the cell. */
const INPUT_CLIP = 10;

export interface LstmWindow {
  /** Network input: `lookback` transformed scaled values. */
  readonly input: number[];
  /** Per step, what the network's output is added to (scaled units). */
  readonly reference: number[];
}

/**
 * Values before `end` needed for one window: the lookback, plus a season for 'seasonal', plus the
 * smoothing warm-up for 'smoothing' (so no window reads an initial state fitted on later values).
 */
export function lstmHistoryNeeded(config: Pick<LstmConfig, 'lookback' | 'reference' | 'period'>): number {
  if (config.reference === 'smoothing') return config.lookback + smoothingWarmUp(config.period);
  return config.lookback + (config.reference === 'seasonal' ? config.period : 0);
}

/**
 * The network input and reference of the window whose forecast starts at index `end` of the
 * scaled series (only `scaled[..end)` is read).
 */
export function lstmWindow(scaled: readonly number[], end: number, config: Pick<LstmConfig, 'lookback' | 'horizon' | 'reference' | 'period'>): LstmWindow {
  const { lookback, horizon, reference, period } = config;
  if (reference === 'smoothing') throw new RangeError("reference 'smoothing' windows need the smoothing states: use smoothingWindows");
  if (end < lstmHistoryNeeded(config) || end > scaled.length) throw new RangeError(`LSTM needs ${lstmHistoryNeeded(config)} history values before index ${end}`);
  const last = scaled[end - 1];
  const input: number[] = [];
  for (let i = end - lookback; i < end; i++) {
    input.push(reference === 'none' ? scaled[i] : reference === 'last' ? scaled[i] - last : scaled[i] - scaled[i - period]);
  }
  const offsets = Array.from({ length: horizon }, (_, h) => {
    if (reference === 'none') return 0;
    if (reference === 'last') return last;
    return scaled[end + h - period * Math.ceil((h + 1) / period)];
  });
  return { input, reference: offsets };
}

/**
 * The transform fitted on the training values: the standard scaler and, for reference 'smoothing',
 * the smoothing constants, the one-step error scale (scaled units) and the correction weight.
 * Stored as JSON beside the weights.
 */
export interface LstmNormaliser extends StandardScaler {
  readonly smoothing?: SmoothingParams;
  readonly errorScale?: number;
  readonly correctionWeight?: number;
}

/** Network inputs (`lookback` × `channels` features per window) and what each output step is added to. */
export interface PreparedWindows {
  readonly channels: number;
  readonly inputs: Float32Array;
  /** Per window and step, in scaled units: forecast = reference + outputScale · weight · output. */
  readonly references: number[][];
  readonly outputScale: number;
}

/**
 * 'smoothing' windows ending at each of `ends` (exclusive; only `scaled[..end)` is read, since the
 * smoothing states are causal). Inputs: the deseasonalised values minus the last level, in error
 * scales and clipped, and for a seasonal model the seasonal component; references: the smoothing
 * forecast (last level plus the season's components).
 */
export function smoothingWindows(
  scaled: readonly number[],
  ends: readonly number[],
  config: Pick<LstmConfig, 'lookback' | 'horizon'>,
  normaliser: Required<Pick<LstmNormaliser, 'smoothing' | 'errorScale'>>,
): PreparedWindows {
  const { lookback, horizon } = config;
  const { smoothing, errorScale } = normaliser;
  const channels = smoothing.period >= 2 ? 2 : 1;
  const states = smoothingStates(scaled, smoothing);
  const inputs = new Float32Array(ends.length * lookback * channels);
  const references = ends.map((end, w) => {
    if (end < lookback || end > scaled.length) throw new RangeError(`window end ${end} outside [${lookback}, ${scaled.length}]`);
    const level = states.level[end - 1];
    for (let k = 0; k < lookback; k++) {
      const i = end - lookback + k;
      const offset = (w * lookback + k) * channels;
      inputs[offset] = Math.max(-INPUT_CLIP, Math.min(INPUT_CLIP, (scaled[i] - states.season[i] - level) / errorScale));
      if (channels === 2) inputs[offset + 1] = states.season[i];
    }
    return Array.from({ length: horizon }, (_, h) => level + futureSeason(states, end, h + 1, smoothing.period));
  });
  return { channels, inputs, references, outputScale: errorScale };
}

export function referenceWindows(scaled: readonly number[], ends: readonly number[], config: LstmConfig): PreparedWindows {
  const inputs = new Float32Array(ends.length * config.lookback);
  const references = ends.map((end, w) => {
    const window = lstmWindow(scaled, end, config);
    inputs.set(window.input, w * config.lookback);
    return window.reference;
  });
  return { channels: 1, inputs, references, outputScale: 1 };
}

export function prepareWindows(scaled: readonly number[], ends: readonly number[], config: LstmConfig, normaliser: LstmNormaliser): PreparedWindows {
  if (config.reference !== 'smoothing') return referenceWindows(scaled, ends, config);
  const { smoothing, errorScale } = normaliser;
  if (smoothing === undefined || errorScale === undefined) throw new Error("reference 'smoothing' model lacks its smoothing constants");
  return smoothingWindows(scaled, ends, config, { smoothing, errorScale });
}

/** Fits the normaliser on `fitValues` (the values the fitting windows cover, nothing later). */
export function fitLstmNormaliser(fitValues: readonly number[], config: Pick<LstmConfig, 'reference' | 'period'>): LstmNormaliser {
  const scaler = fitStandardScaler(fitValues);
  if (config.reference !== 'smoothing') return scaler;
  const scaled = scaleValues(scaler, fitValues);
  const smoothing = fitSmoothing(scaled, config.period);
  const errors = smoothingErrors(scaled, smoothingStates(scaled, smoothing));
  const meanAbsoluteError = errors.reduce((sum, e) => sum + Math.abs(e), 0) / Math.max(1, errors.length);
  // A floor (in standard deviations) keeps a noiseless series' targets finite.
  return { ...scaler, smoothing, errorScale: Math.max(meanAbsoluteError, 1e-3), correctionWeight: 1 };
}

export function concatWindows(parts: readonly PreparedWindows[]): PreparedWindows {
  const inputs = new Float32Array(parts.reduce((sum, part) => sum + part.inputs.length, 0));
  let offset = 0;
  for (const part of parts) {
    inputs.set(part.inputs, offset);
    offset += part.inputs.length;
  }
  return { channels: parts[0].channels, inputs, references: parts.flatMap((part) => part.references), outputScale: parts[0].outputScale };
}
