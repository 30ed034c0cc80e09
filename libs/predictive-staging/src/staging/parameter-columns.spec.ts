import { parameterColumns } from './parameter-columns';

const column = (parameter: number, table: string, name: string, bound: 'low' | 'equal' | 'high' = 'equal') => ({ parameter, kind: 'column', table, column: name, bound });

describe(parameterColumns.name, () => {
  it('maps equality on either side, IN lists and casts to the compared column', async () => {
    expect(await parameterColumns('SELECT id FROM orders WHERE customer_id = $1 AND $2 = status AND region IN ($3, $4) AND total = $5::numeric')).toEqual({
      mappable: true,
      sources: [column(1, 'orders', 'customer_id'), column(2, 'orders', 'status'), column(3, 'orders', 'region'), column(4, 'orders', 'region'), column(5, 'orders', 'total')],
    });
  });

  it('marks which side of a range each bound is on, mirrored when the parameter is on the left, and BETWEEN as low then high', async () => {
    expect(await parameterColumns('SELECT id FROM orders WHERE created_at >= $1 AND created_at < $2 AND $3 > total AND $4 <= amount AND day BETWEEN $5 AND $6')).toEqual({
      mappable: true,
      sources: [column(1, 'orders', 'created_at', 'low'), column(2, 'orders', 'created_at', 'high'), column(3, 'orders', 'total', 'high'), column(4, 'orders', 'amount', 'low'), column(5, 'orders', 'day', 'low'), column(6, 'orders', 'day', 'high')],
    });
  });

  it('maps LIMIT and OFFSET to small integers', async () => {
    expect(await parameterColumns('SELECT id FROM orders WHERE customer_id <= $1 ORDER BY customer_id DESC LIMIT $2 OFFSET $3')).toEqual({
      mappable: true,
      sources: [column(1, 'orders', 'customer_id', 'high'), { parameter: 2, kind: 'limit', value: 10 }, { parameter: 3, kind: 'offset', value: 0 }],
    });
  });

  it('resolves the table through aliases and joins, and an unqualified column through the catalog', async () => {
    const sql = 'SELECT o.id FROM orders o JOIN customers AS c ON c.id = o.customer_id WHERE c.email = $1 AND placed_at > $2';
    expect(await parameterColumns(sql, new Map([['orders', new Set(['id', 'customer_id', 'placed_at'])], ['customers', new Set(['id', 'email'])]]))).toEqual({
      mappable: true,
      sources: [column(1, 'customers', 'email'), column(2, 'orders', 'placed_at', 'low')],
    });
  });

  it('maps parameters of subqueries (correlated ones through the enclosing scope), UPDATE and DELETE', async () => {
    expect(await parameterColumns('SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = $1) AND c.region = $2')).toEqual({
      mappable: true,
      sources: [column(1, 'orders', 'status'), column(2, 'customers', 'region')],
    });
    expect(await parameterColumns('UPDATE orders SET total = 0 WHERE customer_id = $1')).toEqual({ mappable: true, sources: [column(1, 'orders', 'customer_id')] });
    expect(await parameterColumns('DELETE FROM orders AS x WHERE x.id < $1')).toEqual({ mappable: true, sources: [column(1, 'orders', 'id', 'high')] });
  });

  it('maps a literal statement to no sources', async () => {
    expect(await parameterColumns('SELECT id FROM orders WHERE customer_id = 42 LIMIT 10')).toEqual({ mappable: true, sources: [] });
  });

  it('says which parameter has no partner column, and why', async () => {
    expect(await parameterColumns('SELECT id FROM orders WHERE lower(email) = $1')).toEqual({ mappable: false, reason: '$1 is compared with an expression, not a column: no value of the copy can stand for it' });
    expect(await parameterColumns('SELECT id FROM orders WHERE customer_id = $1 AND x.status = $2')).toEqual({
      mappable: false,
      reason: '$2 is compared with x.status, whose table is not one the statement reads by that name: no value of the copy can stand for it',
    });
    expect(await parameterColumns('SELECT $1::int + id FROM orders')).toEqual({ mappable: false, reason: '$1 is not compared with a column: no value of the copy can stand for it' });
    expect(await parameterColumns('SELECT id FROM orders WHERE id = $2')).toEqual({ mappable: false, reason: '$1 is never used: no value of the copy can stand for it' });
  });

  it('does not guess the table of an unqualified column two tables could own', async () => {
    const result = await parameterColumns('SELECT 1 FROM orders JOIN customers ON customers.id = orders.customer_id WHERE id = $1');
    expect(result).toEqual({ mappable: false, reason: '$1 is compared with id, which no single table the statement reads is known to have: no value of the copy can stand for it' });
  });
});
