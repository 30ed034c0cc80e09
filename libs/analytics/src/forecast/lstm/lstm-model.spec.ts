import { rollingOriginBacktestAsync } from '../backtest';
import { LstmForecaster, fitLstmNormaliser, lstmHistoryNeeded, lstmWindow, smoothingWindows, trainLstm } from './lstm-model';
import { fitStandardScaler } from './scaler';

const series = Array.from({ length: 80 }, (_, t) => 20 + 5 * Math.sin((2 * Math.PI * t) / 12) + 0.05 * t);
const config = { lookback: 8, horizon: 4, units: 4, epochs: 2, batchSize: 32 };

describe(trainLstm.name, () => {
  const sut = trainLstm;

  it('fits the scaler on the fitting windows only and records each epoch', async () => {
    const result = await sut(series, config);
    // 80 − 8 − 4 + 1 = 69 windows, 15 % (10) held out: the fitting windows span values [0, 59 − 1 + 12).
    expect(result.validationWindows).toBe(10);
    expect(result.trainingWindows).toBe(59);
    expect(result.model.scaler).toEqual(fitStandardScaler(series.slice(0, 70)));
    expect(result.epochSeconds).toHaveLength(2);
    expect(result.model.tfjsVersion).toMatch(/^4\./);
    expect(result.model.residualQuantiles.lower).toHaveLength(4);
    result.model.residualQuantiles.lower.forEach((lower, h) => expect(lower).toBeLessThanOrEqual(result.model.residualQuantiles.upper[h]));
  });

  it('refuses a series too short for one fitting window', async () => {
    await expect(sut(series.slice(0, 12), config)).rejects.toThrow(RangeError);
  });
});

describe(LstmForecaster.name, () => {
  it('reloads from stored topology, weight bytes and scaler with identical predictions', async () => {
    const { model: saved } = await trainLstm(series, { ...config, epochs: 1 });
    const sut = await LstmForecaster.load(saved);
    // Through storage: the weights as bytes (a bytea column), everything else as JSON.
    const stored = JSON.parse(JSON.stringify({ ...saved, weightData: Buffer.from(saved.weightData).toString('base64') })) as typeof saved & { weightData: string };
    const reloaded = await LstmForecaster.load({ ...stored, weightData: new Uint8Array(Buffer.from(stored.weightData, 'base64')) });
    const resaved = await reloaded.save();
    try {
      const histories = [series.slice(0, 40), series.slice(0, 60), series];
      expect(reloaded.predictMany(histories)).toEqual(sut.predictMany(histories));
      expect(Buffer.from(resaved.weightData).equals(Buffer.from(saved.weightData))).toBe(true);
      const forecast = sut.predict(series);
      expect(forecast.mean).toHaveLength(4);
      forecast.mean.forEach((mean, h) => {
        expect(forecast.lower[h]).toBeCloseTo(mean + saved.residualQuantiles.lower[h], 9);
        expect(forecast.upper[h]).toBeCloseTo(mean + saved.residualQuantiles.upper[h], 9);
      });
      expect(() => sut.predict(series.slice(0, 7))).toThrow(RangeError);
    } finally {
      sut.dispose();
      reloaded.dispose();
    }
  });
});

describe(lstmWindow.name, () => {
  const sut = lstmWindow;
  const scaled = [1, 2, 3, 4, 5, 6, 7, 8];

  it("passes the values unchanged with reference 'none'", () => {
    expect(sut(scaled, 5, { lookback: 3, horizon: 2, reference: 'none', period: 1 })).toEqual({ input: [3, 4, 5], reference: [0, 0] });
  });

  it("offsets from the last value with reference 'last'", () => {
    expect(sut(scaled, 5, { lookback: 3, horizon: 2, reference: 'last', period: 1 })).toEqual({ input: [-2, -1, 0], reference: [5, 5] });
  });

  it("uses seasonal differences and the seasonal naive forecast with reference 'seasonal'", () => {
    const periodic = [10, 20, 30, 11, 21, 31, 12, 22];
    // end 8: inputs are y[i] − y[i−3] for i = 6, 7; references y[5], y[6], y[7], then y[5] again (two seasons back).
    expect(sut(periodic, 8, { lookback: 2, horizon: 4, reference: 'seasonal', period: 3 })).toEqual({ input: [1, 1], reference: [31, 12, 22, 31] });
  });

  it('refuses an end without enough history', () => {
    expect(lstmHistoryNeeded({ lookback: 2, reference: 'seasonal', period: 3 })).toBe(5);
    expect(() => sut(scaled, 4, { lookback: 2, horizon: 1, reference: 'seasonal', period: 3 })).toThrow(RangeError);
  });
});

