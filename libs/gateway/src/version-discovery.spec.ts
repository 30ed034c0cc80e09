import { OutgoingMessage } from '@strata/messaging';
import { versionMismatchDetectedV1 } from '@strata/contracts';
import { Logger } from '@strata/observability';
import { ClusterManager } from './cluster-manager';
import { ManualClock, compileForSpec } from './gateway.testing';
import { VersionDiscovery } from './version-discovery';

describe(VersionDiscovery.name, () => {
  const cluster = new ClusterManager();
  let reported: OutgoingMessage[];
  let sut: VersionDiscovery;

  beforeEach(() => {
    reported = [];
    sut = new VersionDiscovery('staging', (messages) => reported.push(...messages), new Logger('spec'));
  });

  afterAll(() => cluster.destroy());

  it('reports a node answering with another version than declared, once per version', () => {
    const routing = compileForSpec(cluster, new ManualClock());
    const node = routing.nodes[2];

    for (const version of ['2.0.0', '2.0.1', '2.0.1', '2.0.0', '2.0.1', undefined, ['2.0.2']]) {
      sut.observe(routing, node, version, 'response-header');
    }

    expect(reported.map((message) => message.topic)).toEqual(['registry.events']);
    const event = JSON.parse(String(reported[0].value)) as { type: string; data: unknown };
    expect(event.type).toBe('io.strata.registry.version-mismatch.detected.v1');
    expect(versionMismatchDetectedV1.parse(event.data)).toEqual({
      stack: 'shop',
      environment: 'prod',
      location: 'staging',
      component: 'checkout',
      address: node.url,
      declaredVersion: '2.0.0',
      discoveredVersion: '2.0.1',
      source: 'response-header',
    });
  });

  it('reports nothing for a node without a declared version', () => {
    const config = compileForSpec(cluster, new ManualClock()).update.config;
    config.stackConfigs[1].nodes[0].version = undefined;
    const routing = compileForSpec(cluster, new ManualClock(), config);

    sut.observe(routing, routing.nodes[2], '9.9.9', 'health-check');

    expect(reported).toEqual([]);
  });
});
