import type { KpiSeriesLabels } from '@strata/contracts';
import { aStackName, eventually } from '@strata/testing';
import { ForecastsRepository } from './repositories/forecasts.repository';
import { PredictiveTransactions } from './repositories/transactions';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';
import { noise } from './test-support/series-fixtures';

interface LbWeightsProposal {
  id: string;
  kind: string;
  status: string;
  component: string;
  reason: string;
  target: { stackConfig: string; horizonStart: string; peakAt: string };
  change: { type: string; current: Record<string, number>; weights: Record<string, number>; peakAt: string; horizon: { start: string; end: string; stepMs: number; steps: number } };
  evidence: { forecasts: { forecastId: string; node: string; method: string; mase: number; baseline: string; baselineMase: number }[] };
  expected: { peakAt: string; maxPeakLoadBefore: number; maxPeakLoadAfter: number; nodes: { node: string; peakLoadBefore: number; peakLoadAfter: number }[] };
  staging: { method: string; peakAt: string; validated: boolean; shares: Record<string, number>; reason: string } | null;
}

const LOAD = 'gateway_requests_total';
/** One-minute windows, so the six-step horizon (and its peak) lies minutes ahead of the test. */
const STEP_MS = 60_000;
const POINTS = 80;

/**
 * Issue [P] point 4 on the real PostgreSQL and the in-memory bus: per-node load forecasts where one
 * node's load rises toward a peak → an lb-weights proposal shifting weight away from it, with the
 * forecast peak as the staging deadline; forecasts no better than a baseline → none, with why.
 */
