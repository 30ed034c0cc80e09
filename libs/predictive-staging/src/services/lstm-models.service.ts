import { Inject, Injectable } from '@nestjs/common';
import { type BacktestResult, type LstmConfig, LstmForecaster, rollingOriginBacktestAsync } from '@strata/analytics';
import { trainLstmInWorker } from '@strata/runtime';
import { Logger } from '@strata/observability';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { type BaselineBacktests, type ForecastPolicy, type LstmCandidate, firstBacktestOrigin, lstmConfigFor } from '../domain/forecast-plan';
import { LstmModelsRepository, StoredLstmModel } from '../repositories/lstm-models.repository';
import type { SeriesPoint } from '../repositories/series.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { lstmTrainingSeconds } from './predictive-metrics';

export const LSTM_METHOD = 'lstm';

/** An LSTM that took part in a series' backtest; dispose it once its forecast is made. */
export interface ServingLstm extends LstmCandidate {
  readonly modelId: string;
  dispose(): void;
}

export type LstmOutcome = { ok: true; lstm: ServingLstm } | { ok: false; reason: string };

/** The settings a saved model must share with the wanted one to be reused. */
const SHAPING_KEYS = ['lookback', 'horizon', 'units', 'reference', 'period'] as const satisfies readonly (keyof LstmConfig)[];

/**
 * The LSTM side of a forecast: reuses the series' saved model while it is fresh, else trains one
 * in a worker thread (so this event loop keeps serving) and saves it to PostgreSQL, then backtests
 * it on the same origins as the baselines.
 */
@Injectable()
export class LstmModelsService {
  private readonly logger = new Logger('lstm-models');
  /** Trainings run one at a time: each keeps a core busy, and requests for many series must not take them all. */
  private trainingQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly models: LstmModelsRepository,
    private readonly transactions: PredictiveTransactions,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  async compete(seriesId: string, points: readonly SeriesPoint[], baselines: BaselineBacktests, policy: ForecastPolicy, now: number): Promise<LstmOutcome> {
    const lstm = this.settings.lstm;
    if (!lstm.enabled) return { ok: false, reason: 'the LSTM is turned off (PREDICTIVE_LSTM_ENABLED=false)' };
    if (points.length < lstm.minPoints) return { ok: false, reason: `the series has ${points.length} values; the LSTM needs ${lstm.minPoints} (PREDICTIVE_LSTM_MIN_POINTS)` };
    // The model learns only from values before the first backtest origin, so its backtest is honest.
    const training = points.slice(0, firstBacktestOrigin(points.length, policy));
    const lastTrained = training[training.length - 1];
    if (lastTrained === undefined) return { ok: false, reason: 'no values before the first backtest origin' };
    const config = lstmConfigFor(training.length, baselines.period, lstm, policy.horizon);
    try {
      const stored = (await this.reusable(seriesId, config, lastTrained.at, now)) ?? (await this.train(seriesId, training, config));
      const forecaster = await LstmForecaster.load(stored.model);
      try {
        const values = points.map((point) => point.value);
        const backtest: BacktestResult = await rollingOriginBacktestAsync(values, LSTM_METHOD, (history) => forecaster.predict(history), baselines.options);
        return { ok: true, lstm: { modelId: stored.id, backtest, forecast: (history) => forecaster.predict(history), dispose: () => forecaster.dispose() } };
      } catch (error) {
        forecaster.dispose();
        throw error;
      }
    } catch (error) {
      const reason = `LSTM failed: ${(error as Error).message.split('\n')[0]}`;
      this.logger.warn('LSTM left out of the forecast', { seriesId, reason });
      return { ok: false, reason };
    }
  }

  /** Trains in a worker thread (after any training already running) and saves the model with its training figures. */
  train(seriesId: string, training: readonly SeriesPoint[], config: Partial<LstmConfig>): Promise<StoredLstmModel> {
    const queued = this.trainingQueue.then(() => this.trainNow(seriesId, training, config));
    this.trainingQueue = queued.catch(() => undefined);
    return queued;
  }

  private async trainNow(seriesId: string, training: readonly SeriesPoint[], config: Partial<LstmConfig>): Promise<StoredLstmModel> {
    const started = performance.now();
    const result = await trainLstmInWorker(
      training.map((point) => point.value),
      config,
    );
    const metrics = {
      epochSeconds: result.epochSeconds,
      trainingWindows: result.trainingWindows,
      validationWindows: result.validationWindows,
      trainingPoints: training.length,
      trainingSeconds: (performance.now() - started) / 1000,
    };
    lstmTrainingSeconds.observe(metrics.trainingSeconds);
    const trainedThrough = training[training.length - 1]?.at ?? 0;
    const stored = await this.transactions.run((manager) => this.models.save(manager, seriesId, result.model, metrics, trainedThrough));
    this.logger.info('LSTM trained and saved', { seriesId, modelId: stored.id, trainingSeconds: metrics.trainingSeconds, validationLoss: result.model.validationLoss });
    return stored;
  }

  async load(modelId: string): Promise<StoredLstmModel | null> {
    return this.models.findById(this.transactions.reader, modelId);
  }

  /** The newest saved model, if young enough, shaped like `config`, and trained only on values up to `trainedThrough`. */
  private async reusable(seriesId: string, config: Partial<LstmConfig>, trainedThrough: number, now: number): Promise<StoredLstmModel | null> {
    const newest = await this.models.newest(this.transactions.reader, seriesId);
    if (newest === null) return null;
    const fresh = now - newest.trainedAt.getTime() < this.settings.lstm.maxModelAgeMs;
    const sameShape = SHAPING_KEYS.every((key) => newest.model.config[key] === config[key]);
    return fresh && sameShape && newest.trainedThrough <= trainedThrough ? newest : null;
  }
}
