import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@strata/testing';
import { adviseIndexes, existingIndexes } from './index-advisor';

const MISSING = 'SELECT id, total FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 10';
const BY_CUSTOMER = 'SELECT count(*) FROM orders WHERE customer_id = 7';
const COVERED = 'SELECT customer_id FROM orders WHERE id = 7';
const UNHELPED = `SELECT count(*) FROM orders WHERE status = 'paid'`;
const STATISTICS = [MISSING, BY_CUSTOMER, COVERED, UNHELPED].map((query) => ({ query, calls: 50, meanExecTimeMs: 20 }));

/** 100k orders and 100k customers with only their primary keys: a customer's orders need an index, a status does not (half the rows). */
async function seed(client: Client): Promise<void> {
  await client.query(`CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL, total numeric NOT NULL, created_at timestamptz NOT NULL)`);
  await client.query(`INSERT INTO orders SELECT i, i % 5000, (ARRAY['paid', 'open'])[1 + i % 2], i % 100, now() - i * interval '1 minute' FROM generate_series(1, 100000) AS i`);
  await client.query(`CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL)`);
  await client.query(`INSERT INTO customers SELECT i, 'c' || i || '@example.com' FROM generate_series(1, 100000) AS i`);
  await client.query('ANALYZE');
}

describe.each([
  ['hypopg', true],
  ['staging-copy', false],
] as const)('index advisor on PostgreSQL, %s path', (path, withHypopg) => {
  let database: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase(`advisor_${path}`);
    client = new Client({ connectionString: database.url });
    await client.connect();
    if (withHypopg) await client.query('CREATE EXTENSION hypopg');
    await seed(client);
  });

  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it(`proposes the missing index (one for a customer's orders, sorted or counted), says why the others were dropped, and leaves the database as it was (${path})`, async () => {
    const result = await adviseIndexes(client, STATISTICS);

    expect(result.path).toBe(path);
    expect(result.proposals).toEqual([
      expect.objectContaining({
        table: 'orders',
        columns: ['customer_id', 'created_at'],
        sql: 'CREATE INDEX CONCURRENTLY orders_customer_id_created_at_idx ON orders (customer_id, created_at)',
        down: 'DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_created_at_idx',
        queries: [MISSING, BY_CUSTOMER],
        path,
      }),
    ]);
    const [proposal] = result.proposals;
    expect(proposal.costAfter).toBeLessThan(proposal.costBefore / 2);
    expect(result.rejected).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ table: 'orders', columns: ['id'], reason: 'covered by index orders_pkey' }),
        expect.objectContaining({ table: 'orders', columns: ['customer_id'], reason: 'its queries are served as well by proposed index orders_customer_id_created_at_idx' }),
        expect.objectContaining({ table: 'orders', columns: ['status'], reason: expect.stringMatching(/planner cost drops only \d+ %|the planner uses it for none of its queries/) }),
      ]),
    );
    expect((await existingIndexes(client)).map((index) => index.name).sort()).toEqual(['customers_pkey', 'orders_pkey']);
    if (withHypopg) expect((await client.query('SELECT * FROM hypopg_list_indexes')).rows).toEqual([]);
    if (withHypopg) expect(result.stagingCopy).toBeUndefined();
    else {
      // The copy held the table the statements touch, sampled at the default 10 %, and is gone.
      expect(result.stagingCopy?.tables).toEqual([expect.objectContaining({ table: 'public.orders', productionRows: 100000, percent: 10 })]);
      expect((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [result.stagingCopy?.name])).rows).toEqual([]);
    }
  });

  it(`keeps the two indexes of a join that each only halve its cost alone (${path})`, async () => {
    const join = `SELECT o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.email = 'c42@example.com'`;
    const result = await adviseIndexes(client, [{ query: join, calls: 50, meanExecTimeMs: 20 }]);

    expect(result.proposals.map((proposal) => `${proposal.table}(${proposal.columns.join(', ')})`).sort()).toEqual(['customers(email)', 'orders(customer_id)']);
  });

  it(`judges normalised statements, as pg_stat_statements keeps them, on their generic plans and leaves nothing prepared or set (${path})`, async () => {
    const normalised = ['SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2', 'SELECT count(*) FROM orders WHERE customer_id = $1', 'SELECT count(*) FROM orders WHERE status = $1'];
    const result = await adviseIndexes(client, normalised.map((query) => ({ query, calls: 50, meanExecTimeMs: 20 })));

    expect(result.proposals).toEqual([expect.objectContaining({ table: 'orders', columns: ['customer_id', 'created_at'], queries: normalised.slice(0, 2) })]);
    expect(result.rejected).toContainEqual(expect.objectContaining({ table: 'orders', columns: ['status'] }));
    expect((await client.query('SELECT name FROM pg_prepared_statements')).rows).toEqual([]);
    expect((await client.query('SHOW plan_cache_mode')).rows).toEqual([{ plan_cache_mode: 'auto' }]);
  });

  it(`ignores statements under the thresholds (${path})`, async () => {
    const result = await adviseIndexes(client, STATISTICS, { thresholds: { minCalls: 100, minMeanMs: 1 } });
    expect(result).toEqual({ path, proposals: [], rejected: [] });
  });
});
