import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@strata/testing';
import { createStagingCopy, type StagingCopy } from './staging-copy';
import { StagingDatabaseError } from './connections';

const QUERIES = [`SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = 'c7@example.com'`, 'WITH recent AS (SELECT * FROM orders WHERE id > 99000) SELECT count(*) FROM recent'];

async function rows(url: string, sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(url: string, name: string): Promise<boolean> {
  return (await rows(url, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}

/** 100k orders (primary key, an index on status, a unique reference, an enum, defaults) and 500 customers. */
async function seed(client: Client): Promise<void> {
  await client.query(`CREATE TYPE order_state AS ENUM ('open', 'paid', 'shipped')`);
  await client.query(`CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL UNIQUE)`);
  await client.query(`INSERT INTO customers SELECT i, 'c' || i || '@example.com' FROM generate_series(1, 500) AS i`);
  await client.query(
    `CREATE TABLE orders (id serial PRIMARY KEY, customer_id integer NOT NULL, state order_state NOT NULL DEFAULT 'open', ref text NOT NULL, total numeric(10, 2), created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await client.query(`INSERT INTO orders (customer_id, state, ref, total, created_at) SELECT i % 500 + 1, (ARRAY['open', 'paid', 'shipped'])[1 + i % 3]::order_state, 'r' || i, i % 1000, now() - i * interval '1 minute' FROM generate_series(1, 100000) AS i`);
  await client.query(`CREATE INDEX orders_state_idx ON orders (state)`);
  await client.query(`CREATE UNIQUE INDEX orders_ref_key ON orders (ref)`);
  await client.query(`CREATE TABLE untouched (id integer PRIMARY KEY)`);
  await client.query('ANALYZE');
}

describe('createStagingCopy on PostgreSQL', () => {
  let production: TestDatabase;
  let client: Client;
  const copies: StagingCopy[] = [];

  beforeAll(async () => {
    production = await createTestDatabase('staging_copy');
    client = new Client({ connectionString: production.url });
    await client.connect();
    await seed(client);
  });

  afterAll(async () => {
    for (const copy of copies) await copy.drop();
    await client.end();
    await production.drop();
  });

  it('copies the tables the queries touch with a 10 % sample, the primary keys and indexes, and analyses them', async () => {
    const copy = await createStagingCopy(production.url, { queries: QUERIES, sample: { percent: 10, seed: 7 } });
    copies.push(copy);

    expect(copy.name).toMatch(/^strata_staging_[0-9a-f]{8}$/);
    expect(copy.tables.map((table) => table.table)).toEqual(['public.customers', 'public.orders']);
    const [customers, orders] = copy.tables;
    expect(customers).toEqual({ table: 'public.customers', rows: 500, productionRows: 500, percent: 100 });
    expect(orders.percent).toBe(10);
    expect(orders.rows).toBeGreaterThan(9_000);
    expect(orders.rows).toBeLessThan(11_000);
    expect(Number((await rows(copy.url, 'SELECT count(*) AS n FROM orders'))[0]['n'])).toBe(orders.rows);
    expect(await rows(copy.url, `SELECT to_regclass('untouched') AS t`)).toEqual([{ t: null }]);

    const indexes = await rows(copy.url, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
    expect(indexes).toEqual([
      { indexname: 'customers_email_key', indexdef: 'CREATE UNIQUE INDEX customers_email_key ON public.customers USING btree (email)' },
      { indexname: 'customers_pkey', indexdef: 'CREATE UNIQUE INDEX customers_pkey ON public.customers USING btree (id)' },
      { indexname: 'orders_pkey', indexdef: 'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)' },
      { indexname: 'orders_ref_key', indexdef: 'CREATE UNIQUE INDEX orders_ref_key ON public.orders USING btree (ref)' },
      { indexname: 'orders_state_idx', indexdef: 'CREATE INDEX orders_state_idx ON public.orders USING btree (state)' },
    ]);
    expect(await rows(copy.url, `SELECT contype FROM pg_constraint WHERE conname = 'orders_pkey'`)).toEqual([{ contype: 'p' }]);
    const columns = await rows(copy.url, `SELECT column_name, data_type, udt_name, is_nullable, column_default FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`);
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'integer', udt_name: 'int4', is_nullable: 'NO', column_default: null },
      { column_name: 'customer_id', data_type: 'integer', udt_name: 'int4', is_nullable: 'NO', column_default: null },
      { column_name: 'state', data_type: 'USER-DEFINED', udt_name: 'order_state', is_nullable: 'NO', column_default: `'open'::order_state` },
      { column_name: 'ref', data_type: 'text', udt_name: 'text', is_nullable: 'NO', column_default: null },
      { column_name: 'total', data_type: 'numeric', udt_name: 'numeric', is_nullable: 'YES', column_default: null },
      { column_name: 'created_at', data_type: 'timestamp with time zone', udt_name: 'timestamptz', is_nullable: 'NO', column_default: 'now()' },
    ]);
    const [statistics] = await rows(copy.url, `SELECT c.reltuples::int AS estimate, (SELECT count(*)::int FROM pg_stats s WHERE s.tablename = 'orders') AS columns_analysed FROM pg_class c WHERE c.relname = 'orders'`);
    expect(statistics).toEqual({ estimate: orders.rows, columns_analysed: 6 });
  });

  it('caps the rows per table, lowering the share rather than cutting the scan short', async () => {
    const copy = await createStagingCopy(client, { tables: ['orders'], sample: { percent: 50, maxRowsPerTable: 2_000 } });
    copies.push(copy);

    const [orders] = copy.tables;
    expect(orders.percent).toBeCloseTo(((2_000 - 3 * Math.sqrt(2_000)) / 100_000) * 100, 5);
    expect(orders.rows).toBeLessThanOrEqual(2_000);
    expect(orders.rows).toBeGreaterThan(1_600);
    const [spread] = await rows(copy.url, 'SELECT min(id) AS low, max(id) AS high FROM orders');
    expect(Number(spread['low'])).toBeLessThan(1_000);
    expect(Number(spread['high'])).toBeGreaterThan(99_000);
  });

  it('is gone after drop(), which may be called twice', async () => {
    const copy = await createStagingCopy(production.url, { tables: ['customers'] });
    expect(await databaseExists(production.url, copy.name)).toBe(true);

    await copy.drop();
    await copy.drop();

    expect(await databaseExists(production.url, copy.name)).toBe(false);
  });

  it('drops the staging database when the copy fails midway (an index on a function production has and the copy has not)', async () => {
    await client.query(`CREATE TABLE labels (id integer PRIMARY KEY, name text NOT NULL)`);
    await client.query(`CREATE FUNCTION normalise(value text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(value)'`);
    await client.query(`CREATE INDEX labels_normalised_idx ON labels (normalise(name))`);

    const failure = await createStagingCopy(production.url, { tables: ['labels'] }).catch((error: Error) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/CREATE INDEX labels_normalised_idx ON public\.labels USING btree \(public\.normalise\(name\)\) failed: .*does not exist \(staging database (strata_staging_[0-9a-f]{8}) dropped\)/);
    const name = /(strata_staging_[0-9a-f]{8})/.exec((failure as Error).message)![1];
    expect(await databaseExists(production.url, name)).toBe(false);
  });

  it('names an unreachable production database, without its password', async () => {
    const url = 'postgres://postgres:secret@127.0.0.1:1/shop';

    const failure = await createStagingCopy(url, { tables: ['orders'] }).catch((error: Error) => error);

    expect(failure).toBeInstanceOf(StagingDatabaseError);
    expect(failure).toMatchObject({ field: 'production', message: expect.stringContaining('the production database at postgres://postgres:***@127.0.0.1:1/shop is unreachable: ') });
    expect((failure as Error).message).not.toContain('secret');
  });

  it('names a table that production does not have', async () => {
    await expect(createStagingCopy(production.url, { tables: ['nowhere'] })).rejects.toMatchObject({ field: 'tables', message: `tables: 'nowhere' is not a table of the production database` });
  });
});
