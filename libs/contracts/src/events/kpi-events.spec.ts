import { kpiHistogram, kpiSamplesV1, kpiWindowV1 } from './kpi-events';

describe('kpiSamplesV1', () => {
  const series = { stack: 'shop', environment: 'production', component: 'api', metric: 'latency_seconds' };
  const problemOf = (samples: unknown[]) => {
    const parsed = kpiSamplesV1.safeParse({ series, samples });
    return parsed.success ? null : { path: parsed.error.issues[0]!.path, message: parsed.error.issues[0]!.message };
  };

  it('accepts samples and hands back the very objects it checked', () => {
    const samples = [
      { timestamp: 0, value: -1.5 },
      { timestamp: 1_764_000_000_000, value: 0 },
    ];
    const parsed = kpiSamplesV1.parse({ series, samples });
    expect(parsed.samples).toEqual(samples);
    expect(parsed.samples[1]).toBe(samples[1]);
  });

  it.each([
    ['a fractional timestamp', { timestamp: 1.5, value: 1 }],
    ['a negative timestamp', { timestamp: -1, value: 1 }],
    ['a timestamp beyond 2^53', { timestamp: 2 ** 53, value: 1 }],
    ['a timestamp as text', { timestamp: '1764000000000', value: 1 }],
    ['no value', { timestamp: 1 }],
    ['an infinite value', { timestamp: 1, value: Number.POSITIVE_INFINITY }],
    ['NaN', { timestamp: 1, value: Number.NaN }],
    ['a value two of which sum to Infinity', { timestamp: 1, value: 1.7e308 }],
    ['a value below -1e300', { timestamp: 1, value: -2e300 }],
    ['null', null],
    ['a number', 5],
  ])('refuses %s, naming the sample', (_, sample) => {
    expect(problemOf([{ timestamp: 1, value: 1 }, sample])).toEqual({ path: ['samples', 1], message: expect.stringMatching(/^must be \{timestamp: epoch milliseconds/) });
  });

  it('takes values up to ±1e300, the most rollups can add up', () => {
    expect(problemOf([{ timestamp: 1, value: 1e300 }, { timestamp: 2, value: -1e300 }])).toBeNull();
  });

  it('refuses more than 10 000 samples', () => {
    expect(problemOf(Array.from({ length: 10_001 }, (_, index) => ({ timestamp: index, value: 1 })))).toEqual({ path: ['samples'], message: expect.stringMatching(/10000/) });
  });
});

describe('kpiHistogram', () => {
  const histogram = { timestamp: 1_764_000_000_000, bounds: [1, 10, 100, null], counts: [10, 80, 10, 0], sum: 1_000, count: 100 };
  const problemOf = (candidate: unknown) => {
    const parsed = kpiHistogram.safeParse(candidate);
    return parsed.success ? null : parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
  };

  it('accepts ascending bounds ending at +Inf (null) or not, whose counts add up to count', () => {
    expect(problemOf(histogram)).toBeNull();
    expect(problemOf({ ...histogram, bounds: [1, 10, 100, 1_000] })).toBeNull();
    expect(problemOf({ ...histogram, bounds: [null], counts: [0], count: 0, sum: 0 })).toBeNull();
  });

  it.each([
    ['descending bounds', { bounds: [100, 10, 1, null] }, ['bounds', 1], 'bounds must be strictly ascending (10 after 100)'],
    ['a repeated bound', { bounds: [1, 10, 10, null] }, ['bounds', 2], 'bounds must be strictly ascending (10 after 10)'],
    ['+Inf before the last bucket', { bounds: [1, null, 100, 1_000] }, ['bounds', 1], 'only the last bound may be null (+Inf)'],
    ['a count short of its buckets', { count: 5 }, ['count'], 'must equal the sum of counts (100)'],
    ['a count beyond its buckets', { count: 101 }, ['count'], 'must equal the sum of counts (100)'],
    ['fewer counts than bounds', { counts: [10, 80, 10] }, ['counts'], 'counts and bounds must have the same length'],
  ])('refuses %s, naming the field', (_case, change, path, message) => {
    expect(problemOf({ ...histogram, ...change })).toEqual([{ path, message }]);
  });
});

describe('kpiWindowV1', () => {
  const window = {
    series: { stack: 'shop', environment: 'production', component: 'shop-api', metric: 'http_requests' },
    seriesId: '7',
    windowStart: 1_764_000_000_000,
    windowEnd: 1_764_000_010_000,
    count: 2,
    sum: 3,
    mean: 1.5,
    min: 1,
    max: 2,
    p50: 1,
    p95: 2,
    p99: 2,
  };
  const problemsOf = (candidate: unknown) => {
    const parsed = kpiWindowV1.safeParse(candidate);
    return parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
  };

  it('takes a window in order, and an empty one', () => {
    expect(problemsOf(window)).toEqual([]);
    expect(problemsOf({ ...window, count: 0, sum: 0, mean: null, min: null, max: null, p50: null, p95: null, p99: null })).toEqual([]);
  });

  it('refuses a window that ends before it starts, or whose min exceeds its max', () => {
    expect(problemsOf({ ...window, windowEnd: window.windowStart })).toEqual([{ path: ['windowEnd'], message: `must be after windowStart (${window.windowStart})` }]);
    expect(problemsOf({ ...window, min: 3 })).toEqual([{ path: ['min'], message: 'must not exceed max (2)' }]);
  });
});
