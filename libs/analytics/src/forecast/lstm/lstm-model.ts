import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Forecast } from '../types';
import { type LstmNormaliser, type PreparedWindows, concatWindows, fitLstmNormaliser, lstmHistoryNeeded, prepareWindows } from './lstm-windows';
import { scaleValues, unscaleValues } from './scaler';
import { quantile } from './windowing';

export { type LstmNormaliser, type LstmWindow, fitLstmNormaliser, lstmHistoryNeeded, lstmWindow, smoothingWindows } from './lstm-windows';

export interface LstmConfig {
  /** Input window length. */
  readonly lookback: number;
  /** Steps forecast at once (direct multi-output). */
  readonly horizon: number;
  readonly units: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Share of the newest windows held out for the interval residuals (and never used for fitting). */
  readonly validationFraction: number;
  /** Central interval level of the residual-quantile intervals. */
  readonly level: number;
  /** Weight-initialisation seed. */
  readonly seed: number;
  /**
   * What the network forecasts relative to: 'none' (the scaled values), 'last' (offsets from the
   * last input value, inputs likewise) or 'seasonal' (offsets from the seasonal naive forecast of
   * `period`, inputs as seasonal differences) — the network learns a correction to a baseline.
   * 'smoothing' (ES-RNN style): an exponential-smoothing model (level and additive season, fitted
   * on the fitting values) deseasonalises each window and normalises it by its last level and the
   * one-step error scale; the network forecasts the correction to that model's forecast, and sees
   * the seasonal component as a second input.
   */
  readonly reference: 'none' | 'last' | 'seasonal' | 'smoothing';
  /** Season length for references 'seasonal' and 'smoothing'. */
  readonly period: number;
  /** Training loss: 'mae' aims at the median, which MASE rewards and spikes do not drag. */
  readonly loss: 'mse' | 'mae';
  /**
   * Early stopping: stop after this many epochs without a better validation loss and keep the best
   * epoch's weights (0: run every epoch, still keeping the best weights).
   */
  readonly patience: number;
  /**
   * Candidate weights of the network's correction (reference 'smoothing'): the forecast is the
   * smoothing forecast plus weight × correction, the weight chosen on the validation windows.
   * [1] uses the network as it is.
   */
  readonly correctionWeights: readonly number[];
}

export const DEFAULT_LSTM_CONFIG: LstmConfig = {
  lookback: 24,
  horizon: 12,
  units: 32,
  epochs: 10,
  batchSize: 128,
  learningRate: 0.005,
  validationFraction: 0.15,
  level: 0.95,
  seed: 7,
  reference: 'none',
  period: 1,
  loss: 'mae',
  patience: 0,
  correctionWeights: [1],
};

/**
 * A trained model as storable data: Keras topology JSON, the weight bytes with their specs, the
 * scaler fitted on the training values, the interval residual quantiles and the tfjs version.
 */
export interface SavedLstmModel {
  readonly format: 'strata-lstm/1';
  readonly tfjsVersion: string;
  readonly config: LstmConfig;
  readonly scaler: LstmNormaliser;
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: Uint8Array;
  /** Validation residual (actual − forecast) quantiles per step: the interval is mean + [lower, upper]. */
  readonly residualQuantiles: { readonly lower: readonly number[]; readonly upper: readonly number[] };
  /** Validation loss (`config.loss`) of the epoch kept, in the network's output units. */
  readonly validationLoss: number;
}

export interface LstmTrainingResult {
  readonly model: SavedLstmModel;
  /** Wall seconds of each training epoch. */
  readonly epochSeconds: readonly number[];
  readonly trainingWindows: number;
  readonly validationWindows: number;
}

let backendReady: Promise<string> | null = null;

/** Selects the wasm backend once per thread (tfjs-node is not used: it is not installed here). */
export function ensureTfBackend(): Promise<string> {
  backendReady ??= (async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    return tf.getBackend();
  })();
  return backendReady;
}

function buildModel(config: LstmConfig, channels: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.lstm({
      units: config.units,
      inputShape: [config.lookback, channels],
      kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed }),
      recurrentInitializer: tf.initializers.glorotUniform({ seed: config.seed + 1 }),
    }),
  );
  model.add(tf.layers.dense({ units: config.horizon, kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + 2 }) }));
  model.compile({ optimizer: tf.train.adam(config.learningRate), loss: config.loss === 'mae' ? 'meanAbsoluteError' : 'meanSquaredError' });
  return model;
}

function windowTensor(windows: PreparedWindows, lookback: number): tf.Tensor3D {
  return tf.tensor3d(windows.inputs, [windows.references.length, lookback, windows.channels]);
}

