import { type Candidate, candidatesForShape, coveringIndex, createIndexSql, isSlow, mergeCandidates, partitionCovered } from './candidates';
import { queryShape } from './query-shape';

const derive = async (sql: string): Promise<Candidate[]> => candidatesForShape(sql, await queryShape(sql));
const columnsOf = (candidates: readonly Candidate[]) => candidates.map((candidate) => `${candidate.table}(${candidate.columns.join(',')})`);

describe('index candidates', () => {
  it('counts a statement as slow only when both thresholds hold', () => {
    const thresholds = { minCalls: 10, minMeanMs: 5 };
    expect(isSlow({ query: 'q', calls: 10, meanExecTimeMs: 5 }, thresholds)).toBe(true);
    expect(isSlow({ query: 'q', calls: 9, meanExecTimeMs: 500 }, thresholds)).toBe(false);
    expect(isSlow({ query: 'q', calls: 5000, meanExecTimeMs: 4.9 }, thresholds)).toBe(false);
  });

  it('puts the equality columns first, then only the first range column', async () => {
    expect(columnsOf(await derive(`SELECT * FROM orders WHERE created_at > '2025-01-01' AND status = 'paid' AND amount < 5 AND sku IN ('a', 'b')`))).toEqual(['orders(sku,status,created_at)']);
  });

  it('follows the equality columns with the sort keys when there is no range', async () => {
    expect(columnsOf(await derive('SELECT * FROM orders WHERE customer_id = 1 ORDER BY created_at DESC LIMIT 5'))).toEqual(['orders(customer_id,created_at)']);
    expect(columnsOf(await derive('SELECT * FROM events ORDER BY occurred_at DESC LIMIT 20'))).toEqual(['events(occurred_at)']);
  });

  it('proposes the join keys of each side on their own, beside each side\'s filter', async () => {
    const candidates = await derive(`SELECT o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.email = 'x'`);
    expect(columnsOf(candidates)).toEqual(['customers(email)', 'customers(id)', 'orders(customer_id)']);
  });

  it('merges the same index asked for by several statements, keeping every statement it serves', async () => {
    const merged = mergeCandidates([...(await derive('SELECT * FROM t WHERE a = 1')), ...(await derive('SELECT * FROM t WHERE a = 2')), ...(await derive('SELECT * FROM t WHERE a = 1'))]);
    expect(merged).toEqual([{ table: 't', columns: ['a'], equalityCount: 1, queries: ['SELECT * FROM t WHERE a = 1', 'SELECT * FROM t WHERE a = 2'] }]);
  });

  it('skips a candidate covered by the leading columns of an existing index, equality columns in any order', async () => {
    const existing = [
      { name: 't_b_a_c_idx', table: 't', columns: ['b', 'a', 'c'] },
      { name: 'u_pkey', table: 'u', columns: ['id'] },
    ];
    const [covered] = await derive('SELECT * FROM t WHERE a = 1 AND b = 2 AND c > 3');
    expect(coveringIndex(covered, existing)?.name).toBe('t_b_a_c_idx');
    const [rangeFirst] = await derive('SELECT * FROM t WHERE c = 1 AND a > 3');
    expect(coveringIndex(rangeFirst, existing)).toBeUndefined();
    const [otherTable] = await derive('SELECT * FROM u WHERE id = 4');
    const [notLeading] = await derive('SELECT * FROM u WHERE name = 4');
    expect(partitionCovered([otherTable, notLeading], existing)).toEqual({ open: [notLeading], covered: [{ candidate: otherTable, coveredBy: 'u_pkey' }] });
  });

  it('writes the index statements with quoted identifiers where needed', () => {
    expect(createIndexSql({ table: 'orders', columns: ['customer_id', 'created_at'] }, true)).toBe('CREATE INDEX CONCURRENTLY orders_customer_id_created_at_idx ON orders (customer_id, created_at)');
    expect(createIndexSql({ table: 'Orders', columns: ['Total'] }, false)).toBe('CREATE INDEX "Orders_Total_idx" ON "Orders" ("Total")');
  });
});
