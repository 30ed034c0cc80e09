import { geometricMean, matches, parseEvalAdvisorArgs, score, UsageError } from './eval-advisor';

describe('eval:advisor', () => {
  const expected = [
    { table: 'orders', columns: [['customer_id'], ['customer_id', 'created_at']] },
    { table: 'events', columns: [['user_id']] },
  ];

  it('matches a proposal on the same table whose leading columns equal one of the lists', () => {
    expect(matches({ table: 'orders', columns: ['customer_id', 'created_at', 'id'] }, expected[0])).toBe(true);
    expect(matches({ table: 'orders', columns: ['created_at', 'customer_id'] }, expected[0])).toBe(false);
    expect(matches({ table: 'events', columns: ['customer_id'] }, expected[0])).toBe(false);
  });

  it('scores precision over proposals and recall over expected entries', () => {
    const proposals = [
      { table: 'orders', columns: ['customer_id'] },
      { table: 'orders', columns: ['customer_id', 'created_at'] },
      { table: 'orders', columns: ['status'] },
    ];
    expect(score(proposals, expected)).toEqual({ proposals: 3, matchedProposals: 2, entries: 2, matchedEntries: 1 });
  });

  it('takes the geometric mean of the speedups, 1 when nothing was affected', () => {
    expect(geometricMean([4, 16])).toBeCloseTo(8);
    expect(geometricMean([])).toBe(1);
  });

  it('reads repeated workloads, the path and --json; refuses the rest', () => {
    expect(parseEvalAdvisorArgs(['--workload', 'a', '--workload', 'b', '--path', 'staging-copy', '--json'])).toEqual({ workloads: ['a', 'b'], path: 'staging-copy', json: true });
    expect(() => parseEvalAdvisorArgs(['--path', 'real-index'])).toThrow(`--path is hypopg or staging-copy, got 'real-index'`);
    expect(parseEvalAdvisorArgs([]).workloads.map((folder) => folder.split('/').at(-1))).toEqual(['events', 'shop']);
    expect(() => parseEvalAdvisorArgs(['--path', 'magic'])).toThrow(UsageError);
    expect(() => parseEvalAdvisorArgs(['--workload'])).toThrow(UsageError);
    expect(() => parseEvalAdvisorArgs(['--fast'])).toThrow(UsageError);
  });
});