/** Runs the model on prepared windows; returns the raw network outputs (tensors disposed). */
function predictOutputs(model: tf.LayersModel, windows: PreparedWindows, lookback: number): number[][] {
  if (windows.references.length === 0) return [];
  const output = tf.tidy(() => {
    const result = model.predict(windowTensor(windows, lookback));
    if (Array.isArray(result)) throw new Error('LSTM model has one output');
    return result as tf.Tensor2D;
  });
  try {
    return output.arraySync();
  } finally {
    output.dispose();
  }
}

async function toSaved(model: tf.LayersModel, config: LstmConfig, scaler: LstmNormaliser, residualQuantiles: SavedLstmModel['residualQuantiles'], validationLoss: number): Promise<SavedLstmModel> {
  const captured: { artifacts: tf.io.ModelArtifacts | null } = { artifacts: null };
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured.artifacts = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = captured.artifacts;
  if (artifacts === null) throw new Error('model.save did not hand over artifacts');
  const { modelTopology, weightSpecs, weightData } = artifacts;
  if (modelTopology === undefined || modelTopology instanceof ArrayBuffer || weightSpecs === undefined || weightData === undefined) {
    throw new Error('model artifacts lack topology JSON or weights');
  }
  return {
    format: 'strata-lstm/1',
    tfjsVersion: tf.version.tfjs,
    config,
    scaler,
    modelTopology,
    weightSpecs,
    weightData: new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData).slice(0)),
    residualQuantiles,
    validationLoss,
  };
}

/** Network targets: what each window's reference misses, in output units. */
function windowTargets(scaled: readonly number[], ends: readonly number[], windows: PreparedWindows, horizon: number): number[][] {
  return ends.map((end, w) => Array.from({ length: horizon }, (_, h) => (scaled[end + h] - windows.references[w][h]) / windows.outputScale));
}

