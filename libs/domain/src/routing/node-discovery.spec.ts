import { KnownNode, describeNodeChanges, nodeChanges, nodesNotKnownUnhealthy, resolveDiscoveredNodes, routableNodes } from './node-discovery';
import { RoutingPolicy } from './routing-policy';
import { buildRoutingPolicy } from '../test-support/routing-policy.factory';

function aNode(address: string, version: string | null, health: KnownNode['health'] = 'healthy', url = `http://${address}`): KnownNode {
  return { address, url, discoveredVersion: version, health };
}

/** Stable `A` (90) and canary `B` (10), both discovered unless pinned nodes are given. */
function aPolicy(overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return buildRoutingPolicy({
    component: 'checkout-api',
    stableConfig: 'A',
    stackConfigs: [
      { name: 'A', weight: 90, nodes: [] },
      { name: 'B', weight: 10, nodes: [] },
    ],
    ...overrides,
  });
}

const versions = new Map([
  ['A', '2.3.0'],
  ['B', '2.4.0'],
]);

describe(resolveDiscoveredNodes.name, () => {
  const sut = resolveDiscoveredNodes;

  it('routes each discovered stack config to the nodes running its version group', () => {
    const nodes = [aNode('10.0.0.1:8080', '2.3.0'), aNode('10.0.0.2:8080', '2.4.0'), aNode('10.0.0.3:8080', '9.9.9')];

    const { config, violations } = sut({ config: aPolicy(), discovered: ['A', 'B'], componentVersions: versions, nodes });

    expect(violations).toEqual([]);
    expect(config.stackConfigs).toEqual([
      { name: 'A', weight: 90, nodes: [{ id: '10.0.0.1:8080', url: 'http://10.0.0.1:8080', version: '2.3.0' }] },
      { name: 'B', weight: 10, nodes: [{ id: '10.0.0.2:8080', url: 'http://10.0.0.2:8080', version: '2.4.0' }] },
    ]);
  });

  it('uses the url a node gave, and orders nodes by address', () => {
    const nodes = [aNode('10.0.0.9:8080', '2.3.0'), aNode('10.0.0.1:8443', '2.3.0', 'healthy', 'https://api-1.internal:8443')];

    const { config } = sut({ config: aPolicy(), discovered: ['A'], componentVersions: versions, nodes: [...nodes, aNode('10.0.0.2:8080', '2.4.0')] });

    expect(config.stackConfigs[0].nodes.map((node) => node.url)).toEqual(['https://api-1.internal:8443', 'http://10.0.0.9:8080']);
  });

  it('keeps pinned stack configs as given', () => {
    const pinned = [{ id: 'hand-made', url: 'http://192.168.1.1:80', version: '2.4.0' }];
    const config = aPolicy({ stackConfigs: [aPolicy().stackConfigs[0], { name: 'B', weight: 10, nodes: pinned }] });

    const resolved = sut({ config, discovered: ['A'], componentVersions: versions, nodes: [aNode('10.0.0.1:8080', '2.3.0'), aNode('10.0.0.2:8080', '2.4.0')] });

    expect(resolved.config.stackConfigs[1].nodes).toBe(pinned);
    expect(resolved.config.stackConfigs[0].nodes.map((node) => node.id)).toEqual(['10.0.0.1:8080']);
  });

  it('leaves out nodes the registry knows as unhealthy', () => {
    const nodes = [aNode('10.0.0.1:8080', '2.3.0', 'unhealthy'), aNode('10.0.0.4:8080', '2.3.0', 'unknown'), aNode('10.0.0.5:8080', '2.3.0')];

    const { config } = sut({ config: aPolicy(), discovered: ['A'], componentVersions: versions, nodes });

    expect(config.stackConfigs[0].nodes.map((node) => node.id)).toEqual(['10.0.0.4:8080', '10.0.0.5:8080']);
  });

  it('keeps every node listed when none is healthy: the gateway judges them faster than the registry', () => {
    const nodes = [aNode('10.0.0.1:8080', '2.3.0', 'unhealthy'), aNode('10.0.0.2:8080', '2.3.0', 'unhealthy')];

    const { config } = sut({ config: aPolicy(), discovered: ['A'], componentVersions: versions, nodes });

    expect(config.stackConfigs[0].nodes.map((node) => node.id)).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
  });

  it('refuses a discovered stack config that takes traffic and has no node, naming it and why', () => {
    const { violations } = sut({ config: aPolicy(), discovered: ['A', 'B'], componentVersions: versions, nodes: [aNode('10.0.0.1:8080', '2.3.0')] });

    expect(violations).toEqual([{ field: 'stackConfigs[1].nodes', message: expect.stringContaining('no node of checkout-api 2.4.0') }]);
    expect(violations[0].message).toContain('its weight is 10');
  });

  it('names a version group without the policy component', () => {
    const { violations } = sut({ config: aPolicy(), discovered: ['B'], componentVersions: new Map([['A', '2.3.0']]), nodes: [] });

    expect(violations).toEqual([{ field: 'stackConfigs[1].nodes', message: expect.stringContaining("version group 'B' has no version of checkout-api") }]);
  });

  it('accepts a discovered stack config without nodes while nothing can reach it (a canary listed before its nodes start)', () => {
    const config = aPolicy({ stackConfigs: [{ name: 'A', weight: 100, nodes: [] }, { name: 'B', weight: 0, nodes: [] }] });

    const resolved = sut({ config, discovered: ['A', 'B'], componentVersions: versions, nodes: [aNode('10.0.0.1:8080', '2.3.0')] });

    expect(resolved.violations).toEqual([]);
    expect(resolved.config.stackConfigs[1].nodes).toEqual([]);
  });

  it.each([
    ['the stable config', { stableConfig: 'B' }],
    ['a rule target', { rules: [{ match: { header: 'x-canary', value: '1' }, stackConfig: 'B' }] }],
    ['the mirror target', { mirror: { stackConfig: 'B', sampleRate: 0.1 } }],
  ])('counts %s as taking traffic', (_, overrides) => {
    const config = aPolicy({ stackConfigs: [{ name: 'A', weight: 100, nodes: [] }, { name: 'B', weight: 0, nodes: [] }], ...overrides });

    expect(sut({ config, discovered: ['A', 'B'], componentVersions: versions, nodes: [aNode('10.0.0.1:8080', '2.3.0')] }).violations).toHaveLength(1);
  });

  it('keeps the last nodes of a stack config that takes traffic when nothing runs its version any more', () => {
    const last = [{ id: '10.0.0.2:8080', url: 'http://10.0.0.2:8080', version: '2.4.0' }];
    const config = aPolicy({ stackConfigs: [{ name: 'A', weight: 90, nodes: [] }, { name: 'B', weight: 10, nodes: last }] });

    const resolved = sut({ config, discovered: ['A', 'B'], componentVersions: versions, nodes: [aNode('10.0.0.1:8080', '2.3.0'), aNode('10.0.0.2:8080', '2.5.0')] });

    expect(resolved.violations).toEqual([]);
    expect(resolved.config.stackConfigs[1].nodes).toEqual(last);
  });

  it('drops the nodes of a stack config that takes no traffic when nothing runs its version any more', () => {
    const config = aPolicy({ stackConfigs: [{ name: 'A', weight: 100, nodes: [] }, { name: 'B', weight: 0, nodes: [{ id: '10.0.0.2:8080', url: 'http://10.0.0.2:8080' }] }] });

    const resolved = sut({ config, discovered: ['A', 'B'], componentVersions: versions, nodes: [aNode('10.0.0.1:8080', '2.3.0')] });

    expect(resolved.config.stackConfigs[1].nodes).toEqual([]);
  });

  it('gives every node an id unique in the config', () => {
    const pinned = { name: 'P', weight: 0, nodes: [{ id: '10.0.0.1:8080', url: 'http://10.0.0.1:8080' }] };
    const config = aPolicy({ stackConfigs: [...aPolicy().stackConfigs, pinned] });
    const shared = new Map([...versions, ['B', '2.3.0']]);

    const { config: resolved } = sut({ config, discovered: ['A', 'B'], componentVersions: shared, nodes: [aNode('10.0.0.1:8080', '2.3.0')] });

    expect(resolved.stackConfigs.map((stackConfig) => stackConfig.nodes.map((node) => node.id))).toEqual([['10.0.0.1:8080#2'], ['10.0.0.1:8080#3'], ['10.0.0.1:8080']]);
  });

  it('skips a node whose url no gateway could open a pool to', () => {
    const { config } = sut({ config: aPolicy(), discovered: ['A'], componentVersions: versions, nodes: [aNode('10.0.0.1:99999', '2.3.0'), aNode('10.0.0.2:8080', '2.3.0')] });

    expect(config.stackConfigs[0].nodes.map((node) => node.id)).toEqual(['10.0.0.2:8080']);
  });
});

