import { isCounterMetric, windowObservation } from './observation';

const series = (metric: string) => ({ stack: 'checkout', environment: 'production', component: 'checkout-api', metric });

describe(windowObservation.name, () => {
  it('observes a counter by its total over the window', () => {
    expect(windowObservation({ series: series('gateway_requests_total'), count: 10, sum: 420, mean: 42 })).toEqual({ value: 420, aggregate: 'sum' });
  });

  it('observes any other metric by its mean, derived when the window has none', () => {
    expect(windowObservation({ series: series('gateway_request_duration_ms'), count: 4, sum: 100, mean: 25 })).toEqual({ value: 25, aggregate: 'mean' });
    expect(windowObservation({ series: series('db_query_ms'), count: 4, sum: 100, mean: null })).toEqual({ value: 25, aggregate: 'mean' });
  });

  it('skips a window without samples', () => {
    expect(windowObservation({ series: series('db_query_ms'), count: 0, sum: 0, mean: null })).toBeNull();
    expect(windowObservation({ series: series('gateway_requests_total'), count: 0, sum: 0, mean: null })).toBeNull();
  });
});

describe(isCounterMetric.name, () => {
  it('knows Prometheus counter suffixes', () => {
    expect(['a_total', 'h_count', 'h_sum', 'h_bucket'].every(isCounterMetric)).toBe(true);
    expect(['cpu_utilisation', 'total_latency_ms'].some(isCounterMetric)).toBe(false);
  });
});
