import { GatewaySignals, SignalSource } from './gateway-signals';

const BOUNDS = [1, 2, 4, 8, null];
const where = { stack: 'shop', environment: 'production', component: 'api' };
const source = (stackConfig: string): SignalSource => ({ ...where, stackConfig });

function flush(signals: GatewaySignals, stackConfig: string, at: number, requests: number, errors: number, latencyCounts = [0, requests, 0, 0, 0]): void {
  signals.add(source(stackConfig), { metric: 'requests', at, value: requests });
  signals.add(source(stackConfig), { metric: 'errors', at, value: errors });
  signals.add(source(stackConfig), { metric: 'latency', at, bounds: BOUNDS, counts: latencyCounts, sum: 1.5 * requests, count: requests });
}

describe('gateway signals', () => {
  it('adds the flushes of every node in the window ending at the latest flush', () => {
    const signals = new GatewaySignals();
    flush(signals, 'canary', 10_200, 10, 0);
    flush(signals, 'canary', 11_300, 10, 5);
    flush(signals, 'canary', 11_400, 10, 5); // a second node, same second
    flush(signals, 'stable', 12_100, 90, 1);
    expect(signals.now('shop', 'production')).toBe(12_100);
    // 2 s: seconds 11 and 12.
    expect(signals.figures(where, (config) => config === 'canary', 2_000).point).toEqual({ requests: 20, errorRate: 0.5, latencyMeanMs: 1.5, latencyP99Ms: 2 });
    expect(signals.figures(where, (config) => config === 'canary', 3_000).point).toMatchObject({ requests: 30, errorRate: 10 / 30 });
    expect(signals.figures(where, (config) => config !== 'canary', 2_000).point).toMatchObject({ requests: 90, errorRate: 1 / 90 });
  });

  it('has no figures where nothing was served, and none before any flush', () => {
    const signals = new GatewaySignals();
    const none = { requests: 0, errorRate: null, latencyMeanMs: null, latencyP99Ms: null };
    expect(signals.figures(where, () => true, 5_000)).toEqual({ point: none, lower: none });
    flush(signals, 'stable', 1_000, 5, 0);
    expect(signals.figures(where, (config) => config === 'canary', 5_000).point.requests).toBe(0);
    expect(signals.figures({ ...where, component: 'web' }, () => true, 5_000).point.requests).toBe(0);
  });

  it('reads the p99 from the histogram, the unbounded bucket as its lower edge', () => {
    const signals = new GatewaySignals();
    flush(signals, 'canary', 1_000, 100, 0, [0, 98, 1, 1, 0]);
    expect(signals.figures(where, () => true, 1_000).point.latencyP99Ms).toBe(4);
    flush(signals, 'canary', 1_500, 100, 0, [0, 0, 0, 0, 100]);
    expect(signals.figures(where, () => true, 1_000).point.latencyP99Ms).toBe(8);
  });

  it('forgets what is older than its retention, and lists the components serving a config', () => {
    const signals = new GatewaySignals(10_000);
    flush(signals, 'canary', 1_000, 10, 10);
    flush(signals, 'canary', 30_000, 10, 0);
    expect(signals.figures(where, () => true, 300_000).point).toMatchObject({ requests: 10, errorRate: 0 });
    flush(signals, 'stable', 30_000, 10, 0);
    expect(signals.componentsServing('shop', 'production', 'canary')).toEqual(['api']);
  });
});

describe('confidence bounds of gateway signals', () => {
  it('reads a few errors in few requests as little evidence, many as much', () => {
    const signals = new GatewaySignals();
    flush(signals, 'few', 1_000, 60, 1);
    flush(signals, 'all', 1_000, 30, 30);
    flush(signals, 'many', 1_000, 10_000, 500);
    const lower = (config: string) => signals.figures(where, (name) => name === config, 1_000).lower.errorRate as number;
    expect(lower('few')).toBeLessThan(0.001);
    expect(lower('all')).toBeGreaterThan(0.6);
    expect(lower('many')).toBeGreaterThan(0.041);
    expect(lower('many')).toBeLessThan(0.05);
  });

  it('reads latency lower bounds below the measured ones, closer with more requests', () => {
    const signals = new GatewaySignals();
    flush(signals, 'small', 1_000, 60, 0, [0, 0, 50, 10, 0]);
    flush(signals, 'large', 1_000, 6_000, 0, [0, 0, 5_000, 1_000, 0]);
    const small = signals.figures(where, (name) => name === 'small', 1_000);
    const large = signals.figures(where, (name) => name === 'large', 1_000);
    expect(small.point.latencyP99Ms).toBe(8);
    expect(small.lower.latencyP99Ms).toBe(4);
    expect(large.lower.latencyP99Ms).toBe(4);
    expect(small.lower.latencyMeanMs as number).toBeLessThan(large.lower.latencyMeanMs as number);
    expect(large.lower.latencyMeanMs as number).toBeLessThan(1.5);
  });
});
