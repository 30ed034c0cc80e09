import { DomainError } from '../errors/domain-error';
import { lintSchemaMigration } from './schema-migration-lint';

const kinds = async (sql: string) => (await lintSchemaMigration(sql)).map((finding) => finding.kind);

describe(lintSchemaMigration.name, () => {
  const sut = lintSchemaMigration;

  it('passes additive, online changes', async () => {
    expect(
      await sut(`
        ALTER TABLE orders ADD COLUMN coupon_code text;
        ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
        CREATE INDEX CONCURRENTLY orders_coupon ON orders (coupon_code);
        ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
        DROP INDEX CONCURRENTLY IF EXISTS orders_old;
        UPDATE orders SET status = 'paid' WHERE paid_at IS NOT NULL;
      `),
    ).toEqual([]);
  });

  it.each([
    ['DROP TABLE orders;', 'drop-table'],
    ['ALTER TABLE orders DROP COLUMN coupon_code;', 'drop-column'],
    ['ALTER TABLE orders RENAME COLUMN coupon_code TO coupon;', 'rename'],
    ['ALTER TABLE orders RENAME TO purchases;', 'rename'],
    ['ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);', 'column-type-change'],
    ['ALTER TABLE orders ADD COLUMN region text NOT NULL;', 'not-null-without-default'],
    ['ALTER TABLE orders ALTER COLUMN region SET NOT NULL;', 'set-not-null'],
    ['CREATE INDEX orders_region ON orders (region);', 'index-without-concurrently'],
    ['CREATE UNIQUE INDEX orders_ref ON public.orders (ref);', 'index-without-concurrently'],
    ['DROP INDEX orders_region;', 'drop-index'],
    ['TRUNCATE orders;', 'truncate'],
    ['DELETE FROM orders;', 'delete-all-rows'],
    ['UPDATE orders SET region = 1;', 'update-all-rows'],
    ['ALTER TABLE orders DROP CONSTRAINT orders_customer;', 'drop-constraint'],
    ['ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0);', 'validating-constraint'],
    ['DROP VIEW order_totals;', 'drop-object'],
    ["DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'orders'; END $$;", 'unverifiable-code'],
    ["DO LANGUAGE plpgsql $$ BEGIN PERFORM 1; END $$;", 'unverifiable-code'],
    ['CALL archive_orders();', 'unverifiable-code'],
    ['EXECUTE drop_orders;', 'unverifiable-code'],
  ])('flags %s as %s', async (sql, kind) => {
    expect(await kinds(sql)).toEqual([kind]);
  });

  it('lets a migration lock the tables it creates', async () => {
    expect(
      await sut(`
        CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL);
        CREATE INDEX refunds_order ON refunds (order_id);
        ALTER TABLE refunds ADD COLUMN reason text NOT NULL;
        ALTER TABLE refunds ADD CONSTRAINT refunds_order FOREIGN KEY (order_id) REFERENCES orders (id);
      `),
    ).toEqual([]);
  });

  it('is not fooled by comments and strings', async () => {
    expect(await kinds(`-- DROP TABLE orders;\nINSERT INTO audit (note) VALUES ('DROP TABLE orders');`)).toEqual([]);
  });

  it('reports every finding with its statement and line', async () => {
    const findings = await sut('ALTER TABLE orders ADD COLUMN a text;\n\nDROP TABLE carts;\nALTER TABLE orders DROP COLUMN b, ALTER COLUMN c TYPE int;');
    expect(findings).toEqual([
      { kind: 'drop-table', location: 'statement 2 (line 3)', message: expect.stringContaining('data is lost') },
      { kind: 'drop-column', location: 'statement 3 (line 4)', message: expect.stringContaining('orders.b') },
      { kind: 'column-type-change', location: 'statement 3 (line 4)', message: expect.stringContaining('orders.c') },
    ]);
  });

  it('refuses SQL that PostgreSQL cannot parse, naming the field', async () => {
    let caught: unknown;
    try {
      await sut('ALTER TABLE orders ADD COLUMN;', 'spec.down');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).violations).toEqual([{ field: 'spec.down', message: expect.stringMatching(/syntax error/) }]);
  });

  it('accepts an empty migration', async () => {
    expect(await sut('')).toEqual([]);
  });
});