describe(routableNodes.name, () => {
  it('ignores nodes of other versions and nodes whose version is not known yet', () => {
    expect(routableNodes([aNode('a:1', null), aNode('b:1', '2.4.0'), aNode('c:1', '2.3.0')], '2.3.0').map((node) => node.address)).toEqual(['c:1']);
  });
});

describe(nodeChanges.name, () => {
  const before = aPolicy({
    stackConfigs: [
      { name: 'A', weight: 90, nodes: [{ id: 'n1', url: 'http://n1:1', version: '2.3.0' }] },
      { name: 'B', weight: 10, nodes: [{ id: 'n2', url: 'http://n2:1', version: '2.4.0' }] },
    ],
  });

  it('finds no change in the same nodes', () => {
    expect(nodeChanges(before, JSON.parse(JSON.stringify(before)) as RoutingPolicy)).toEqual([]);
  });

  it('lists nodes added, removed and changed, per stack config, and describes them for a reason', () => {
    const after = aPolicy({
      stackConfigs: [
        { name: 'A', weight: 90, nodes: [{ id: 'n1', url: 'https://n1:1', version: '2.3.0' }, { id: 'n3', url: 'http://n3:1', version: '2.3.0' }] },
        { name: 'B', weight: 10, nodes: [] },
      ],
    });

    const sut = nodeChanges(before, after);

    expect(sut.map((change) => [change.kind, change.stackConfig, change.node.id])).toEqual([
      ['changed', 'A', 'n1'],
      ['added', 'A', 'n3'],
      ['removed', 'B', 'n2'],
    ]);
    expect(describeNodeChanges(sut)).toBe('nodes discovered: ~n1 (A), +n3 (A), -n2 (B)');
  });
});

describe(nodesNotKnownUnhealthy.name, () => {
  const nodes = [
    { id: 'a', url: 'http://10.0.0.1:8080' },
    { id: 'b', url: 'http://10.0.0.2:8080' },
    { id: 'c', url: 'http://10.0.0.3:8080' },
  ];

  it('counts healthy and not yet judged nodes, not unhealthy ones', () => {
    expect(nodesNotKnownUnhealthy(nodes, [aNode('10.0.0.1:8080', '1', 'healthy'), aNode('10.0.0.2:8080', '1', 'unhealthy'), aNode('10.0.0.3:8080', '1', 'unknown')])).toBe(2);
  });

  it('counts a node the registry does not know as healthy (a pinned node that never reported)', () => {
    expect(nodesNotKnownUnhealthy(nodes, [aNode('10.0.0.2:8080', '1', 'unhealthy')])).toBe(2);
    expect(nodesNotKnownUnhealthy(nodes, [])).toBe(3);
  });

  it('matches nodes by origin, not by spelling', () => {
    expect(nodesNotKnownUnhealthy([{ id: 'a', url: 'http://API.internal:80' }], [aNode('api.internal:80', '1', 'unhealthy', 'http://api.internal')])).toBe(0);
  });
});
