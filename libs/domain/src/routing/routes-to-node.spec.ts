import { RoutingPolicy } from './routing-policy';
import { routesToNode } from './routes-to-node';
import { RoutableRequest } from './stack-router';

/** A request as node:http gives it: header names lower-case. */
function request(headers: Record<string, string> = {}, path = '/live', cookies: Record<string, string> = {}): RoutableRequest {
  return { path, header: (name) => headers[name], cookie: (name) => cookies[name] };
}
const plain = request();

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
    expect(routesToNode(policy(), 'v2', B, plain)).toBe(true);
    expect(routesToNode(policy(), 'v1', A, plain)).toBe(true);
  });

  it('fails for a stack config the policy no longer lists', () => {
    expect(routesToNode(policy(), 'v3', B, plain)).toBe(false);
  });

  it('fails for a node its stack config no longer lists, even when another config lists it', () => {
    const moved = policy({ stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: A }, { id: 'b', url: B }] }, { name: 'v2', weight: 0, nodes: [] }] });
    expect(routesToNode(moved, 'v2', B, plain)).toBe(false);
    expect(routesToNode(moved, 'v1', B, plain)).toBe(true);
  });

  it('fails for a canary set to weight 0 (an aborted or finished rollout)', () => {
    const aborted = policy({ stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: A }] }, { name: 'v2', weight: 0, nodes: [{ id: 'b', url: B }] }] });
    expect(routesToNode(aborted, 'v2', B, plain)).toBe(false);
  });

  it('holds for the stable config at weight 0 (kept for retries to drain)', () => {
    const promoted = policy({ stableConfig: 'v1', stackConfigs: [{ name: 'v1', weight: 0, nodes: [{ id: 'a', url: A }] }, { name: 'v2', weight: 100, nodes: [{ id: 'b', url: B }] }] });
    expect(routesToNode(promoted, 'v1', A, plain)).toBe(true);
  });

  it('holds for a weight-0 config only for a request one of its match rules pins there', () => {
    const pinned = policy({
      stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: A }] }, { name: 'v2', weight: 0, nodes: [{ id: 'b', url: B }] }],
      rules: [
        { match: { header: 'X-Canary', value: '1' }, stackConfig: 'v2' },
        { match: { pathPrefix: '/beta' }, stackConfig: 'v2' },
        { match: { cookie: 'cohort', value: 'early' }, stackConfig: 'v2' },
        { match: { header: 'x-team', value: 'qa' }, stackConfig: 'v1' },
      ],
    });
    expect(routesToNode(pinned, 'v2', B, request({ 'x-canary': '1' }))).toBe(true);
    expect(routesToNode(pinned, 'v2', B, request({}, '/beta/live'))).toBe(true);
    expect(routesToNode(pinned, 'v2', B, request({}, '/live', { cohort: 'early' }))).toBe(true);
    expect(routesToNode(pinned, 'v2', B, request({ 'x-canary': '2' }))).toBe(false);
    expect(routesToNode(pinned, 'v2', B, request({ 'x-team': 'qa' }))).toBe(false);
    expect(routesToNode(pinned, 'v2', B, plain)).toBe(false);
  });
});
