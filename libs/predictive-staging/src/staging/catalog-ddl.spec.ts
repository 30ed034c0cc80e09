import {
  type CatalogTable,
  createEnumSql,
  createTableSql,
  DEFAULT_SAMPLE,
  isSafeDefault,
  keyAndIndexSql,
  samplePlan,
  sampleSelectSql,
  unsupportedColumns,
  validateSampleOptions,
} from './catalog-ddl';

const orders: CatalogTable = {
  schema: 'shop',
  name: 'Orders',
  estimatedRows: 100_000,
  primaryKey: { name: 'orders_pkey', definition: 'PRIMARY KEY (id)' },
  indexes: [{ name: 'orders_state_idx', definition: 'CREATE INDEX orders_state_idx ON shop."Orders" USING btree (state)' }],
  columns: [
    { name: 'id', type: 'integer', notNull: true, default: `nextval('shop."Orders_id_seq"'::regclass)`, typeKind: 'builtin' },
    { name: 'state', type: 'shop.order_state', notNull: true, default: `'open'::shop.order_state`, typeKind: 'enum' },
    { name: 'created_at', type: 'timestamp with time zone', notNull: false, default: 'now()', typeKind: 'builtin' },
    { name: 'code', type: 'character varying(12)', notNull: false, default: `shop.next_code()`, typeKind: 'builtin' },
    { name: 'Total', type: 'numeric(10,2)', notNull: true, default: `pg_catalog.abs(0)`, typeKind: 'builtin' },
  ],
};

describe('staging DDL from catalog rows', () => {
  it('rebuilds a table with its types and NOT NULLs, keeping only the defaults the copy can evaluate', () => {
    expect(createTableSql(orders)).toBe(
      `CREATE TABLE shop."Orders" (id integer NOT NULL, state shop.order_state DEFAULT 'open'::shop.order_state NOT NULL, created_at timestamp with time zone DEFAULT now(), code character varying(12), "Total" numeric(10,2) DEFAULT pg_catalog.abs(0) NOT NULL)`,
    );
  });

  it('tells safe defaults from sequences and user functions', () => {
    expect(isSafeDefault(`nextval('orders_id_seq'::regclass)`)).toBe(false);
    expect(isSafeDefault('public.make_id()')).toBe(false);
    expect(isSafeDefault('"My Schema".f (1)')).toBe(false);
    expect(isSafeDefault(`'a.b(c)'::text`)).toBe(true);
    expect(isSafeDefault('CURRENT_TIMESTAMP')).toBe(true);
    expect(isSafeDefault('pg_catalog.timezone(\'utc\', now())')).toBe(true);
  });

  it('adds the primary key, then the indexes as production defines them', () => {
    expect(keyAndIndexSql(orders)).toEqual(['ALTER TABLE shop."Orders" ADD CONSTRAINT orders_pkey PRIMARY KEY (id)', 'CREATE INDEX orders_state_idx ON shop."Orders" USING btree (state)']);
    expect(keyAndIndexSql({ ...orders, primaryKey: null, indexes: [] })).toEqual([]);
  });

  it('rebuilds enum types and names the columns whose types it cannot rebuild', () => {
    expect(createEnumSql({ schema: 'shop', name: 'order_state', labels: ['open', "it's paid"] })).toBe(`CREATE TYPE shop.order_state AS ENUM ('open', 'it''s paid')`);
    const withComposite = { ...orders, columns: [...orders.columns, { name: 'address', type: 'shop.address', notNull: false, default: null, typeKind: 'other' as const }] };
    expect(unsupportedColumns([withComposite])).toEqual(['shop."Orders".address (shop.address)']);
  });
});

describe('sampling plan', () => {
  it('copies small tables whole and samples the others at the requested share', () => {
    expect(samplePlan(500, DEFAULT_SAMPLE)).toEqual({ whole: true });
    expect(samplePlan(100_000, DEFAULT_SAMPLE)).toEqual({ whole: false, percent: 10, limit: 200_000 });
    expect(samplePlan(100_000, { ...DEFAULT_SAMPLE, percent: 100 })).toEqual({ whole: true });
  });

  it('lowers the share to aim three standard deviations under the row cap', () => {
    const plan = samplePlan(1_000_000, { ...DEFAULT_SAMPLE, percent: 50, maxRowsPerTable: 10_000 });
    expect(plan).toEqual({ whole: false, percent: ((10_000 - 300) / 1_000_000) * 100, limit: 10_000 });
  });

  it('selects the sample in the column order, repeatable when seeded', () => {
    const plan = samplePlan(100_000, DEFAULT_SAMPLE);
    expect(sampleSelectSql(orders, plan, { method: 'SYSTEM', seed: 7 })).toBe('SELECT id, state, created_at, code, "Total" FROM shop."Orders" TABLESAMPLE SYSTEM (10) REPEATABLE (7) LIMIT 200000');
    expect(sampleSelectSql(orders, { whole: true }, { method: 'BERNOULLI' })).toBe('SELECT id, state, created_at, code, "Total" FROM shop."Orders"');
  });

  it('refuses sample options out of range, naming the field', () => {
    expect(() => validateSampleOptions({ ...DEFAULT_SAMPLE, percent: 0 })).toThrow('sample.percent must be in (0, 100], got 0');
    expect(() => validateSampleOptions({ ...DEFAULT_SAMPLE, maxRowsPerTable: 1.5 })).toThrow(/^sample\.maxRowsPerTable/);
    expect(() => validateSampleOptions({ ...DEFAULT_SAMPLE, wholeBelowRows: -1 })).toThrow(/^sample\.wholeBelowRows/);
    expect(() => validateSampleOptions({ ...DEFAULT_SAMPLE, method: 'RANDOM' as 'SYSTEM' })).toThrow(/^sample\.method/);
    expect(() => validateSampleOptions(DEFAULT_SAMPLE)).not.toThrow();
  });
});
