import { RoutingPolicy, seededUniform } from '@strata/domain';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { Clock, Random } from './clock';
import { ClusterManager } from './cluster-manager';

/** A clock that moves only when a spec says so. */
export class ManualClock implements Clock {
  constructor(private wallMs = 1_000_000) {}

  now(): number {
    return this.wallMs;
  }

  monotonic(): number {
    return this.wallMs;
  }

  advance(ms: number): void {
    this.wallMs += ms;
  }
}

/** A reproducible uniform source: a spec's picks are the same on every run. */
export function seededRandom(seed = 42): Random {
  return seededUniform(seed);
}

/** v1 (stable, weight 90, two nodes) and v2 (weight 10, one node), by default on ports nothing listens on. */
export function specRoutingPolicy(overrides: Partial<RoutingPolicy> = {}, urls = { v1a: 'http://127.0.0.1:1', v1b: 'http://127.0.0.1:2', v2: 'http://127.0.0.1:3' }): RoutingPolicy {
  return {
    component: 'checkout',
    stableConfig: 'v1',
    stackConfigs: [
      {
        name: 'v1',
        weight: 90,
        nodes: [
          { id: 'v1-a', url: urls.v1a, version: '1.0.0' },
          { id: 'v1-b', url: urls.v1b, version: '1.0.0' },
        ],
      },
      { name: 'v2', weight: 10, nodes: [{ id: 'v2-a', url: urls.v2, version: '2.0.0' }] },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 2, baseEjectionMs: 1_000, maxEjectionMs: 10_000 },
    ...overrides,
  };
}

/** A routing compiled as the gateway compiles it, its pools from `cluster` (destroy it after the spec). */
export function compileForSpec(cluster: ClusterManager, clock: Clock, config: RoutingPolicy = specRoutingPolicy(), version = 1): CompiledRoutingPolicy {
  return new CompiledRoutingPolicy({ stack: 'shop', environment: 'prod', version, config }, (url) => cluster.poolFor(url), clock.now(), seededRandom());
}