describe('predictive-staging lb-weights proposals', () => {
  let sut: PredictiveStagingTestApp;
  const stack = aStackName('ps-lb');
  const labels = (node: string, onStack = stack): KpiSeriesLabels => ({ stack: onStack, environment: 'production', component: 'shop-api', stackConfig: `${onStack}@1`, node, metric: LOAD });
  // The last window ends now: the forecast's horizon starts now and its peak lies minutes ahead.
  const firstWindow = Math.floor(Date.now() / STEP_MS) * STEP_MS - POINTS * STEP_MS;

  const feed = async (seriesId: string, series: KpiSeriesLabels, values: readonly number[]) => {
    for (const [i, value] of values.entries()) await sut.publishWindow(seriesId, series, firstWindow + i * STEP_MS, value, STEP_MS);
    await eventually(async () => {
      const { rows } = await sut.sql.query<{ windows_seen: number }>('SELECT windows_seen FROM staging.series WHERE series_id = $1', [seriesId]);
      expect(rows[0]?.windows_seen).toBe(values.length);
    }, 60_000);
  };
  const fields = (body: { errors: { field: string }[] }) => [...new Set(body.errors.map((error) => error.field))];
  const lbProposals = async (onStack: string) => (await sut.http().get(`/v1/proposals?kind=lb-weights&stack=${onStack}`).expect(200)).body.items as LbWeightsProposal[];

  beforeAll(async () => {
    sut = await startPredictiveStagingTestApp('ps-lb-weights', testSettings());
    const rising = noise(3);
    const flat = noise(5);
    await feed(`${stack}-a`, labels('node-a'), Array.from({ length: POINTS }, (_, t) => 100 + 3 * t + 2 * rising()));
    await feed(`${stack}-b`, labels('node-b'), Array.from({ length: POINTS }, () => 100 + 2 * flat()));
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
  });

  it('proposes weights shifted away from the node whose forecast load rises, with the peak time and the expected effect', async () => {
    await sut.http().post(`/v1/series/${stack}-b/forecasts`).expect(201);
    expect(await lbProposals(stack)).toEqual([]); // one node's forecast weighs nothing
    const forecastOfA = (await sut.http().post(`/v1/series/${stack}-a/forecasts`).expect(201)).body as { id: string; points: { at: string; value: number }[] };

    const [proposal, ...others] = await lbProposals(stack);
    expect(others).toEqual([]);
    expect(proposal).toMatchObject({ kind: 'lb-weights', status: 'proposed', component: 'shop-api', change: { type: 'lb-rule', current: { 'node-a': 50, 'node-b': 50 } } });
    const { weights } = proposal!.change;
    expect(weights['node-a']).toBeLessThan(50);
    expect((weights['node-a'] ?? 0) + (weights['node-b'] ?? 0)).toBe(100);
    // The rising node peaks at the end of the horizon, which is the peak of the two.
    expect(proposal!.change.peakAt).toBe(forecastOfA.points[forecastOfA.points.length - 1]?.at);
    expect(proposal!.target.peakAt).toBe(proposal!.change.peakAt);
    expect(Date.parse(proposal!.change.peakAt)).toBeGreaterThan(Date.now());
    expect(proposal!.expected.maxPeakLoadAfter).toBeLessThan(proposal!.expected.maxPeakLoadBefore);
    expect(proposal!.evidence.forecasts.map((forecast) => forecast.node).sort()).toEqual(['node-a', 'node-b']);
    for (const forecast of proposal!.evidence.forecasts) expect(forecast.mase).toBeLessThan(forecast.baselineMase);
    expect(sut.published.filter((event) => event.type === 'io.strata.staging.proposal.changed.v1' && (event.data as { kind: string }).kind === 'lb-weights')).toHaveLength(1);

    // Asked again for the same horizon: the same proposal, not a second one.
    const again = (await sut.http().post('/v1/proposals/lb-weights').send({ stack, environment: 'production' }).expect(201)).body as { proposal: { id: string }; made: boolean };
    expect(again).toMatchObject({ proposal: { id: proposal!.id }, made: false });
    expect(await lbProposals(stack)).toHaveLength(1);
  }, 120_000);

  it('stages the proposal before the forecast peak with a compile check of its weights, recorded as no traffic check, and validates it on that', async () => {
    const [proposal] = await lbProposals(stack);
    const staged = (await sut.http().post(`/v1/proposals/${proposal!.id}/stage`).expect(200)).body as LbWeightsProposal;
    const { weights } = proposal!.change;
    expect(staged).toMatchObject({
      status: 'staged',
      staging: { method: 'compile-check', peakAt: proposal!.change.peakAt, validated: true, shares: { 'node-a': (weights['node-a'] ?? 0) / 100, 'node-b': (weights['node-b'] ?? 0) / 100 } },
    });
    expect(staged.staging?.reason).toContain('compile check, not a traffic check');
    const validated = (await sut.http().post(`/v1/proposals/${proposal!.id}/validate`).expect(200)).body as LbWeightsProposal;
    expect(validated).toMatchObject({ status: 'validated', reason: expect.stringContaining('the compile check passed (not a traffic check)') });
  }, 60_000);

  it('proposes nothing from forecasts no better than a baseline, naming the baseline and the figures; refuses staging past the peak', async () => {
    const other = aStackName('ps-lb-skill');
    const forecasts = sut.app.get(ForecastsRepository);
    const madeAt = Date.now() - 10 * 60_000;
    const insert = (node: string, values: number[], lstmMase: number) =>
      sut.app.get(PredictiveTransactions).run((manager) =>
        forecasts.insert(manager, {
          seriesId: `${other}-${node}`,
          labels: labels(node, other),
          madeAt,
          firstAt: madeAt - 5 * STEP_MS,
          stepMs: STEP_MS,
          horizon: values.length,
          level: 0.9,
          period: 1,
          historyPoints: POINTS,
          values,
          lower: values,
          upper: values,
          choice: { kind: 'lstm', method: 'lstm', reason: 'lstm-beat-best-baseline', bestBaseline: 'seasonal-naive', bestBaselineMase: 0.8, lstmMase, ratio: lstmMase / 0.8, maxRatio: 1 },
          explanation: 'fixture',
          backtest: [
            { method: 'seasonal-naive', mase: 0.8, smape: 0.1, coverage: 0.9 },
            { method: 'lstm', mase: lstmMase, smape: 0.1, coverage: 0.9 },
          ],
          lstmModelId: null,
          lstmError: null,
        }),
      );
    // The series must exist (forecasts reference them); their windows are not what is judged here.
    for (const node of ['node-a', 'node-b']) await feed(`${other}-${node}`, labels(node, other), [100, 100, 100]);
    await insert('node-a', [100, 200, 300], 0.8);
    await insert('node-b', [100, 100, 100], 0.5);
    const advice = (await sut.http().post('/v1/proposals/lb-weights').send({ stack: other, environment: 'production' }).expect(201)).body as { proposal: null; reason: string; skipped: { node: string; reason: string }[] };
    expect(advice.proposal).toBeNull();
    expect(advice.skipped).toEqual([expect.objectContaining({ node: 'node-a', reason: 'lstm backtest MASE 0.800 is no better than the baseline seasonal-naive (MASE 0.800)' })]);
    expect(advice.reason).toContain('no better than a baseline');
    expect(await lbProposals(other)).toEqual([]);

    // The same loads from a forecast that beat its baseline propose; their peak has passed, so staging is refused.
    await insert('node-a', [100, 200, 300], 0.6);
    const made = (await sut.http().post('/v1/proposals/lb-weights').send({ stack: other, environment: 'production' }).expect(201)).body as { proposal: { id: string }; made: boolean };
    expect(made.made).toBe(true);
    const late = await sut.http().post(`/v1/proposals/${made.proposal.id}/stage`).expect(409);
    expect(late.body.errors).toEqual([expect.objectContaining({ field: 'peakAt' })]);
  }, 60_000);

  it('refuses to promote validated weights once their forecast peak has passed (409 naming peakAt), before calling any owner', async () => {
    const other = aStackName('ps-lb-late');
    const forecasts = sut.app.get(ForecastsRepository);
    // One-second steps: the peak (the third step) lies a few seconds ahead, long enough to stage and validate.
    const madeAt = Date.now();
    const firstAt = madeAt + 2_000;
    const insert = (node: string, values: number[]) =>
      sut.app.get(PredictiveTransactions).run((manager) =>
        forecasts.insert(manager, {
          seriesId: `${other}-${node}`,
          labels: labels(node, other),
          madeAt,
          firstAt,
          stepMs: 1_000,
          horizon: values.length,
          level: 0.9,
          period: 1,
          historyPoints: POINTS,
          values,
          lower: values,
          upper: values,
          choice: { kind: 'lstm', method: 'lstm', reason: 'lstm-beat-best-baseline', bestBaseline: 'seasonal-naive', bestBaselineMase: 0.8, lstmMase: 0.5, ratio: 0.625, maxRatio: 1 },
          explanation: 'fixture',
          backtest: [
            { method: 'seasonal-naive', mase: 0.8, smape: 0.1, coverage: 0.9 },
            { method: 'lstm', mase: 0.5, smape: 0.1, coverage: 0.9 },
          ],
          lstmModelId: null,
          lstmError: null,
        }),
      );
    for (const node of ['node-a', 'node-b']) await feed(`${other}-${node}`, labels(node, other), [100, 100, 100]);
    await insert('node-b', [100, 100, 100]);
    await insert('node-a', [100, 200, 300]);
    const made = (await sut.http().post('/v1/proposals/lb-weights').send({ stack: other, environment: 'production' }).expect(201)).body as { proposal: LbWeightsProposal };
    const { id, change } = made.proposal;
    await sut.http().post(`/v1/proposals/${id}/stage`).expect(200);
    await sut.http().post(`/v1/proposals/${id}/validate`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(change.peakAt) - Date.now()) + 50));

    const late = await sut.http().post(`/v1/proposals/${id}/promote`).send({}).expect(409);
    expect(late.body.errors).toEqual([{ field: 'peakAt', message: expect.stringContaining(change.peakAt) }]);
    const after = (await sut.http().get(`/v1/proposals/${id}`).expect(200)).body as LbWeightsProposal & { promotion: unknown };
    expect(after).toMatchObject({ status: 'validated', promotion: null });
  }, 60_000);

  it('refuses bad input and a stack without per-node load forecasts, naming the field', async () => {
    const bad = await sut.http().post('/v1/proposals/lb-weights').send({ stack: '../etc', environment: 'production' }).expect(400);
    expect(fields(bad.body)).toEqual(['stack']);
    const missing = await sut.http().post('/v1/proposals/lb-weights').send({ stack }).expect(400);
    expect(fields(missing.body)).toEqual(['environment']);
    const none = await sut.http().post('/v1/proposals/lb-weights').send({ stack: aStackName('ps-lb-none'), environment: 'production' }).expect(422);
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'stack' })]);
  }, 30_000);
});
