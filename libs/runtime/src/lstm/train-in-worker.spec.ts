import { existsSync } from 'node:fs';
import { LstmForecaster } from '@strata/analytics';
import { findTypeScriptRegister, trainLstmInWorker } from './train-in-worker';

describe(findTypeScriptRegister.name, () => {
  it('finds deploy/node/register.js above this directory', () => {
    const sut = findTypeScriptRegister();
    expect(sut.endsWith('deploy/node/register.js')).toBe(true);
    expect(existsSync(sut)).toBe(true);
  });
});

describe(trainLstmInWorker.name, () => {
  const sut = trainLstmInWorker;

  it('trains in a worker thread without blocking the event loop, returning a loadable model', async () => {
    const series = Array.from({ length: 300 }, (_, t) => Math.sin((2 * Math.PI * t) / 24));
    let worstLag = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstLag = Math.max(worstLag, now - last - 10);
      last = now;
    }, 10);
    const started = performance.now();
    const result = await sut(series, { lookback: 12, horizon: 3, units: 8, epochs: 3, batchSize: 32 }).finally(() => clearInterval(ticker));
    const elapsed = performance.now() - started;
    // The training takes seconds; the main loop never stalls for a large share of it.
    expect(worstLag).toBeLessThan(Math.max(250, elapsed / 4));
    expect(result.epochSeconds).toHaveLength(3);
    const forecaster = await LstmForecaster.load(result.model);
    try {
      expect(forecaster.predict(series).mean).toHaveLength(3);
    } finally {
      forecaster.dispose();
    }
  }, 30_000);

  it("returns a 'smoothing' model whose normaliser carries the smoothing constants", async () => {
    const series = Array.from({ length: 200 }, (_, t) => 5 + Math.sin((2 * Math.PI * t) / 12) + 0.1 * Math.cos(t * 7.3));
    const result = await sut(series, { lookback: 8, horizon: 4, units: 4, epochs: 2, batchSize: 32, reference: 'smoothing', period: 12, correctionWeights: [0, 1] });
    expect(result.model.scaler.smoothing?.period).toBe(12);
    expect(result.model.scaler.errorScale).toBeGreaterThan(0);
    expect([0, 1]).toContain(result.model.scaler.correctionWeight);
    const forecaster = await LstmForecaster.load(result.model);
    try {
      expect(forecaster.predict(series).mean).toHaveLength(4);
    } finally {
      forecaster.dispose();
    }
  }, 30_000);

  it('rejects with the worker error', async () => {
    await expect(sut([1, 2, 3], { lookback: 8, horizon: 2 })).rejects.toThrow(/LSTM training failed in worker/);
  }, 30_000);
});