describe(`${LstmForecaster.name} with a seasonal reference`, () => {
  it('forecasts from the history it needs after a save/load round trip', async () => {
    const { model } = await trainLstm(series, { ...config, epochs: 1, reference: 'seasonal', period: 12 });
    const sut = await LstmForecaster.load(model);
    const again = await LstmForecaster.load(await sut.save());
    try {
      expect(again.predict(series.slice(0, 50))).toEqual(sut.predict(series.slice(0, 50)));
      expect(() => sut.predict(series.slice(0, 19))).toThrow(RangeError);
    } finally {
      sut.dispose();
      again.dispose();
    }
  });
});

describe(smoothingWindows.name, () => {
  const sut = smoothingWindows;
  const scaled = series.map((value) => (value - 20) / 5);
  const normaliser = { smoothing: { alpha: 0.3, gamma: 0.2, period: 12 }, errorScale: 0.1 };

  it('reads nothing at or after a window end (no leakage from the values it forecasts)', () => {
    const perturbed = scaled.map((value, t) => (t >= 50 ? value + 7 * Math.cos(t) : value));
    const window = sut(scaled, [50], { lookback: 8, horizon: 4 }, normaliser);
    const again = sut(perturbed, [50], { lookback: 8, horizon: 4 }, normaliser);
    expect(Array.from(again.inputs)).toEqual(Array.from(window.inputs));
    expect(again.references).toEqual(window.references);
    // The window one step later sees the change.
    expect(Array.from(sut(perturbed, [51], { lookback: 8, horizon: 4 }, normaliser).inputs)).not.toEqual(Array.from(sut(scaled, [51], { lookback: 8, horizon: 4 }, normaliser).inputs));
  });

  it('feeds the deseasonalised deviation in error scales and the seasonal component', () => {
    const window = sut(scaled, [40, 60], { lookback: 8, horizon: 4 }, normaliser);
    expect(window.channels).toBe(2);
    expect(window.inputs).toHaveLength(2 * 8 * 2);
    expect(window.references).toHaveLength(2);
    expect(window.outputScale).toBe(0.1);
    expect(Math.max(...Array.from(window.inputs).map(Math.abs))).toBeLessThanOrEqual(10);
  });
});

describe(`${LstmForecaster.name} with a smoothing reference`, () => {
  const smoothingConfig = { ...config, epochs: 3, reference: 'smoothing' as const, period: 12, patience: 1, correctionWeights: [0, 0.5, 1] };

  it('fits its normaliser on the fitting values only', async () => {
    const { model, trainingWindows } = await trainLstm(series, smoothingConfig);
    // History needed 8 + 2 · 12 = 32; 80 − 32 − 4 + 1 = 45 windows, 6 held out: the fitting windows end at 32 … 70 and cover [0, 74).
    expect(trainingWindows).toBe(39);
    const { correctionWeight } = model.scaler;
    expect([0, 0.5, 1]).toContain(correctionWeight);
    expect(model.scaler).toEqual({ ...fitLstmNormaliser(series.slice(0, 74), smoothingConfig), correctionWeight });
    // Fitted on everything (validation targets included) it would differ.
    expect(fitLstmNormaliser(series, smoothingConfig)).not.toEqual(fitLstmNormaliser(series.slice(0, 74), smoothingConfig));
  });

  it('forecasts the same after a storage round trip, and only from the history before the origin', async () => {
    const { model } = await trainLstm(series.slice(0, 60), smoothingConfig);
    const sut = await LstmForecaster.load(model);
    const stored = JSON.parse(JSON.stringify({ ...model, weightData: Buffer.from(model.weightData).toString('base64') })) as typeof model & { weightData: string };
    const reloaded = await LstmForecaster.load({ ...stored, weightData: new Uint8Array(Buffer.from(stored.weightData, 'base64')) });
    try {
      const perturbed = series.map((value, t) => (t >= 70 ? -value : value));
      const backtest = async (values: readonly number[]) => {
        const forecasts: number[][] = [];
        const result = await rollingOriginBacktestAsync(
          values,
          'lstm',
          (history) => {
            const forecast = sut.predict(history);
            forecasts.push([...forecast.mean]);
            return forecast;
          },
          { horizon: 4, origins: 2, step: 6, period: 12 },
        );
        return { result, forecasts };
      };
      const a = await backtest(series);
      const b = await backtest(perturbed);
      // Origins 70 and 76: the forecast at 70 is made before the perturbed values (only its score
      // changes); the one at 76 has them in its history.
      expect(a.result.origins.map((origin) => origin.origin)).toEqual([70, 76]);
      expect(b.forecasts[0]).toEqual(a.forecasts[0]);
      expect(b.result.origins[0].mase).not.toBe(a.result.origins[0].mase);
      expect(b.forecasts[1]).not.toEqual(a.forecasts[1]);
      expect(reloaded.predictMany([series.slice(0, 50), series])).toEqual(sut.predictMany([series.slice(0, 50), series]));
      expect(() => sut.predict(series.slice(0, 31))).toThrow(RangeError);
    } finally {
      sut.dispose();
      reloaded.dispose();
    }
  });
});
