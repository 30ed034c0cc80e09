import type { Client } from 'pg';

/**
 * A shop database missing its obvious index: 200,000 orders of 20,000 customers, analysed, with
 * no index on `customer_id`; `traffic` runs once per call number (0‥14), so pg_stat_statements
 * keeps each of its statement shapes as one normalised entry.
 */
export async function loadOrdersWithoutIndex(shop: Client, traffic: (call: number) => string[]): Promise<void> {
  await shop.query('CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)');
  await shop.query('INSERT INTO orders SELECT g, 1 + g % 20000, g * 1.5 FROM generate_series(1, 200000) AS g');
  await shop.query('ANALYZE orders');
  for (let call = 0; call < 15; call++) {
    for (const sql of traffic(call)) await shop.query(sql);
  }
}
