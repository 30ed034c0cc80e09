import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@strata/testing';
import { bindParameters } from './bind-parameters';
import { measureCandidate, measureStatements } from './measure-candidate';
import type { PlanNode } from './plan-summary';
import { createStagingCopy, type StagingCopy } from './staging-copy';
import { isMeasured, type MeasuredStatement, type StatementMeasurement } from './validation-rule';

// As pg_stat_statements keeps them: normalised, with `$n` where the application's values were.
const BY_CUSTOMER = 'SELECT id, total FROM orders WHERE customer_id = $1';
const UP_TO_CUSTOMER = 'SELECT id, total FROM orders WHERE customer_id <= $1 ORDER BY customer_id DESC LIMIT $2';
const BY_SHIFTED_CUSTOMER = 'SELECT id FROM orders WHERE customer_id + 0 = $1';
const LITERAL = 'SELECT id, total FROM orders WHERE customer_id = 42';

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.children ?? []).flatMap(nodes)];
}

function measured(statement: StatementMeasurement): MeasuredStatement {
  if (!isMeasured(statement)) throw new Error(`expected a measurement, got ${statement.error}`);
  return statement;
}

describe('measureCandidate with normalised statements bound to values of the staging copy', () => {
  let production: TestDatabase;
  let staging: StagingCopy;

  beforeAll(async () => {
    production = await createTestDatabase('measure_bound');
    const client = new Client({ connectionString: production.url });
    await client.connect();
    // 100k orders over 5,000 customers (ids 1..5000), primary key only.
    await client.query(`CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL, total numeric NOT NULL)`);
    await client.query(`INSERT INTO orders SELECT i, 1 + i % 5000, (ARRAY['paid', 'open'])[1 + i % 2], i % 100 FROM generate_series(1, 100000) AS i`);
    await client.query('ANALYZE');
    await client.end();
    staging = await createStagingCopy(production.url, { queries: [BY_CUSTOMER], sample: { percent: 30, seed: 1 } });
  });

  afterAll(async () => {
    await staging.drop();
    await production.drop();
  });

  it('replays $n statements with values sampled from the copy, the same before and after, validates the index and names what cannot be bound', async () => {
    const statements = [BY_CUSTOMER, UP_TO_CUSTOMER, BY_SHIFTED_CUSTOMER, LITERAL];
    const result = await measureCandidate(staging, 'CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id)', statements, { runs: 5 });

    expect(result).toMatchObject({ validated: true, indexes: ['orders_customer_id_idx'] });
    expect(result.reason).toMatch(/^3 of 3 statements use the candidate .* not judged \(failed on the copy\): statement 3 \(SELECT id FROM orders WHERE customer_id \+ 0 = \$1\)$/);
    expect(result.statements[2]).toEqual({ sql: BY_SHIFTED_CUSTOMER, served: false, error: 'not measurable: $1 is compared with an expression, not a column: no value of the copy can stand for it' });
    const [byCustomer, upTo, literal] = [0, 1, 3].map((position) => measured(result.statements[position]));
    expect(literal.parameters).toBeUndefined();
    expect(byCustomer.parameters?.parameters).toEqual(['orders.customer_id']);
    expect(upTo.parameters?.parameters).toEqual(['orders.customer_id', 'LIMIT']);
    const customers = byCustomer.parameters?.valueSets.map(([customer]) => Number(customer)) ?? [];
    expect(customers).toHaveLength(5);
    expect(new Set(customers).size).toBeGreaterThan(1);
    expect(upTo.parameters?.valueSets.every(([customer, limit]) => Number(customer) >= 1 && limit === '10')).toBe(true);
    for (const statement of [byCustomer, upTo]) {
      expect(statement.served).toBe(true);
      expect(statement.timeReduction).toBeGreaterThan(0.5);
      expect(statement.costReduction).toBeGreaterThan(0.5);
      expect(statement.before.timesMs).toHaveLength(5);
      expect(nodes(statement.before.plan.plan).map((node) => node.nodeType)).toContain('Seq Scan');
      expect(nodes(statement.after.plan.plan).some((node) => node.index === 'orders_customer_id_idx')).toBe(true);
    }
    // Real values: each sampled customer's rows are found, before the index and after.
    expect(byCustomer.before.plan.plan.actualRows).toBeGreaterThan(0);
    expect(byCustomer.after.plan.plan.actualRows).toBe(byCustomer.before.plan.plan.actualRows);
    expect(upTo.after.plan.plan.nodeType).toBe('Limit');
    expect(upTo.after.plan.plan.actualRows).toBe(10);
  });

  it('samples the same existing values each time, ordered so a lower bound is not above an upper one', async () => {
    const client = new Client({ connectionString: staging.url });
    await client.connect();
    try {
      const catalog = new Map([['orders', new Set(['id', 'customer_id', 'status', 'total'])]]);
      const range = 'SELECT id FROM orders WHERE customer_id BETWEEN $1 AND $2 OFFSET $3';
      const first = await bindParameters(client, range, 4, catalog);
      expect(await bindParameters(client, range, 4, catalog)).toEqual(first);
      if (first.kind !== 'bound') throw new Error(`expected a binding, got ${first.kind}`);
      expect(first.values.parameters).toEqual(['orders.customer_id', 'orders.customer_id', 'OFFSET']);
      expect(first.values.valueSets).toHaveLength(4);
      for (const [low, high, offset] of first.values.valueSets) {
        expect(Number(low)).toBeLessThanOrEqual(Number(high));
        expect(offset).toBe('0');
        const { rows } = await client.query('SELECT count(*)::int AS n FROM orders WHERE customer_id = $1', [low]);
        expect(rows[0].n).toBeGreaterThan(0);
      }
      await client.query('CREATE TABLE empty_orders (customer_id integer)');
      expect(await bindParameters(client, 'SELECT 1 FROM empty_orders WHERE customer_id = $1', 2, new Map())).toEqual({ kind: 'unmeasurable', reason: '$1 is compared with empty_orders.customer_id: the copy holds no non-null value of it' });
    } finally {
      await client.end();
    }
  });

  it('measures a normalised statement elsewhere (production after a promotion) with the value sets staging used, read-only', async () => {
    const client = new Client({ connectionString: staging.url });
    await client.connect();
    try {
      const binding = await bindParameters(client, UP_TO_CUSTOMER, 3, new Map());
      if (binding.kind !== 'bound') throw new Error(`expected a binding, got ${binding.kind}`);
      const [bound, unbound] = await measureStatements(client, [UP_TO_CUSTOMER, UP_TO_CUSTOMER], { runs: 3, parameters: [binding.values, undefined] });
      expect(bound).not.toBeInstanceOf(Error);
      expect(bound).toMatchObject({ timesMs: [expect.any(Number), expect.any(Number), expect.any(Number)], plan: { plan: { nodeType: 'Limit', actualRows: 10 } } });
      expect(unbound).toEqual(new Error('there is no parameter $1'));
      expect((await client.query('SELECT name FROM pg_prepared_statements')).rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
