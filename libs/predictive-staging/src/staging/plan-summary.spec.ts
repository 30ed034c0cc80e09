import { isWrite, median, planShape, trimPlan, usesAnyIndex } from './plan-summary';
import { tablesTouched } from './tables-touched';

const EXPLAINED = [
  {
    Plan: {
      'Node Type': 'Aggregate',
      'Startup Cost': 10,
      'Total Cost': 10.5,
      'Plan Rows': 1,
      'Plan Width': 8,
      'Actual Rows': 1,
      'Actual Total Time': 0.2,
      'Actual Loops': 1,
      'Shared Hit Blocks': 4,
      'Shared Read Blocks': 1,
      Plans: [{ 'Node Type': 'Index Only Scan', 'Relation Name': 'orders', 'Index Name': 'orders_customer_id_idx', 'Startup Cost': 0.29, 'Total Cost': 9.9, 'Plan Rows': 20, 'Actual Rows': 20, 'Heap Fetches': 0 }],
    },
    Planning: { 'Shared Hit Blocks': 12 },
    'Planning Time': 0.1,
    'Execution Time': 0.25,
  },
];

describe(trimPlan.name, () => {
  it('keeps node types, relations, indexes, costs, rows, times and shared buffers, nothing else', () => {
    expect(trimPlan(EXPLAINED)).toEqual({
      planningTimeMs: 0.1,
      executionTimeMs: 0.25,
      plan: {
        nodeType: 'Aggregate',
        startupCost: 10,
        totalCost: 10.5,
        planRows: 1,
        actualRows: 1,
        actualTotalTimeMs: 0.2,
        loops: 1,
        sharedHitBlocks: 4,
        sharedReadBlocks: 1,
        children: [{ nodeType: 'Index Only Scan', relation: 'orders', index: 'orders_customer_id_idx', startupCost: 0.29, totalCost: 9.9, planRows: 20, actualRows: 20 }],
      },
    });
  });

  it('finds an index anywhere in the plan', () => {
    const { plan } = trimPlan(EXPLAINED);
    expect(usesAnyIndex(plan, new Set(['orders_customer_id_idx']))).toBe(true);
    expect(usesAnyIndex(plan, new Set(['orders_pkey']))).toBe(false);
  });

  it('describes the shape of a plan and tells writes', () => {
    const { plan } = trimPlan(EXPLAINED);
    expect(planShape(plan)).toBe('Aggregate(Index Only Scan[orders_customer_id_idx])');
    expect(isWrite(plan)).toBe(false);
    expect(isWrite({ nodeType: 'ModifyTable', startupCost: 0, totalCost: 1, planRows: 0, children: [plan] })).toBe(true);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe(tablesTouched.name, () => {
  it('lists the relations of reads, joins, subqueries and writes (CTE names included), skipping what does not parse', async () => {
    const touched = await tablesTouched([
      `WITH recent AS (SELECT * FROM orders) SELECT * FROM recent r JOIN shop."Customers" c ON c.id = r.customer_id WHERE EXISTS (SELECT 1 FROM refunds f WHERE f.order_id = r.id)`,
      'UPDATE stock SET n = n - 1 WHERE sku = 7',
      'SELEC nothing',
    ]);
    expect(touched).toEqual(['orders', 'recent', 'refunds', 'shop."Customers"', 'stock']);
  });
});
