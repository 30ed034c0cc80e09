import { RoutingPolicy } from '../routing/routing-policy';
import { resolvedRoutingPolicyViolations } from '../routing/routing-policy';
import { promoteCanary, withCanaryWeight } from './canary-routing';

function config(changes: Partial<RoutingPolicy> = {}): RoutingPolicy {
  const node = (id: string) => [{ id, url: `http://${id}:8080` }];
  return {
    component: 'checkout-api',
    stableConfig: 'v1',
    stackConfigs: [
      { name: 'v1', weight: 90, nodes: node('a') },
      { name: 'v2', weight: 0, nodes: node('b') },
      { name: 'v0', weight: 10, nodes: node('c') },
    ],
    rules: [{ match: { header: 'x-beta', value: '1' }, stackConfig: 'v2' }],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 },
    ...changes,
  };
}

describe(withCanaryWeight.name, () => {
  const sut = withCanaryWeight;

  it.each([0, 5, 25, 99])('splits %i %% to the canary and the rest to the stable config, nothing elsewhere', (weight) => {
    const result = sut(config(), 'v2', weight);
    expect(result.stackConfigs.map((stackConfig) => [stackConfig.name, stackConfig.weight])).toEqual([
      ['v1', 100 - weight],
      ['v2', weight],
      ['v0', 0],
    ]);
    expect(result.rules).toEqual(config().rules);
    expect(resolvedRoutingPolicyViolations(result)).toEqual([]);
  });

  it('at 100 % promotes the canary to stable', () => {
    expect(sut(config(), 'v2', 100).stableConfig).toBe('v2');
  });

  it('refuses a canary without a stack config, and the stable config as its own canary', () => {
    expect(() => sut(config(), 'v9', 5)).toThrow("no stack config 'v9'");
    expect(() => sut(config(), 'v1', 5)).toThrow("'v1' is already the stable config");
  });
});

describe(promoteCanary.name, () => {
  const sut = promoteCanary;

  it('makes the canary stable with all the weight and drops a mirror onto it', () => {
    const result = sut(config({ mirror: { stackConfig: 'v2', sampleRate: 0.1 } }), 'v2');
    expect(result.stableConfig).toBe('v2');
    expect(result.stackConfigs.map((stackConfig) => stackConfig.weight)).toEqual([0, 100, 0]);
    expect(result.mirror).toBeUndefined();
    expect(resolvedRoutingPolicyViolations(JSON.parse(JSON.stringify(result)))).toEqual([]);
  });
});
