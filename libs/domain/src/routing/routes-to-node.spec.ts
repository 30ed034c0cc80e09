import { RoutingPolicy } from './routing-policy';
import { routesToNode } from './routes-to-node';

const A = 'http://10.0.0.1:8080';
const B = 'http://10.0.0.2:8080';

function policy(overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return {
    component: 'shop-api',
    stableConfig: 'v1',
    stackConfigs: [
      { name: 'v1', weight: 80, nodes: [{ id: 'a', url: A }] },
      { name: 'v2', weight: 20, nodes: [{ id: 'b', url: B }] },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 },
    ...overrides,
  };
}

describe('routesToNode', () => {
  it('holds for a node of a weighted stack config', () => {
    expect(routesToNode(policy(), 'v2', B)).toBe(true);
    expect(routesToNode(policy(), 'v1', A)).toBe(true);
  });

  it('fails for a stack config the policy no longer lists', () => {
    expect(routesToNode(policy(), 'v3', B)).toBe(false);
  });

  it('fails for a node its stack config no longer lists, even when another config lists it', () => {
    const moved = policy({ stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: A }, { id: 'b', url: B }] }, { name: 'v2', weight: 0, nodes: [] }] });
    expect(routesToNode(moved, 'v2', B)).toBe(false);
    expect(routesToNode(moved, 'v1', B)).toBe(true);
  });

  it('fails for a canary set to weight 0 (an aborted or finished rollout)', () => {
    const aborted = policy({ stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: A }] }, { name: 'v2', weight: 0, nodes: [{ id: 'b', url: B }] }] });
    expect(routesToNode(aborted, 'v2', B)).toBe(false);
  });

  it('holds for the stable config at weight 0 (kept for retries to drain)', () => {
    const promoted = policy({ stableConfig: 'v1', stackConfigs: [{ name: 'v1', weight: 0, nodes: [{ id: 'a', url: A }] }, { name: 'v2', weight: 100, nodes: [{ id: 'b', url: B }] }] });
    expect(routesToNode(promoted, 'v1', A)).toBe(true);
  });

  it('holds for a weight-0 config a match rule pins requests to', () => {
    const pinned = policy({
      stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: A }] }, { name: 'v2', weight: 0, nodes: [{ id: 'b', url: B }] }],
      rules: [{ match: { header: 'x-canary', value: '1' }, stackConfig: 'v2' }],
    });
    expect(routesToNode(pinned, 'v2', B)).toBe(true);
  });
});
