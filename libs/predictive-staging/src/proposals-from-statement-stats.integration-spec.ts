import { measureStatements } from '@strata/predictive-staging/staging';
import { Client } from 'pg';
import { type PrivatePostgres, startPostgresWithStatementStats } from '@strata/testing/harness';
import type { ProposalRecord } from './repositories/proposals.repository';
import { stagedParameters, statementsOf } from './services/promotion.service';
import { loadOrdersWithoutIndex } from './test-support/orders-database';
import { type PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';

interface MeasuredStatement {
  sql: string;
  served: boolean;
  timeReduction?: number;
  parameters?: { parameters: string[]; valueSets: string[][] };
  error?: string;
}

/**
 * The product path of an index proposal: no statements given, so the advisor reads the target's
 * pg_stat_statements, which keeps them normalised (`customer_id = $1`, `LIMIT $2`); staging binds
 * their parameters to values of the copy and replays them, so the proposal is validated on
 * measured EXPLAIN (ANALYZE) figures, not only on the advisor's generic plans.
 */
describe('predictive-staging index proposals from pg_stat_statements', () => {
  let postgres: PrivatePostgres;
  let sut: PredictiveStagingTestApp;

  beforeAll(async () => {
    let shop: Client;
    ({ postgres, client: shop } = await startPostgresWithStatementStats('shop'));
    // The application's traffic, with its own values: pg_stat_statements keeps one normalised entry per shape.
    await loadOrdersWithoutIndex(shop, (call) => [`SELECT id, total FROM orders WHERE customer_id = ${100 + call * 7}`, `SELECT id, total FROM orders WHERE customer_id <= ${5000 + call} ORDER BY customer_id DESC LIMIT 10`]);
    await shop.end();
    sut = await startPredictiveStagingTestApp('ps-proposals-stats', testSettings(), undefined, { SHOP_DB_URL: postgres.urlOf('shop') });
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
    await postgres?.stop();
  });

  it('proposes the index from normalised statements, stages it with their parameters bound to sampled values, and validates it', async () => {
    const answer = await sut.http().post('/v1/proposals/indexes').send({ stack: 'shop', environment: 'production', component: 'shop-db', databaseUrlFrom: 'SHOP_DB_URL' }).expect(201);
    expect(answer.body.proposals).toEqual([expect.objectContaining({ kind: 'index', status: 'proposed', title: 'index on orders (customer_id)' })]);
    const proposal = answer.body.proposals[0] as { id: string; evidence: { statements: { query: string }[] } };
    const queries = proposal.evidence.statements.map((statement) => statement.query).sort();
    expect(queries).toEqual(['SELECT id, total FROM orders WHERE customer_id <= $1 ORDER BY customer_id DESC LIMIT $2', 'SELECT id, total FROM orders WHERE customer_id = $1']);

    const staged = await sut.http().post(`/v1/proposals/${proposal.id}/stage`).expect(200);
    const staging = staged.body.staging as { validated: boolean; reason: string; measurement: { statements: MeasuredStatement[] } };
    expect(staging.reason).toMatch(/^2 of 2 statements use the candidate/);
    expect(staging.validated).toBe(true);
    for (const statement of staging.measurement.statements) {
      expect(statement).toMatchObject({ served: true, parameters: { valueSets: expect.any(Array) } });
      expect(statement.error).toBeUndefined();
      expect(statement.timeReduction).toBeGreaterThanOrEqual(0.5);
      expect(statement.parameters?.valueSets.length).toBeGreaterThan(1);
    }
    expect(staging.measurement.statements.map((statement) => statement.parameters?.parameters).sort()).toEqual([['orders.customer_id'], ['orders.customer_id', 'LIMIT']]);

    const validated = await sut.http().post(`/v1/proposals/${proposal.id}/validate`).expect(200);
    expect(validated.body).toMatchObject({ status: 'validated', reason: expect.stringMatching(/^staging measured it: /) });

    // What a promotion measures on production, before the deploy and after: the same statements with the value sets kept by staging.
    const stored = (await sut.http().get(`/v1/proposals/${proposal.id}`).expect(200)).body as ProposalRecord;
    const shop = new Client({ connectionString: postgres.urlOf('shop') });
    await shop.connect();
    try {
      const onProduction = await measureStatements(shop, statementsOf(stored), { runs: 2, parameters: stagedParameters(stored) });
      expect(onProduction.map((result) => (result instanceof Error ? result.message : result.plan.plan.actualRows))).toEqual(statementsOf(stored).map(() => expect.any(Number)));
    } finally {
      await shop.end();
    }
  }, 120_000);
});
