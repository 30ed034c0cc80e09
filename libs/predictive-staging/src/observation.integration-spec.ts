import type { KpiSeriesLabels } from '@strata/contracts';
import { measureStatements } from '@strata/predictive-staging/staging';
import { TestDatabase, createTestDatabase, eventually } from '@strata/testing';
import { Client } from 'pg';
import type { WindowEffect } from './domain/window-effect';
import { ObservationService } from './services/observation.service';
import { ProposalsService } from './services/proposals.service';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';

const SLOW = 'SELECT id, total FROM orders WHERE customer_id = 4242';
const OTHER = 'SELECT id FROM orders WHERE total = 42';
const WINDOW_MS = 5_000;
const DOWN_URL = 'postgres://strata:pw@127.0.0.1:1/none';

interface Proposal {
  id: string;
  status: string;
  observed: { window?: WindowEffect } | null;
}

/**
 * The observation window after a promotion on the real PostgreSQL: a promoted index proposal whose
 * window ends while the service restarts is observed by the restarted one (the KPI series of its
 * component before against after, its statements measured again on production, the prediction
 * beside them), announced once, and never observed again; an unreachable target is recorded as
 * the statements' error while the series still judge it.
 */
describe('predictive-staging observation of promoted proposals', () => {
  let target: TestDatabase;
  let sut: PredictiveStagingTestApp;
  const environment: Record<string, string> = {};
  const labels = (metric: string, component = 'shop-db'): KpiSeriesLabels => ({ stack: 'shop', environment: 'production', component, metric });
  const proposal = async (id: string) => (await sut.http().get(`/v1/proposals/${id}`).expect(200)).body as Proposal;
  const observedEvents = (id: string) => sut.published.filter((event) => event.type === 'io.strata.staging.proposal.observed.v1' && (event.data as { proposalId: string }).proposalId === id);
  const points = async () => Number((await sut.sql.query<{ n: string }>('SELECT count(*) AS n FROM staging.series_points')).rows[0]?.n);

  /** An index proposal the advisor made for `query`. */
  async function proposed(query: string, component = 'shop-db'): Promise<string> {
    const advice = await sut.http().post('/v1/proposals/indexes').send({ stack: 'shop', environment: 'production', component, databaseUrlFrom: 'SHOP_DB_URL', statements: [{ query, calls: 500, meanExecTimeMs: 20 }] }).expect(201);
    expect(advice.body.proposals).toHaveLength(1);
    return advice.body.proposals[0].id as string;
  }

  /** The proposal moved to promoted by the lifecycle as a promotion leaves it (its times before the deploy kept); resolves with when. */
  async function promote(id: string, before: ({ medianMs: number } | { error: string })[]): Promise<number> {
    const lifecycle = sut.app.get(ProposalsService);
    await lifecycle.move(id, 'stage', 'test', () => ({ to: 'staged', reason: 'measured', staging: { validated: true, reason: 'ok', measurement: { timeReduction: 0.9 } } }));
    await lifecycle.move(id, 'validate', 'test', () => ({ to: 'validated', reason: 'ok' }));
    await lifecycle.move(id, 'promote', 'test', () => ({ to: 'promoted', reason: 'deployed', promotion: { before, leaseUntil: null, error: null } }));
    const at = (await sut.sql.query<{ at: Date }>(`SELECT at FROM staging.proposal_transitions WHERE proposal_id = $1 AND to_status = 'promoted'`, [id])).rows[0]?.at as Date;
    return at.getTime();
  }

  beforeAll(async () => {
    target = await createTestDatabase('ps-observation-target');
    const client = new Client({ connectionString: target.url });
    await client.connect();
    await client.query('CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)');
    await client.query('INSERT INTO orders SELECT g, g % 20000, g * 1.5 FROM generate_series(1, 100000) AS g');
    await client.query('ANALYZE orders');
    await client.end();
    environment['SHOP_DB_URL'] = target.url;
    sut = await startPredictiveStagingTestApp('ps-observation', testSettings({ observation: { windowMs: WINDOW_MS, intervalMs: 200 } }), undefined, environment);
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
    await target?.drop();
  });

  it('observes a promoted index once its window ended, across a restart: series before against after, statements measured again, the prediction beside them', async () => {
    const id = await proposed(SLOW);
    const client = new Client({ connectionString: target.url });
    await client.connect();
    const [before] = await measureStatements(client, [SLOW], { runs: 3 });
    await client.query('CREATE INDEX orders_customer_id_idx ON orders (customer_id)');
    await client.end();
    const now = Date.now();
    for (const [offset, value] of [[-300, 38], [-200, 42], [-100, 40]] as const) {
      await sut.publishWindow('mean-4242', labels('db_query_mean_ms'), now + offset - 10_000, value);
      await sut.publishWindow('calls-4242', labels('db_query_calls'), now + offset - 10_000, 100);
      await sut.publishWindow('other-db', labels('db_query_mean_ms', 'billing-db'), now + offset - 10_000, 90);
    }
    await eventually(async () => expect(await points()).toBe(9), 10_000, 50);

    const at = await promote(id, [{ medianMs: (before as { medianMs: number }).medianMs }]);
    await sut.publishWindow('mean-4242', labels('db_query_mean_ms'), at + 500 - 10_000, 4);
    await sut.publishWindow('mean-4242', labels('db_query_mean_ms'), at + 1_500 - 10_000, 4);
    // Past the window: not part of what it observed.
    await sut.publishWindow('mean-4242', labels('db_query_mean_ms'), at + 60_000 - 10_000, 1_000);
    await eventually(async () => expect(await points()).toBe(12), 10_000, 50);
    expect((await proposal(id)).observed?.window).toBeUndefined();

    await sut.restart();
    const window = await eventually(async () => {
      const observed = (await proposal(id)).observed?.window;
      expect(observed).toBeDefined();
      return observed as WindowEffect;
    }, 20_000, 100);
    expect(window).toMatchObject({ windowMs: WINDOW_MS, promotedAt: new Date(at).toISOString(), until: new Date(at + WINDOW_MS).toISOString(), predictedReduction: 0.9 });
    expect(Date.parse(window.observedAt)).toBeGreaterThanOrEqual(at + WINDOW_MS);
    expect(window.series).toEqual([{ seriesId: 'mean-4242', metric: 'db_query_mean_ms', node: null, stackConfig: null, beforeMean: 40, afterMean: 4, beforePoints: 3, afterPoints: 2, reduction: 0.9 }]);
    expect(window.statements?.statements).toEqual([{ sql: SLOW, beforeMs: expect.any(Number), afterMs: expect.any(Number) }]);
    // A sequential scan of 100k rows before, an index lookup after.
    expect(window.statements?.timeReduction).toBeGreaterThanOrEqual(0.5);
    expect(window.reduction).toBe(window.statements?.timeReduction);
    expect(window.verdict).toBe('held');
    expect(window.summary).toMatch(/^held: observed -\d+ % \(statement time on production\), predicted -90 %$/);

    await eventually(async () => expect(observedEvents(id).map((event) => event.data)).toEqual([expect.objectContaining({ proposalId: id, kind: 'index', verdict: 'held', predictedReduction: 0.9, windowMs: WINDOW_MS })]), 10_000, 50);
    // Later passes leave it as it is: observed once, announced once.
    expect(await sut.app.get(ObservationService).runPass()).toEqual([]);
    expect((await proposal(id)).observed?.window).toEqual(window);
    expect(observedEvents(id)).toHaveLength(1);
    expect((await proposal(id)).status).toBe('promoted');
  }, 90_000);

  it('records an unreachable target as the statements’ error, judging nothing it did not measure; concurrent passes observe it once', async () => {
    // A component no KPI series reports on: nothing but the statements could judge it.
    const id = await proposed(OTHER, 'orders-db');
    await promote(id, [{ medianMs: 30 }]);
    environment['SHOP_DB_URL'] = DOWN_URL;
    try {
      const service = sut.app.get(ObservationService);
      const window = await eventually(async () => {
        await Promise.all([service.runPass(), service.runPass()]);
        const observed = (await proposal(id)).observed?.window;
        expect(observed).toBeDefined();
        return observed as WindowEffect;
      }, 20_000, 200);
      expect(window.statements).toMatchObject({ statements: [{ sql: OTHER, beforeMs: 30, afterMs: null, error: expect.stringContaining('unreachable') }], timeReduction: null });
      expect(JSON.stringify(window)).not.toContain(':pw@');
      expect(window).toMatchObject({ series: [], reduction: null, verdict: 'no-data', summary: 'nothing measured both before and after the promotion (predicted -90 %)' });
      await eventually(async () => expect(observedEvents(id)).toHaveLength(1), 10_000, 50);
      await Promise.all([service.runPass(), service.runPass()]);
      expect(observedEvents(id)).toHaveLength(1);
    } finally {
      environment['SHOP_DB_URL'] = target.url;
    }
  }, 60_000);
});
