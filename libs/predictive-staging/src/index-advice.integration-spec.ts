import type { KpiSeriesLabels } from '@strata/contracts';
import { type PrivatePostgres, startPostgresWithStatementStats } from '@strata/testing/harness';
import type { Client } from 'pg';
import { IndexAdviceRequestsRepository } from './repositories/index-advice-requests.repository';
import { PredictiveTransactions } from './repositories/transactions';
import { IndexAdviceService } from './services/index-advice.service';
import { loadOrdersWithoutIndex } from './test-support/orders-database';
import { feedWindows, noise } from './test-support/series-fixtures';
import { type PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';

interface IndexProposal {
  id: string;
  kind: string;
  status: string;
  title: string;
  createdBy: string;
  evidence: { statements: { query: string }[]; anomalies: { anomalyId: string; seriesId: string; metric: string }[] };
}

const LEARNED = 170;

/** A statement's mean time around 4 ms while the detector learns it, then `after` ms for five windows. */
function meanMs(seed: number, after: number): number[] {
  const next = noise(seed);
  return Array.from({ length: LEARNED + 5 }, (_, t) => (t < LEARNED ? 4 : after) + 0.1 * next());
}

/**
 * Index proposals made from anomalies (issue [P] point 1 for indexes): a regression of a db-schema
 * component's statement time leaves an advice request; the advice pass runs the advisor on the
 * target its registered version names (pg_stat_statements of a private PostgreSQL) and keeps the
 * proposal with the anomaly as evidence; a later regression does not propose the same index again;
 * a component whose versions name no target closes its request as failed, with the reason.
 */
describe('predictive-staging index proposals from anomalies', () => {
  let postgres: PrivatePostgres;
  let sut: PredictiveStagingTestApp;
  let advice: IndexAdviceService;
  const labels = (component: string, fingerprint: string): KpiSeriesLabels => ({ stack: 'shop', environment: 'production', component, node: fingerprint, metric: 'db_query_mean_ms' });
  const register = (component: string, target: Record<string, unknown> | null) =>
    sut.publishRegistryEvent('io.strata.registry.component-version.registered.v1', {
      stack: 'shop',
      component,
      type: 'db-schema',
      version: '1.0.0',
      checksum: `sha-${component}`,
      dependencies: [],
      ...(target === null ? {} : { definition: { config: {}, spec: {}, rollback: [], healthCheck: null, target } }),
    });
  const requests = async () =>
    (await sut.sql.query<{ component: string; status: string; anomalies: unknown[]; outcome: Record<string, unknown> | null }>('SELECT component, status, anomalies, outcome FROM staging.index_advice_requests ORDER BY id')).rows;
  const indexProposals = async () => (await sut.http().get('/v1/proposals?kind=index&stack=shop').expect(200)).body.items as IndexProposal[];

  beforeAll(async () => {
    let shop: Client;
    ({ postgres, client: shop } = await startPostgresWithStatementStats('shop'));
    await loadOrdersWithoutIndex(shop, (call) => [`SELECT id, total FROM orders WHERE customer_id = ${100 + call * 7}`]);
    await shop.end();
    sut = await startPredictiveStagingTestApp('ps-index-advice', testSettings(), undefined, { SHOP_DB_URL: postgres.urlOf('shop') });
    advice = sut.app.get(IndexAdviceService);
    await register('shop-db', { databaseUrlFrom: 'SHOP_DB_URL' });
    await register('audit-db', null);
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
    await postgres?.stop();
  });

  it('proposes the missing index when a statement time of the database regresses, with the anomaly as evidence', async () => {
    await feedWindows(sut, 'shop-db-fp1', labels('shop-db', 'fp1'), meanMs(11, 60));
    const { rows: anomalies } = await sut.sql.query<{ id: string }>(`SELECT id::text AS id FROM staging.anomalies WHERE series_id = 'shop-db-fp1'`);
    expect(anomalies).toHaveLength(1);
    expect(await requests()).toEqual([expect.objectContaining({ component: 'shop-db', status: 'pending', anomalies: [expect.objectContaining({ anomalyId: anomalies[0]!.id })] })]);
    expect(await indexProposals()).toEqual([]);

    const made = await advice.runPass();

    expect(made).toHaveLength(1);
    const [proposal, ...others] = await indexProposals();
    expect(others).toEqual([]);
    expect(proposal).toMatchObject({ id: made[0], kind: 'index', status: 'proposed', title: 'index on orders (customer_id)', createdBy: 'predictive-staging' });
    expect(proposal!.evidence.statements.map((statement) => statement.query)).toEqual(['SELECT id, total FROM orders WHERE customer_id = $1']);
    expect(proposal!.evidence.anomalies).toEqual([expect.objectContaining({ anomalyId: anomalies[0]!.id, seriesId: 'shop-db-fp1', metric: 'db_query_mean_ms' })]);
    expect(await requests()).toEqual([expect.objectContaining({ status: 'done', outcome: expect.objectContaining({ proposals: made }) })]);
    expect(await advice.runPass()).toEqual([]);
  }, 120_000);

  it('does not propose the same index again while its proposal is open, saying so', async () => {
    const [open] = await indexProposals();
    await feedWindows(sut, 'shop-db-fp2', labels('shop-db', 'fp2'), meanMs(21, 70));

    expect(await advice.runPass()).toEqual([]);

    expect(await indexProposals()).toHaveLength(1);
    const latest = (await requests()).at(-1);
    expect(latest).toMatchObject({ status: 'done', outcome: { proposals: [], rejected: [{ table: 'orders', columns: ['customer_id'], reason: `open proposal ${open!.id} already proposes it` }] } });
  }, 120_000);

  it('closes the request of a database whose versions name no target as failed, with the reason; an app never asks', async () => {
    await feedWindows(sut, 'audit-db-fp1', labels('audit-db', 'fp1'), meanMs(31, 60));
    await sut.publishRegistryEvent('io.strata.registry.component-version.registered.v1', { stack: 'shop', component: 'shop-api', type: 'app', version: '1.0.0', checksum: 'sha-api', dependencies: [] });
    await feedWindows(sut, 'shop-api-fp1', labels('shop-api', 'fp1'), meanMs(41, 60));

    expect(await advice.runPass()).toEqual([]);

    const rows = await requests();
    expect(rows.map((row) => `${row.component} ${row.status}`)).toEqual(['shop-db done', 'shop-db done', 'audit-db failed']);
    expect(rows.at(-1)?.outcome).toEqual({ reason: 'no registered version of audit-db names target.databaseUrlFrom' });
  }, 120_000);

  it('claims the oldest pending request by numeric id, across ids of more digits', async () => {
    // Ids 999 and 1000: text order would claim '1000', the newer, first.
    await sut.sql.query(`SELECT setval(pg_get_serial_sequence('staging.index_advice_requests', 'id'), 998)`);
    await sut.sql.query(`INSERT INTO staging.index_advice_requests (stack, environment, component, anomalies) VALUES ('shop', 'production', 'older-db', '[]'), ('shop', 'production', 'newer-db', '[]')`);
    const repository = sut.app.get(IndexAdviceRequestsRepository);

    const claimed = await sut.app.get(PredictiveTransactions).run((manager) => repository.claim(manager));

    expect(claimed).toMatchObject({ id: '999', component: 'older-db' });
    await sut.sql.query(`UPDATE staging.index_advice_requests SET status = 'done' WHERE component IN ('older-db', 'newer-db')`);
  });
});
