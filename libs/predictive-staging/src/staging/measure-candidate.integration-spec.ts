import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@strata/testing';
import { measureCandidate } from './measure-candidate';
import type { PlanNode } from './plan-summary';
import { createStagingCopy, type StagingCopy } from './staging-copy';
import { isMeasured, type MeasuredStatement, type StatementMeasurement } from './validation-rule';

const BY_CUSTOMER_42 = 'SELECT id, total FROM orders WHERE customer_id = 42';
const BY_CUSTOMER_7 = 'SELECT id, total FROM orders WHERE customer_id = 7';
const PAID = `SELECT count(*) FROM orders WHERE status = 'paid'`;
const BROKEN = 'SELECT * FROM no_such_table';

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.children ?? []).flatMap(nodes)];
}

function measured(statement: StatementMeasurement): MeasuredStatement {
  if (!isMeasured(statement)) throw new Error(`expected a measurement, got ${statement.error}`);
  return statement;
}

/** 100k orders over 5,000 customers with their primary key only; half of them paid. */
async function seed(client: Client): Promise<void> {
  await client.query(`CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL, total numeric NOT NULL)`);
  await client.query(`INSERT INTO orders SELECT i, i % 5000, (ARRAY['paid', 'open'])[1 + i % 2], i % 100 FROM generate_series(1, 100000) AS i`);
  await client.query('ANALYZE');
}

describe('measureCandidate on a staging copy', () => {
  let production: TestDatabase;
  let staging: StagingCopy;

  beforeAll(async () => {
    production = await createTestDatabase('measure_candidate');
    const client = new Client({ connectionString: production.url });
    await client.connect();
    await seed(client);
    await client.end();
    staging = await createStagingCopy(production.url, { queries: [BY_CUSTOMER_42], sample: { percent: 30, seed: 1 } });
  });

  afterAll(async () => {
    await staging.drop();
    await production.drop();
  });

  it('validates the missing index with measured time and cost reductions, keeps the trimmed plans and reports a failing statement', async () => {
    const statements = [BY_CUSTOMER_42, BY_CUSTOMER_7, BY_CUSTOMER_42, PAID, BROKEN];
    const result = await measureCandidate(staging, 'CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)', statements, { runs: 5 });

    expect(result).toMatchObject({ validated: true, indexes: ['orders_customer_id_idx'] });
    expect(result.reason).toMatch(/^3 of 4 statements use the candidate and drop ≥ 50 % in time .* not judged \(failed on the copy\): statement 5 \(SELECT \* FROM no_such_table\)$/);
    expect(result.statements.map((statement) => statement.served)).toEqual([true, true, true, false, false]);
    expect(result.statements.slice(0, 4).map((statement) => measured(statement).exposed)).toEqual([true, true, true, false]);
    for (const statement of result.statements.slice(0, 3).map(measured)) {
      expect(statement.timeReduction).toBeGreaterThan(0.5);
      expect(statement.costReduction).toBeGreaterThan(0.5);
      expect(statement.before.timesMs).toHaveLength(5);
      expect(statement.after.medianMs).toBeLessThan(statement.before.medianMs / 2);
      expect(nodes(statement.before.plan.plan).map((node) => node.nodeType)).toContain('Seq Scan');
      expect(nodes(statement.after.plan.plan).some((node) => node.index === 'orders_customer_id_idx')).toBe(true);
      expect(statement.before.plan.plan.sharedHitBlocks! + (statement.before.plan.plan.sharedReadBlocks ?? 0)).toBeGreaterThan(100);
    }
    expect(result.statements[4]).toEqual({ sql: BROKEN, served: false, error: 'relation "no_such_table" does not exist' });
    expect(result.timeReduction).toBeGreaterThan(0);
    expect(result.costReduction).toBeGreaterThan(0);
    const client = new Client({ connectionString: staging.url });
    await client.connect();
    expect((await client.query(`SELECT to_regclass('orders_customer_id_idx') AS index`)).rows).toEqual([{ index: null }]);
    await client.end();
  });

  it('does not validate an index on a column half the rows share, says why, and rolls back every replayed write', async () => {
    const update = 'UPDATE orders SET total = -1 WHERE customer_id = 3';
    const result = await measureCandidate(staging.url, ['CREATE INDEX orders_status_idx ON orders (status)'], [PAID, update], { runs: 3 });

    expect(result.validated).toBe(false);
    expect(measured(result.statements[1]).exposed).toBe(true);
    expect(result.reason).toMatch(/^the planner uses the candidate for none of the 2 statements measured$|^statement 1 \(SELECT count\(\*\) FROM orders WHERE status = 'paid'\) drops -?\d+ % in time/);
    const client = new Client({ connectionString: staging.url });
    await client.connect();
    expect((await client.query(`SELECT count(*)::int AS n FROM orders WHERE total = -1`)).rows).toEqual([{ n: 0 }]);
    await client.end();
  });

  it('throws, naming it, when the candidate itself fails, and leaves no index behind', async () => {
    const candidate = ['CREATE INDEX orders_total_idx ON orders (total)', 'CREATE INDEX orders_bad_idx ON orders (no_such_column)'];

    await expect(measureCandidate(staging, candidate, [PAID], { runs: 1, warmups: 0 })).rejects.toThrow(/^the candidate failed on the staging copy: CREATE INDEX orders_bad_idx ON orders \(no_such_column\): column "no_such_column" does not exist$/);
    const client = new Client({ connectionString: staging.url });
    await client.connect();
    expect((await client.query(`SELECT to_regclass('orders_total_idx') AS index`)).rows).toEqual([{ index: null }]);
    await client.end();
  });
});