function meanLoss(outputs: readonly (readonly number[])[], targets: readonly (readonly number[])[], loss: LstmConfig['loss'], weight = 1): number {
  let sum = 0;
  let count = 0;
  outputs.forEach((row, w) =>
    row.forEach((value, h) => {
      const error = targets[w][h] - weight * value;
      sum += loss === 'mae' ? Math.abs(error) : error * error;
      count++;
    }),
  );
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * Trains an LSTM on `train` in this thread (use {@link trainLstmInWorker} to keep an event loop
 * free). The normaliser is fitted on the values the fitting windows cover, never on validation
 * targets; the validation windows (the newest) choose the epoch kept, the correction weight and
 * the interval residuals.
 */
export async function trainLstm(train: readonly number[], overrides: Partial<LstmConfig> = {}): Promise<LstmTrainingResult> {
  const config: LstmConfig = { ...DEFAULT_LSTM_CONFIG, ...overrides };
  await ensureTfBackend();
  if ((config.reference === 'seasonal' || config.reference === 'smoothing') && !(Number.isInteger(config.period) && config.period >= 1)) {
    throw new RangeError(`reference '${config.reference}' needs a period ≥ 1, got ${config.period}`);
  }
  if (config.correctionWeights.length === 0) throw new RangeError('correctionWeights needs at least one candidate');
  const firstEnd = lstmHistoryNeeded(config);
  const windowCount = train.length - firstEnd - config.horizon + 1;
  const validationWindows = Math.max(1, Math.floor(windowCount * config.validationFraction));
  const fitWindows = windowCount - validationWindows;
  if (fitWindows < 1) throw new RangeError(`LSTM needs more than ${firstEnd + config.horizon} training values (got ${train.length})`);
  // The fitting windows cover train[0 .. lastFitEnd + horizon); the normaliser sees only those values.
  const lastFitEnd = firstEnd + fitWindows - 1;
  const fitted = fitLstmNormaliser(train.slice(0, lastFitEnd + config.horizon), config);
  const scaled = scaleValues(fitted, train);
  const ends = Array.from({ length: windowCount }, (_, i) => firstEnd + i);
  const fitEnds = ends.slice(0, fitWindows);
  const validationEnds = ends.slice(fitWindows);
  const fitPrepared = prepareWindows(scaled, fitEnds, config, fitted);
  const validation = prepareWindows(scaled, validationEnds, config, fitted);
  const validationTargets = windowTargets(scaled, validationEnds, validation, config.horizon);
  const model = buildModel(config, fitPrepared.channels);
  const epochSeconds: number[] = [];
  let best: { loss: number; epoch: number; weights: tf.Tensor[]; outputs: number[][] } | null = null;
  try {
    const x = windowTensor(fitPrepared, config.lookback);
    const y = tf.tensor2d(windowTargets(scaled, fitEnds, fitPrepared, config.horizon), [fitWindows, config.horizon]);
    try {
      for (let epoch = 0; epoch < config.epochs; epoch++) {
        // The epoch's time includes its validation pass: early stopping is part of training.
        const started = performance.now();
        await model.fit(x, y, { epochs: 1, batchSize: config.batchSize, shuffle: true, verbose: 0 });
        const outputs = predictOutputs(model, validation, config.lookback);
        const loss = meanLoss(outputs, validationTargets, config.loss);
        if (best === null || loss < best.loss) {
          best?.weights.forEach((weight) => weight.dispose());
          best = { loss, epoch, weights: model.getWeights().map((weight) => weight.clone()), outputs };
        }
        epochSeconds.push((performance.now() - started) / 1000);
        if (config.patience > 0 && epoch - best.epoch >= config.patience) break;
      }
    } finally {
      x.dispose();
      y.dispose();
    }
    if (best === null) throw new RangeError('LSTM needs at least one epoch');
    model.setWeights(best.weights);
    const outputs = best.outputs;
    const correctionWeight =
      config.reference === 'smoothing' ? config.correctionWeights.reduce((chosen, weight) => (meanLoss(outputs, validationTargets, 'mae', weight) < meanLoss(outputs, validationTargets, 'mae', chosen) ? weight : chosen)) : 1;
    const normaliser: LstmNormaliser = config.reference === 'smoothing' ? { ...fitted, correctionWeight } : fitted;
    const residuals: number[][] = Array.from({ length: config.horizon }, () => []);
    outputs.forEach((row, w) => {
      const end = validationEnds[w];
      const actual = train.slice(end, end + config.horizon);
      const forecast = unscaleValues(
        normaliser,
        row.map((value, h) => validation.references[w][h] + validation.outputScale * correctionWeight * value),
      );
      forecast.forEach((value, h) => residuals[h].push(actual[h] - value));
    });
    const tail = (1 - config.level) / 2;
    const residualQuantiles = { lower: residuals.map((r) => quantile(r, tail)), upper: residuals.map((r) => quantile(r, 1 - tail)) };
    const saved = await toSaved(model, config, normaliser, residualQuantiles, best.loss);
    return { model: saved, epochSeconds, trainingWindows: fitWindows, validationWindows };
  } finally {
    best?.weights.forEach((weight) => weight.dispose());
    model.dispose();
  }
}

/** A loaded LSTM that forecasts from history; call {@link dispose} when done. */
export class LstmForecaster {
  private constructor(
    readonly saved: SavedLstmModel,
    private readonly model: tf.LayersModel,
  ) {}

  /** Rebuilds the model from its stored topology and weight bytes (`tf.io.fromMemory`). */
  static async load(saved: SavedLstmModel): Promise<LstmForecaster> {
    if (saved.format !== 'strata-lstm/1') throw new Error(`unknown LSTM model format '${String(saved.format)}'`);
    await ensureTfBackend();
    const weightData = saved.weightData.buffer.slice(saved.weightData.byteOffset, saved.weightData.byteOffset + saved.weightData.byteLength);
    // A JSON copy: the topology may come from another realm (a worker message, a vm context), and
    // tfjs-layers checks `instanceof Array` while deserialising.
    const modelTopology = JSON.parse(JSON.stringify(saved.modelTopology)) as object;
    const weightSpecs = JSON.parse(JSON.stringify(saved.weightSpecs)) as tf.io.WeightsManifestEntry[];
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
    return new LstmForecaster(saved, model);
  }

  /** Serialises the loaded model again (the same bytes it was loaded from, for an unchanged model). */
  async save(): Promise<SavedLstmModel> {
    return toSaved(this.model, this.saved.config, this.saved.scaler, this.saved.residualQuantiles, this.saved.validationLoss);
  }

  get horizon(): number {
    return this.saved.config.horizon;
  }

  /** Forecasts for many histories in one batched `predict` (each needs ≥ lookback values, plus a season for seasonal references). */
  predictMany(histories: readonly (readonly number[])[]): Forecast[] {
    if (histories.length === 0) return [];
    const { config, scaler, residualQuantiles } = this.saved;
    const needed = lstmHistoryNeeded(config);
    const windows = concatWindows(
      histories.map((history) => {
        if (history.length < needed) throw new RangeError(`LSTM needs ${needed} history values, got ${history.length}`);
        // The smoothing states run over the whole history (they are causal); the other references need only the window.
        const used = config.reference === 'smoothing' ? history : history.slice(history.length - needed);
        return prepareWindows(scaleValues(scaler, used), [used.length], config, scaler);
      }),
    );
    const weight = config.reference === 'smoothing' ? (scaler.correctionWeight ?? 1) : 1;
    const outputs = predictOutputs(this.model, windows, config.lookback);
    return outputs.map((row, i) => {
      const mean = unscaleValues(
        scaler,
        row.map((value, h) => windows.references[i][h] + windows.outputScale * weight * value),
      );
      return {
        mean,
        lower: mean.map((value, h) => value + residualQuantiles.lower[h]),
        upper: mean.map((value, h) => value + residualQuantiles.upper[h]),
      };
    });
  }

  predict(history: readonly number[]): Forecast {
    return this.predictMany([history])[0];
  }

  dispose(): void {
    this.model.dispose();
  }
}
