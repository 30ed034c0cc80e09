import { LstmForecaster, baselineMethods } from '@strata/analytics';
import { eventually } from '@strata/testing';
import { ForecastSchedulerService } from './services/forecast-scheduler.service';
import { LstmModelsService } from './services/lstm-models.service';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';
import { START, WINDOW_MS, aSeries, feedWindows, seasonalSeries } from './test-support/series-fixtures';

interface ForecastBody {
  id: string;
  seriesId: string;
  historyPoints: number;
  period: number;
  points: { at: string; value: number; lower: number; upper: number }[];
  model: { kind: string; method: string; reason: string; explanation: string; bestBaseline: string; lstmMase: number | null; ratio: number | null; lstmModelId: string | null; lstmUnavailableBecause: string | null };
  backtest: { method: string; mase: number | null; smape: number | null; coverage: number | null }[];
}

const HORIZON = 6;
const LEVEL = 0.9;

describe('predictive-staging forecasts', () => {
  describe('when the LSTM loses to the best baseline', () => {
    let sut: PredictiveStagingTestApp;
    const series = aSeries();
    const values = seasonalSeries(200);

    beforeAll(async () => {
      // A bar no small LSTM clears (20× better than the best baseline), so the outcome never hangs on training noise.
      sut = await startPredictiveStagingTestApp('ps-forecast-loses', testSettings({ lstm: { enabled: true }, forecast: { maxLstmRatio: 0.05, horizon: HORIZON, level: LEVEL } }));
      await feedWindows(sut, 'seasonal', series, values);
      await feedWindows(sut, 'short', aSeries({ stack: series.stack, metric: 'cpu_utilisation' }), seasonalSeries(100));
      await feedWindows(sut, 'new', aSeries({ stack: series.stack, metric: 'db_query_ms' }), seasonalSeries(10));
    }, 120_000);

    afterAll(async () => {
      await sut?.close();
    });

    let first: ForecastBody;

    it('serves the best baseline, says why, and shows every backtest', async () => {
      const response = await sut.http().post('/v1/series/seasonal/forecasts').expect(201);
      first = response.body as ForecastBody;
      expect(first.model).toMatchObject({ kind: 'baseline', reason: 'lstm-not-better', lstmUnavailableBecause: null });
      expect(first.model.method).toBe(first.model.bestBaseline);
      expect(first.model.lstmModelId).toEqual(expect.any(String));
      expect(first.model.ratio).toBeGreaterThanOrEqual(0.05);
      expect(first.model.explanation).toContain(`so ${first.model.method} serves`);
      expect(first.backtest.map((accuracy) => accuracy.method)).toEqual(['naive', 'seasonal-naive', 'ses', 'holt', 'holt-winters', 'theta', 'lstm']);
      expect(first.model.lstmMase).toBe(first.backtest.find((accuracy) => accuracy.method === 'lstm')?.mase);
      expect(first.period).toBe(12);
      expect(first.historyPoints).toBe(200);
    }, 120_000);

    it('forecasts the next windows with the chosen baseline fitted to the whole history', () => {
      const method = baselineMethods(12).find((candidate) => candidate.name === first.model.method);
      const expected = method!.fitTo(values).forecast(HORIZON, LEVEL);
      expect(first.points.map((point) => point.value)).toEqual(expected.mean);
      expect(first.points.map((point) => point.lower)).toEqual(expected.lower);
      expect(first.points.map((point) => point.upper)).toEqual(expected.upper);
      expect(first.points.map((point) => Date.parse(point.at))).toEqual(Array.from({ length: HORIZON }, (_, h) => START + (200 + 1 + h) * WINDOW_MS));
    });

    it('publishes the forecast through the outbox', async () => {
      const event = await eventually(() => {
        const found = sut.published.find((candidate) => candidate.type === 'io.strata.forecast.published.v1');
        expect(found).toBeDefined();
        return found!;
      });
      expect(event.data).toMatchObject({ forecastId: first.id, seriesId: 'seasonal', series, horizon: HORIZON, stepMs: WINDOW_MS, model: { kind: 'baseline', reason: 'lstm-not-better' } });
      expect((event.data as { values: number[] }).values).toEqual(first.points.map((point) => point.value));
    });

    it('reuses the saved model while it is fresh instead of training again', async () => {
      const second = (await sut.http().post('/v1/series/seasonal/forecasts').expect(201)).body as ForecastBody;
      expect(second.model.lstmModelId).toBe(first.model.lstmModelId);
      const { rows } = await sut.sql.query<{ count: string }>('SELECT count(*) FROM staging.lstm_models');
      expect(Number(rows[0]!.count)).toBe(1);
    }, 60_000);

    it('backtests baselines alone when the history is too short for the LSTM, and says so', async () => {
      const short = (await sut.http().post('/v1/series/short/forecasts').expect(201)).body as ForecastBody;
      expect(short.model).toMatchObject({ kind: 'baseline', reason: 'lstm-unavailable', lstmModelId: null, lstmMase: null });
      expect(short.model.lstmUnavailableBecause).toMatch(/has 100 values; the LSTM needs 150 \(PREDICTIVE_LSTM_MIN_POINTS\)/);
      expect(short.backtest.map((accuracy) => accuracy.method)).not.toContain('lstm');
    });

    it('lists forecasts newest first and reads one or the newest of a series', async () => {
      const list = await sut.http().get('/v1/forecasts').query({ seriesId: 'seasonal' }).expect(200);
      expect(list.body.items).toHaveLength(2);
      expect(Number(list.body.items[0].id)).toBeGreaterThan(Number(list.body.items[1].id));
      const page = await sut.http().get('/v1/forecasts').query({ stack: series.stack, limit: 1 }).expect(200);
      expect(page.body.items).toHaveLength(1);
      const next = await sut.http().get('/v1/forecasts').query({ stack: series.stack, limit: 1, after: page.body.nextCursor }).expect(200);
      expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
      const byId = await sut.http().get(`/v1/forecasts/${first.id}`).expect(200);
      expect(byId.body).toEqual(first);
      const newest = await sut.http().get('/v1/series/seasonal/forecast').expect(200);
      expect(newest.body.id).toBe(list.body.items[0].id);
    });

    it('documents its routes in OpenAPI and counts its work on /metrics', async () => {
      const docs = await sut.http().get('/docs-json').expect(200);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/anomalies', '/v1/anomalies/{id}', '/v1/forecasts', '/v1/forecasts/{id}', '/v1/series/{seriesId}/forecast', '/v1/series/{seriesId}/forecasts']));
      const metrics = await sut.http().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/strata_predictive_forecasts_total\{kind="baseline",reason="lstm-not-better"\} [1-9]/);
      expect(metrics.text).toMatch(/strata_predictive_windows_judged_total [1-9]/);
      expect(metrics.text).toMatch(/strata_predictive_lstm_training_seconds_count [1-9]/);
    });

    it('refuses what cannot be forecast with problem+json', async () => {
      const young = await sut.http().post('/v1/series/new/forecasts').expect(412);
      expect(young.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(young.body.detail).toMatch(/has 10 values; a forecast needs at least 60 \(PREDICTIVE_FORECAST_MIN_POINTS\)/);
      await sut.http().post('/v1/series/unknown/forecasts').expect(404);
      await sut.http().get('/v1/series/short-never-forecast/forecast').expect(404);
      const limit = await sut.http().get('/v1/forecasts').query({ limit: 0 }).expect(422);
      expect(limit.body.errors.map((error: { field: string }) => error.field)).toContain('limit');
    });
  });

  describe('when the LSTM beats the best baseline', () => {
    let sut: PredictiveStagingTestApp;
    const values = seasonalSeries(200, 12, 11);

    beforeAll(async () => {
      // A bar any trained LSTM clears, so this side of the choice is exercised deterministically.
      sut = await startPredictiveStagingTestApp('ps-forecast-wins', testSettings({ lstm: { enabled: true }, forecast: { maxLstmRatio: 100, horizon: HORIZON, level: LEVEL } }));
      await feedWindows(sut, 'seasonal', aSeries(), values);
    }, 120_000);

    afterAll(async () => {
      await sut?.close();
    });

    it('serves the LSTM, whose model reloaded from PostgreSQL predicts exactly the served values', async () => {
      const { forecast } = await sut.app.get(ForecastSchedulerService).runRound().then(async (round) => {
        expect(round).toEqual({ forecast: 1, failed: 0 });
        const list = await sut.http().get('/v1/forecasts').query({ seriesId: 'seasonal' }).expect(200);
        return { forecast: list.body.items[0] as ForecastBody };
      });
      expect(forecast.model).toMatchObject({ kind: 'lstm', method: 'lstm', reason: 'lstm-beat-best-baseline' });
      expect(forecast.model.explanation).toMatch(/so the LSTM serves$/);

      const stored = await sut.app.get(LstmModelsService).load(forecast.model.lstmModelId!);
      const reloaded = await LstmForecaster.load(stored!.model);
      try {
        const prediction = reloaded.predict(values);
        expect(forecast.points.map((point) => point.value)).toEqual(prediction.mean);
        expect(forecast.points.map((point) => point.lower)).toEqual(prediction.lower);
        expect(forecast.points.map((point) => point.upper)).toEqual(prediction.upper);
      } finally {
        reloaded.dispose();
      }
      expect(stored!.metrics.epochSeconds).toHaveLength(3);
      expect(stored!.model.config).toMatchObject({ horizon: HORIZON, lookback: 12, units: 8, reference: 'smoothing', period: 12 });
    }, 120_000);
  });
});
