import { StatementCounters, StatementSnapshot, statementBatches, statementDeltas } from './statement-deltas';

const snapshot = (statements: Record<string, StatementCounters>, statsReset: string | null = '2026-11-27T00:00:00Z'): StatementSnapshot => ({
  statsReset,
  statements: new Map(Object.entries(statements)),
});

describe(statementDeltas.name, () => {
  it('only sets the baseline on the first scrape', () => {
    expect(statementDeltas(null, snapshot({ a: { calls: 10, totalTimeMs: 5, rows: 10 } }))).toEqual({ baseline: true, reset: false, deltas: [] });
  });

  it('reports what ran between scrapes, the most time first, with the mean of the interval', () => {
    const sut = statementDeltas(
      snapshot({ a: { calls: 10, totalTimeMs: 50, rows: 10 }, b: { calls: 1, totalTimeMs: 1, rows: 0 }, idle: { calls: 3, totalTimeMs: 3, rows: 3 } }),
      snapshot({ a: { calls: 14, totalTimeMs: 58, rows: 18 }, b: { calls: 3, totalTimeMs: 101, rows: 4 }, idle: { calls: 3, totalTimeMs: 3, rows: 3 } }),
    );
    expect(sut).toEqual({
      baseline: false,
      reset: false,
      deltas: [
        { fingerprint: 'b', calls: 2, totalTimeMs: 100, rows: 4, meanMs: 50 },
        { fingerprint: 'a', calls: 4, totalTimeMs: 8, rows: 8, meanMs: 2 },
      ],
    });
  });

  it('counts a statement new since the last scrape whole', () => {
    const sut = statementDeltas(snapshot({}), snapshot({ n: { calls: 2, totalTimeMs: 4, rows: 2 } }));
    expect(sut.deltas).toEqual([{ fingerprint: 'n', calls: 2, totalTimeMs: 4, rows: 2, meanMs: 2 }]);
  });

  it('reads counters that went down as restarted from zero (a reset of one statement or an eviction)', () => {
    const sut = statementDeltas(snapshot({ a: { calls: 100, totalTimeMs: 500, rows: 100 } }), snapshot({ a: { calls: 3, totalTimeMs: 6, rows: 3 } }));
    expect(sut).toEqual({ baseline: false, reset: false, deltas: [{ fingerprint: 'a', calls: 3, totalTimeMs: 6, rows: 3, meanMs: 2 }] });
  });

  it('reads everything as restarted when stats_reset moved, even counters that grew past the old ones', () => {
    const sut = statementDeltas(
      snapshot({ a: { calls: 5, totalTimeMs: 5, rows: 5 } }, '2026-11-27T00:00:00Z'),
      snapshot({ a: { calls: 7, totalTimeMs: 7, rows: 7 } }, '2026-11-27T01:00:00Z'),
    );
    expect(sut).toEqual({ baseline: false, reset: true, deltas: [{ fingerprint: 'a', calls: 7, totalTimeMs: 7, rows: 7, meanMs: 1 }] });
  });
});

describe(statementBatches.name, () => {
  it('stores four series per statement, labelled with its fingerprint, database and target', () => {
    const sut = statementBatches(
      { stack: 'checkout', environment: 'production', component: 'checkout-db', target: 'checkout-primary', database: 'shop' },
      [{ fingerprint: '-42', calls: 4, totalTimeMs: 8, rows: 12, meanMs: 2 }],
      5_000,
    );
    expect(sut.map((batch) => [batch.labels.metric, batch.samples])).toEqual([
      ['db_query_calls', [{ timestamp: 5_000, value: 4 }]],
      ['db_query_time_ms_total', [{ timestamp: 5_000, value: 8 }]],
      ['db_query_mean_ms', [{ timestamp: 5_000, value: 2 }]],
      ['db_query_rows', [{ timestamp: 5_000, value: 12 }]],
    ]);
    expect(sut[0]?.labels).toEqual({
      stack: 'checkout',
      environment: 'production',
      component: 'checkout-db',
      metric: 'db_query_calls',
      extra: { fingerprint: '-42', database: 'shop', target: 'checkout-primary' },
    });
  });
});
