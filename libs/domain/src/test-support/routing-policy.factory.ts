import { RoutingPolicy } from '../routing/routing-policy';

/** A valid two-config routing config (stable v1, canary v2); specs override what they test. */
export function buildRoutingPolicy(overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return {
    component: 'checkout',
    stableConfig: 'v1',
    stackConfigs: [
      { name: 'v1', weight: 90, nodes: [{ id: 'v1-a', url: 'http://127.0.0.1:8081', version: '1.0.0' }] },
      { name: 'v2', weight: 10, nodes: [{ id: 'v2-a', url: 'http://127.0.0.1:8082', version: '2.0.0' }] },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 },
    ...overrides,
  };
}
