import { compileRoutingLayers, NO_ROUTING_LAYERS, RoutingLayers } from './routing-layers';
import { RoutingPolicy } from './routing-policy';
import { routesAccept, RouteRequest } from './route-match';
import { resolvedRoutingPolicyViolations } from './routing-policy';

const layers: RoutingLayers = {
  traffic: { versionGroup: 'g2', component: 'api' },
  lbRule: { component: 'edge', version: '7.0.0', spec: { routes: [{ match: { pathPrefix: '/checkout' }, to: 'api', stickiness: { cookie: 'aff' } }, { match: { path: '/health', method: 'GET' }, to: 'api' }] } },
  networkPolicy: { component: 'netpol', version: '5.0.0', spec: { allow: [{ from: { header: 'x-caller', values: ['web'] }, to: 'api' }], default: 'deny' } },
};

const operatorPolicy: RoutingPolicy = {
  component: 'api',
  stableConfig: 'g1',
  stackConfigs: [
    { name: 'g1', weight: 90, nodes: [{ id: 'a', url: 'http://127.0.0.1:1' }] },
    { name: 'g2', weight: 10, nodes: [{ id: 'b', url: 'http://127.0.0.1:2' }] },
  ],
  rules: [
    { match: { header: 'x-beta', value: '1' }, stackConfig: 'g2' },
    { match: { header: 'x-old', value: '1' }, stackConfig: 'g1' },
  ],
  retryBudget: { ratio: 0.5, minRetriesPerSecond: 3 },
  outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 500, maxEjectionMs: 5_000 },
  mirror: { stackConfig: 'g2', sampleRate: 0.1 },
  stickiness: { header: 'x-user' },
};

