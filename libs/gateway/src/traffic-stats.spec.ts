import { kpiSamplesV1 } from '@strata/contracts';
import { LATENCY_BOUNDS_MS, TrafficStats, latencyBucket, outcomeOfStatus, seriesKey } from './traffic-stats';

const labels = { stack: 'shop', environment: 'prod', component: 'checkout', stackConfig: 'v1', node: 'v1-a' };

describe(TrafficStats.name, () => {
  it('counts requests and errors by class', () => {
    const sut = new TrafficStats();

    sut.record('ok', 1);
    sut.record('client-error', 1);
    sut.record('server-error', 1);
    sut.record('server-error', 1);
    sut.record('connect-error', 1);

    expect([sut.requests, sut.clientErrors, sut.serverErrors, sut.connectErrors]).toEqual([5, 1, 2, 1]);
  });

  it('puts each latency in the first bucket whose bound holds it', () => {
    const sut = new TrafficStats();

    [0.1, 0.25, 1, 1.01, 7, 60_000].forEach((latency) => sut.record('ok', latency));

    const counts = Array.from(sut.latencyCounts);
    expect(counts[0]).toBe(2);
    expect(counts[LATENCY_BOUNDS_MS.indexOf(1)]).toBe(1);
    expect(counts[LATENCY_BOUNDS_MS.indexOf(1) + 1]).toBe(1);
    expect(counts[LATENCY_BOUNDS_MS.findIndex((bound) => bound >= 7)]).toBe(1);
    expect(counts[LATENCY_BOUNDS_MS.length - 1]).toBe(1);
    expect(sut.latencySumMs).toBeCloseTo(60_009.36, 6);
  });

  it('finds the same bucket as a scan of the bounds for every latency, edges included', () => {
    const scan = (latency: number): number => LATENCY_BOUNDS_MS.findIndex((bound) => latency <= bound);
    const latencies = [0, 0.2, ...LATENCY_BOUNDS_MS.slice(0, -1).flatMap((bound) => [bound * 0.999_999, bound, bound * 1.000_001]), 1e9];
    for (const latency of latencies) {
      expect([latency, latencyBucket(latency)]).toEqual([latency, scan(latency)]);
    }
  });

  it('spaces the bounds about 19 % apart from 0.25 ms to over 30 s', () => {
    const finite = LATENCY_BOUNDS_MS.slice(0, -1);
    expect(finite[0]).toBe(0.25);
    expect(finite.at(-1)).toBeGreaterThan(30_000);
    finite.slice(1).forEach((bound, index) => expect(bound / finite[index]).toBeCloseTo(2 ** 0.25, 4));
  });

  it('produces valid kpi.samples payloads, one per metric series', () => {
    const sut = new TrafficStats();
    sut.record('ok', 3);
    sut.record('server-error', 30);

    const samples = sut.toSamples(labels, 'gateway_', 1_000);

    expect(samples.map((sample) => sample.series.metric)).toEqual([
      'gateway_requests_total',
      'gateway_errors_4xx_total',
      'gateway_errors_5xx_total',
      'gateway_errors_connect_total',
      'gateway_request_duration_ms',
    ]);
    samples.forEach((sample) => expect(kpiSamplesV1.safeParse(sample).success).toBe(true));
    expect(samples[2].samples).toEqual([{ timestamp: 1_000, value: 1 }]);
    expect(samples[4].histograms?.[0]).toMatchObject({ count: 2, sum: 33 });
    expect(samples[4].histograms?.[0].bounds.at(-1)).toBeNull();
  });

  it('produces nothing for a quiet interval, and starts over after reset', () => {
    const sut = new TrafficStats();
    sut.record('ok', 3);

    sut.reset();

    expect(sut.toSamples(labels, 'gateway_', 0)).toEqual([]);
    expect(Array.from(sut.latencyCounts).every((count) => count === 0)).toBe(true);
  });
});

describe(outcomeOfStatus.name, () => {
  it.each([
    [200, 'ok'],
    [304, 'ok'],
    [404, 'client-error'],
    [499, 'client-error'],
    [500, 'server-error'],
    [503, 'server-error'],
  ])('classifies %i as %s', (status, outcome) => {
    expect(outcomeOfStatus(status)).toBe(outcome);
  });
});

describe(seriesKey.name, () => {
  it('differs per metric and per node', () => {
    const sut = seriesKey({ ...labels, metric: 'a' });

    expect(sut).not.toBe(seriesKey({ ...labels, metric: 'b' }));
    expect(sut).not.toBe(seriesKey({ ...labels, node: 'v1-b', metric: 'a' }));
  });
});
