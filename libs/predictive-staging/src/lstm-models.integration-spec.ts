import { LstmForecaster } from '@strata/analytics';
import { trainLstmInWorker } from '@strata/runtime';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LstmModelsRepository } from './repositories/lstm-models.repository';
import { PredictiveTransactions } from './repositories/transactions';
import { LstmModelsService } from './services/lstm-models.service';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp } from './test-support/predictive-staging-test-app';
import { START, WINDOW_MS, seasonalSeries } from './test-support/series-fixtures';

const CONFIG = { lookback: 12, horizon: 6, units: 8, epochs: 3, batchSize: 32, reference: 'seasonal' as const, period: 12 };

describe('predictive-staging LSTM models', () => {
  let sut: PredictiveStagingTestApp;
  const values = seasonalSeries(300, 12, 5);

  beforeAll(async () => {
    sut = await startPredictiveStagingTestApp('ps-lstm-models');
    for (const id of ['round-trip', 'lag']) {
      await sut.sql.query(`INSERT INTO staging.series (series_id, stack, environment, component, metric) VALUES ($1, 'checkout', 'production', 'checkout-api', 'latency_ms')`, [id]);
    }
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('saves a trained model to PostgreSQL and reloads it with identical predictions', async () => {
    const trained = await trainLstmInWorker(values, CONFIG);
    const repository = sut.app.get(LstmModelsRepository);
    const transactions = sut.app.get(PredictiveTransactions);
    const metrics = { epochSeconds: trained.epochSeconds, trainingWindows: trained.trainingWindows, validationWindows: trained.validationWindows, trainingPoints: values.length, trainingSeconds: 1 };
    const saved = await transactions.run((manager) => repository.save(manager, 'round-trip', trained.model, metrics, START + values.length * WINDOW_MS));
    const reloaded = await repository.findById(transactions.reader, saved.id);

    expect(reloaded!.model.tfjsVersion).toBe(trained.model.tfjsVersion);
    expect(reloaded!.model.scaler).toEqual(trained.model.scaler);
    expect(reloaded!.model.config).toEqual(trained.model.config);
    expect(reloaded!.model.residualQuantiles).toEqual(trained.model.residualQuantiles);
    expect(reloaded!.model.modelTopology).toEqual(trained.model.modelTopology);
    expect(Buffer.from(reloaded!.model.weightData).equals(Buffer.from(trained.model.weightData))).toBe(true);
    expect(reloaded!.trainedThrough).toBe(START + values.length * WINDOW_MS);

    const original = await LstmForecaster.load(trained.model);
    const fromDatabase = await LstmForecaster.load(reloaded!.model);
    try {
      // Several histories in one batch, including the newest: the numbers must be equal, not close.
      const histories = [values, values.slice(0, 250), values.slice(0, 100).map((value) => value * 1.5)];
      const expected = original.predictMany(histories);
      const actual = fromDatabase.predictMany(histories);
      expect(actual).toEqual(expected);
      expect(actual[0]!.mean).toHaveLength(CONFIG.horizon);
    } finally {
      original.dispose();
      fromDatabase.dispose();
    }
  }, 120_000);

  it('trains in a worker thread without blocking the event loop', async () => {
    const service = sut.app.get(LstmModelsService);
    const points = seasonalSeries(600, 12, 9).map((value, i) => ({ at: START + (i + 1) * WINDOW_MS, value }));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const stored = await service.train('lag', points, { ...CONFIG, units: 16, epochs: 8 });
    const elapsedMs = performance.now() - started;
    delay.disable();
    const p99Ms = delay.percentile(99) / 1e6;
    const p50Ms = delay.percentile(50) / 1e6;
    const maxMs = delay.max / 1e6;
    process.stdout.write(`LSTM training ${elapsedMs.toFixed(0)} ms; event-loop delay p50 ${p50Ms.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms\n`);
    // The measurement spans real work (seconds of training), and the loop answered throughout.
    expect(elapsedMs).toBeGreaterThan(500);
    expect(stored.metrics.epochSeconds).toHaveLength(8);
    // On a loaded 2-core machine the worker and jest compete for the cores, so p99 gets 300 ms, not
    // 100. That alone would not catch training on the main thread: tfjs yields there only every
    // ~125 ms, which measured p99 240-440 ms. The median catches it: ~145 ms on the main thread
    // (every sample waits out a 125 ms slice), ~11 ms with the worker.
    expect(p99Ms).toBeLessThan(300);
    expect(p50Ms).toBeLessThan(60);
    const { rows } = await sut.sql.query<{ count: string }>("SELECT count(*) FROM staging.lstm_models WHERE series_id = 'lag'");
    expect(Number(rows[0]!.count)).toBe(1);
  }, 120_000);

  it('runs trainings one at a time, so many series cannot take every core', async () => {
    const service = sut.app.get(LstmModelsService);
    const points = values.map((value, i) => ({ at: START + (i + 1) * WINDOW_MS, value }));
    const started = performance.now();
    const [first, second] = await Promise.all([service.train('round-trip', points, CONFIG), service.train('lag', points, CONFIG)]);
    const elapsedSeconds = (performance.now() - started) / 1000;
    // Each figure covers only its own training: run in turn, they add up within the elapsed time.
    expect(elapsedSeconds).toBeGreaterThanOrEqual(first.metrics.trainingSeconds + second.metrics.trainingSeconds);
  }, 120_000);
});