describe('compileRoutingLayers', () => {
  it('has nothing to route before a traffic group is deployed', () => {
    expect(compileRoutingLayers({ ...NO_ROUTING_LAYERS, lbRule: layers.lbRule }, null)).toBeNull();
  });

  it('derives a valid policy from the deployed layers, saying where each part came from', () => {
    const compiled = compileRoutingLayers(layers, null);
    expect(compiled).toEqual({
      ok: true,
      policy: expect.objectContaining({
        component: 'api',
        stableConfig: 'g2',
        stackConfigs: [{ name: 'g2', weight: 100, nodes: [] }],
        routes: [{ pathPrefix: '/checkout' }, { path: '/health', method: 'GET' }],
        stickiness: { cookie: 'aff' },
        networkPolicy: layers.networkPolicy?.spec,
      }),
      sources: { stackConfigs: 'version group g2', routes: 'edge@7.0.0', stickiness: 'edge@7.0.0', nodeWeights: null, networkPolicy: 'netpol@5.0.0', operator: [] },
    });
    if (compiled?.ok) {
      const resolved = { ...compiled.policy, stackConfigs: [{ name: 'g2', weight: 100, nodes: [{ id: 'n', url: 'http://127.0.0.1:3' }] }] };
      expect(resolvedRoutingPolicyViolations(resolved)).toEqual([]);
    }
  });

  it("keeps the operator's settings no layer describes and the nodes pinned for the traffic group", () => {
    const compiled = compileRoutingLayers({ ...layers, lbRule: null }, operatorPolicy);
    expect(compiled?.ok && compiled.policy).toEqual({
      component: 'api',
      stableConfig: 'g2',
      stackConfigs: [{ name: 'g2', weight: 100, nodes: [{ id: 'b', url: 'http://127.0.0.1:2' }] }],
      rules: [{ match: { header: 'x-beta', value: '1' }, stackConfig: 'g2' }],
      retryBudget: { ratio: 0.5, minRetriesPerSecond: 3 },
      outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 500, maxEjectionMs: 5_000 },
      stickiness: { header: 'x-user' },
      networkPolicy: layers.networkPolicy?.spec,
    });
    expect(compiled?.ok && compiled.sources).toEqual({ stackConfigs: 'version group g2', routes: null, stickiness: 'operator', nodeWeights: null, networkPolicy: 'netpol@5.0.0', operator: ['retryBudget', 'outlierDetection', 'rules'] });
  });

  it("carries the lb-rule's node weights into the policy, which stays valid once its nodes are resolved", () => {
    const nodeWeights = { '127.0.0.1:3': 80, '127.0.0.1:4': 20 };
    const compiled = compileRoutingLayers({ ...layers, lbRule: { component: 'edge', version: '7.1.0', spec: { routes: [{ match: { pathPrefix: '/checkout' }, to: 'api' }], nodeWeights } } }, null);
    expect(compiled?.ok && compiled.policy.nodeWeights).toEqual(nodeWeights);
    expect(compiled?.ok && compiled.sources.nodeWeights).toBe('edge@7.1.0');
    if (compiled?.ok) {
      const nodes = [{ id: '127.0.0.1:3', url: 'http://127.0.0.1:3' }, { id: '127.0.0.1:4', url: 'http://127.0.0.1:4' }];
      expect(resolvedRoutingPolicyViolations({ ...compiled.policy, stackConfigs: [{ name: 'g2', weight: 100, nodes }] })).toEqual([]);
    }
    expect(compileRoutingLayers(layers, null)).not.toHaveProperty('policy.nodeWeights');
  });

  it('lists a canary group at weight 0 beside the traffic group, for a rollout to move weight to', () => {
    const compiled = compileRoutingLayers({ ...layers, lbRule: null, networkPolicy: null, canary: { versionGroup: 'g3', component: 'api' } }, null);
    expect(compiled?.ok && compiled.policy.stackConfigs).toEqual([
      { name: 'g2', weight: 100, nodes: [] },
      { name: 'g3', weight: 0, nodes: [] },
    ]);
    expect(compiled?.ok && compiled.sources.stackConfigs).toBe('version group g2, canary g3 at weight 0');
    expect(compileRoutingLayers({ ...layers, canary: { versionGroup: 'g3', component: 'other' } }, null)).toEqual({ ok: false, violations: [{ field: 'canary.component', message: expect.stringContaining("fronts 'api'") }] });
    expect(compileRoutingLayers({ ...layers, canary: { versionGroup: 'g2', component: 'api' } }, null)).toMatchObject({ ok: true, policy: { stackConfigs: [{ name: 'g2' }] } });
  });

  it('refuses a route to a component this gateway does not front, naming it', () => {
    const compiled = compileRoutingLayers({ ...layers, lbRule: { component: 'edge', version: '8.0.0', spec: { routes: [{ match: { pathPrefix: '/pay' }, to: 'payments' }] } } }, null);
    expect(compiled).toEqual({ ok: false, violations: [{ field: 'lbRule.spec.routes[0].to', message: expect.stringContaining("fronts 'api'") }] });
  });
});

describe('routesAccept', () => {
  const request = (path: string, method = 'GET', headers: Record<string, string> = {}, cookies: Record<string, string> = {}): RouteRequest => ({
    path,
    method,
    header: (name) => headers[name],
    cookie: (name) => cookies[name],
  });

  it('matches a path prefix on a segment boundary', () => {
    const routes = [{ pathPrefix: '/checkout' }];
    expect(routesAccept(routes, request('/checkout'))).toBe(true);
    expect(routesAccept(routes, request('/checkout/cart'))).toBe(true);
    expect(routesAccept(routes, request('/checkouts'))).toBe(false);
    expect(routesAccept([{ pathPrefix: '/' }], request('/anything'))).toBe(true);
  });

  it('requires every criterion of one match, and any match of the list', () => {
    const routes = [{ path: '/pay', method: 'POST' as const, header: { name: 'X-Tenant', value: 'a' } }, { host: 'Shop.example.com', cookie: { name: 'beta', value: '1' } }];
    expect(routesAccept(routes, request('/pay', 'POST', { 'x-tenant': 'a' }))).toBe(true);
    expect(routesAccept(routes, request('/pay', 'GET', { 'x-tenant': 'a' }))).toBe(false);
    expect(routesAccept(routes, request('/x', 'GET', { host: 'shop.example.com:8443' }, { beta: '1' }))).toBe(true);
    expect(routesAccept(routes, request('/x', 'GET', { host: 'other.example.com' }, { beta: '1' }))).toBe(false);
  });
});
