import { DomainError } from '../errors/domain-error';
import { parseRoutingPolicy, resolvedRoutingPolicyViolations, routingPolicyViolations } from './routing-policy';
import { buildRoutingPolicy } from '../test-support/routing-policy.factory';

/** The factory's config (stable v1 at 90, v2 at 10) with the nodes of some stack configs left out, as an operator may write it. */
function withoutNodes(names: string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const config = JSON.parse(JSON.stringify(buildRoutingPolicy())) as { stackConfigs: Record<string, unknown>[] };
  config.stackConfigs.forEach((stackConfig) => {
    if (names.includes(stackConfig['name'] as string)) {
      delete stackConfig['nodes'];
    }
  });
  return { ...config, ...overrides };
}

describe(routingPolicyViolations.name, () => {
  it('accepts stack configs whose nodes are left out or empty (discovered)', () => {
    const config = withoutNodes(['v1']);
    (config['stackConfigs'] as Record<string, unknown>[])[1]['nodes'] = [];

    expect(routingPolicyViolations(config)).toEqual([]);
  });

  it('still checks the nodes that are listed', () => {
    const config = withoutNodes(['v1']);
    (config['stackConfigs'] as Record<string, unknown>[])[1]['nodes'] = [{ id: 'x', url: 'ftp://nope' }];

    expect(routingPolicyViolations(config).map((violation) => violation.field)).toEqual(['stackConfigs[1].nodes[0].url']);
  });

  it('refuses nodes that are not a list', () => {
    const config = withoutNodes([]);
    (config['stackConfigs'] as Record<string, unknown>[])[0]['nodes'] = 'all of them';

    expect(routingPolicyViolations(config).map((violation) => violation.field)).toEqual(['stackConfigs[0].nodes']);
  });
});

describe(parseRoutingPolicy.name, () => {
  it('names the discovered stack configs and gives them an empty node list', () => {
    const sut = parseRoutingPolicy(withoutNodes(['v2']));

    expect(sut.discoveredStackConfigs).toEqual(['v2']);
    expect(sut.config.stackConfigs.map((stackConfig) => stackConfig.nodes.length)).toEqual([1, 0]);
  });

  it('throws every violation at once', () => {
    expect(() => parseRoutingPolicy(withoutNodes(['v1'], { stableConfig: 'v9' }))).toThrow(DomainError);
  });
});

describe(`${resolvedRoutingPolicyViolations.name} of a stack config without nodes`, () => {
  const config = (changes: Record<string, unknown>, names = ['v2']) => {
    const written = withoutNodes(names, changes);
    (written['stackConfigs'] as Record<string, unknown>[]).forEach((stackConfig) => (stackConfig['nodes'] ??= []));
    return written;
  };

  it('accepts it while nothing can send it a request', () => {
    const stackConfigs = [
      { name: 'v1', weight: 100, nodes: [{ id: 'a', url: 'http://127.0.0.1:8081' }] },
      { name: 'v2', weight: 0, nodes: [] },
    ];

    expect(resolvedRoutingPolicyViolations(config({ stackConfigs }))).toEqual([]);
  });

  it.each([
    ['a weight', {}, 'its weight is 10'],
    ['the stable role', { stableConfig: 'v2', stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: 'http://127.0.0.1:8081' }] }, { name: 'v2', weight: 0, nodes: [] }] }, 'stable config'],
    ['a rule', { rules: [{ match: { pathPrefix: '/beta' }, stackConfig: 'v2' }], stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: 'http://127.0.0.1:8081' }] }, { name: 'v2', weight: 0, nodes: [] }] }, 'rules[0]'],
  ])('refuses it when requests reach it by %s', (_, changes, reason) => {
    const violations = resolvedRoutingPolicyViolations(config(changes));

    expect(violations).toEqual([{ field: 'stackConfigs[1].nodes', message: expect.stringContaining(reason) }]);
  });

  it('refuses a missing node list (only a policy may leave it out)', () => {
    expect(resolvedRoutingPolicyViolations(withoutNodes(['v2'])).map((violation) => violation.field)).toEqual(['stackConfigs[1].nodes']);
  });
});
