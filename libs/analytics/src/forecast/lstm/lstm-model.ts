import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Forecast } from '../types';
import { type StandardScaler, fitStandardScaler, scaleValues, unscaleValues } from './scaler';
import { quantile } from './windowing';

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
   */
  readonly reference: 'none' | 'last' | 'seasonal';
  /** Season length for reference 'seasonal'. */
  readonly period: number;
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
};

export interface LstmWindow {
  /** Network input: `lookback` transformed scaled values. */
  readonly input: number[];
  /** Per step, what the network's output is added to (scaled units). */
  readonly reference: number[];
}

/** Values before `end` needed for one window (lookback plus a season for 'seasonal'). */
export function lstmHistoryNeeded(config: Pick<LstmConfig, 'lookback' | 'reference' | 'period'>): number {
  return config.lookback + (config.reference === 'seasonal' ? config.period : 0);
}

/**
 * The network input and reference of the window whose forecast starts at index `end` of the
 * scaled series (only `scaled[..end)` is read).
 */
export function lstmWindow(scaled: readonly number[], end: number, config: Pick<LstmConfig, 'lookback' | 'horizon' | 'reference' | 'period'>): LstmWindow {
  const { lookback, horizon, reference, period } = config;
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
 * A trained model as storable data: Keras topology JSON, the weight bytes with their specs, the
 * scaler fitted on the training values, the interval residual quantiles and the tfjs version.
 */
export interface SavedLstmModel {
  readonly format: 'strata-lstm/1';
  readonly tfjsVersion: string;
  readonly config: LstmConfig;
  readonly scaler: StandardScaler;
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: Uint8Array;
  /** Validation residual (actual − forecast) quantiles per step: the interval is mean + [lower, upper]. */
  readonly residualQuantiles: { readonly lower: readonly number[]; readonly upper: readonly number[] };
  /** Validation MSE in scaled units, last epoch. */
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

function buildModel(config: LstmConfig): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.lstm({
      units: config.units,
      inputShape: [config.lookback, 1],
      kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed }),
      recurrentInitializer: tf.initializers.glorotUniform({ seed: config.seed + 1 }),
    }),
  );
  model.add(tf.layers.dense({ units: config.horizon, kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + 2 }) }));
  model.compile({ optimizer: tf.train.adam(config.learningRate), loss: 'meanSquaredError' });
  return model;
}

function windowTensor(windows: readonly (readonly number[])[], lookback: number): tf.Tensor3D {
  return tf.tensor3d(windows.map((window) => window.map((value) => [value])), [windows.length, lookback, 1]);
}

/** Runs the model on scaled input windows; returns scaled outputs (tensors disposed). */
function predictScaled(model: tf.LayersModel, windows: readonly (readonly number[])[], lookback: number): number[][] {
  if (windows.length === 0) return [];
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

async function toSaved(model: tf.LayersModel, config: LstmConfig, scaler: StandardScaler, residualQuantiles: SavedLstmModel['residualQuantiles'], validationLoss: number): Promise<SavedLstmModel> {
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

/**
 * Trains an LSTM on `train` in this thread (use {@link trainLstmInWorker} to keep an event loop
 * free). The scaler is fitted on the values the fitting windows cover, never on validation targets.
 */
export async function trainLstm(train: readonly number[], overrides: Partial<LstmConfig> = {}): Promise<LstmTrainingResult> {
  const config: LstmConfig = { ...DEFAULT_LSTM_CONFIG, ...overrides };
  await ensureTfBackend();
  if (config.reference === 'seasonal' && !(Number.isInteger(config.period) && config.period >= 1)) throw new RangeError(`reference 'seasonal' needs a period ≥ 1, got ${config.period}`);
  const firstEnd = lstmHistoryNeeded(config);
  const windowCount = train.length - firstEnd - config.horizon + 1;
  const validationWindows = Math.max(1, Math.floor(windowCount * config.validationFraction));
  const fitWindows = windowCount - validationWindows;
  if (fitWindows < 1) throw new RangeError(`LSTM needs more than ${firstEnd + config.horizon} training values (got ${train.length})`);
  // The fitting windows cover train[0 .. lastFitEnd + horizon); the scaler sees only those values.
  const lastFitEnd = firstEnd + fitWindows - 1;
  const scaler = fitStandardScaler(train.slice(0, lastFitEnd + config.horizon));
  const scaled = scaleValues(scaler, train);
  const windows = Array.from({ length: windowCount }, (_, i) => {
    const end = firstEnd + i;
    const window = lstmWindow(scaled, end, config);
    return { ...window, target: scaled.slice(end, end + config.horizon) };
  });
  const fitInputs = windows.slice(0, fitWindows).map((window) => window.input);
  const fitTargets = windows.slice(0, fitWindows).map((window) => window.target.map((value, h) => value - window.reference[h]));
  const model = buildModel(config);
  const epochSeconds: number[] = [];
  try {
    const x = windowTensor(fitInputs, config.lookback);
    const y = tf.tensor2d(fitTargets, [fitTargets.length, config.horizon]);
    let epochStart = 0;
    try {
      await model.fit(x, y, {
        epochs: config.epochs,
        batchSize: config.batchSize,
        shuffle: true,
        verbose: 0,
        callbacks: {
          onEpochBegin: async () => {
            epochStart = performance.now();
          },
          onEpochEnd: async () => {
            epochSeconds.push((performance.now() - epochStart) / 1000);
          },
        },
      });
    } finally {
      x.dispose();
      y.dispose();
    }
    const validation = windows.slice(fitWindows);
    const predicted = predictScaled(
      model,
      validation.map((window) => window.input),
      config.lookback,
    );
    let squared = 0;
    const residuals: number[][] = Array.from({ length: config.horizon }, () => []);
    predicted.forEach((row, i) => {
      const { target, reference } = validation[i];
      const actual = unscaleValues(scaler, target);
      const forecast = unscaleValues(
        scaler,
        row.map((value, h) => value + reference[h]),
      );
      row.forEach((value, h) => {
        squared += (value + reference[h] - target[h]) ** 2;
        residuals[h].push(actual[h] - forecast[h]);
      });
    });
    const tail = (1 - config.level) / 2;
    const residualQuantiles = { lower: residuals.map((r) => quantile(r, tail)), upper: residuals.map((r) => quantile(r, 1 - tail)) };
    const saved = await toSaved(model, config, scaler, residualQuantiles, squared / (predicted.length * config.horizon));
    return { model: saved, epochSeconds, trainingWindows: fitWindows, validationWindows };
  } finally {
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

  /** Forecasts for many histories in one batched `predict` (each needs ≥ lookback values). */
  predictMany(histories: readonly (readonly number[])[]): Forecast[] {
    const { config, scaler, residualQuantiles } = this.saved;
    const windows = histories.map((history) => {
      const needed = lstmHistoryNeeded(config);
      if (history.length < needed) throw new RangeError(`LSTM needs ${needed} history values, got ${history.length}`);
      return lstmWindow(scaleValues(scaler, history.slice(history.length - needed)), needed, config);
    });
    const outputs = predictScaled(
      this.model,
      windows.map((window) => window.input),
      config.lookback,
    );
    return outputs.map((row, i) => {
      const mean = unscaleValues(
        scaler,
        row.map((value, h) => value + windows[i].reference[h]),
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
