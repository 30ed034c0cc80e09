import { queryShape } from './query-shape';

describe('queryShape', () => {
  it('sorts the predicates of one table into equality, IN-list and range columns', async () => {
    const shape = await queryShape(`SELECT * FROM orders WHERE status = 'paid' AND region IN ('a', 'b') AND created_at >= '2025-01-01' AND 10 > amount`);
    expect(shape).toEqual([{ table: 'orders', equality: ['status', 'region'], range: ['created_at', 'amount'], join: [], order: [] }]);
  });

  it('reads BETWEEN and parameters ($1) of a normalised statement', async () => {
    const [access] = await queryShape('SELECT id FROM events WHERE tenant_id = $1 AND occurred_at BETWEEN $2 AND $3');
    expect(access).toMatchObject({ equality: ['tenant_id'], range: ['occurred_at'] });
  });

  it('finds the join keys of both sides through their aliases, and the filters of each table', async () => {
    const shape = await queryShape(`SELECT o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.email = 'x@example.com'`);
    expect(shape).toEqual([
      { table: 'customers', equality: ['email'], range: [], join: ['id'], order: [] },
      { table: 'orders', equality: [], range: [], join: ['customer_id'], order: [] },
    ]);
  });

  it('treats a join written in WHERE like one written in ON, resolving unqualified columns through the catalog', async () => {
    const catalog = new Map([['users', new Set(['id', 'handle'])], ['events', new Set(['user_id', 'kind'])]]);
    const shape = await queryShape(`SELECT kind FROM users, events WHERE user_id = id AND handle = 'u1'`, catalog);
    expect(shape).toEqual([
      { table: 'users', equality: ['handle'], range: [], join: ['id'], order: [] },
      { table: 'events', equality: [], range: [], join: ['user_id'], order: [] },
    ]);
  });

  it('keeps the ORDER BY keys when they are all on one table', async () => {
    const [access] = await queryShape('SELECT * FROM orders WHERE customer_id = 7 ORDER BY created_at DESC, id LIMIT 10');
    expect(access).toMatchObject({ equality: ['customer_id'], order: ['created_at', 'id'] });
    const mixed = await queryShape('SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY c.country, o.created_at');
    expect(mixed.every((table) => table.order.length === 0)).toBe(true);
  });

  it('ignores what no B-tree index on a plain column serves: OR, functions of a column, <>, comparisons of two columns of one table', async () => {
    const [access] = await queryShape(`SELECT * FROM t WHERE (a = 1 OR b = 2) AND lower(c) = 'x' AND d <> 3 AND e = f`);
    expect(access).toEqual({ table: 't', equality: [], range: [], join: [], order: [] });
  });

  it('has nothing to say about writes, set operations or several statements', async () => {
    expect(await queryShape('UPDATE t SET a = 1 WHERE b = 2')).toEqual([]);
    expect(await queryShape('SELECT a FROM t WHERE b = 1 UNION SELECT a FROM u WHERE c = 2')).toEqual([]);
    expect(await queryShape('SELECT 1; SELECT 2')).toEqual([]);
  });

  it('is not fooled by SQL inside a string literal', async () => {
    const [access] = await queryShape(`SELECT * FROM t WHERE note = 'WHERE x = 1 ORDER BY y'`);
    expect(access).toEqual({ table: 't', equality: ['note'], range: [], join: [], order: [] });
  });
});
