import { nodeResourceMetric } from '@strata/contracts';
import { heartbeatBatches } from './heartbeat-series';

describe(heartbeatBatches.name, () => {
  it('names metrics after the resource in snake case', () => {
    expect(['cpu', 'memoryBytes', 'disk_used_ratio', 'openFDs', 'disk-used.pct'].map(nodeResourceMetric)).toEqual(['node_cpu', 'node_memory_bytes', 'node_disk_used_ratio', 'node_open_fds', 'node_disk_used_pct']);
  });

  it('makes one series per resource figure, labelled with the node and its location', () => {
    const sut = heartbeatBatches({
      stack: 'checkout',
      environment: 'production',
      component: 'checkout-api',
      node: '10.0.0.7:8080',
      location: 'production',
      timestamp: 1_000,
      resources: { cpu: 0.42, memoryBytes: 512 },
    });
    expect(sut).toEqual([
      {
        labels: { stack: 'checkout', environment: 'production', component: 'checkout-api', node: '10.0.0.7:8080', metric: 'node_cpu', extra: { location: 'production' } },
        samples: [{ timestamp: 1_000, value: 0.42 }],
        histograms: [],
        path: 'resources.cpu',
      },
      {
        labels: { stack: 'checkout', environment: 'production', component: 'checkout-api', node: '10.0.0.7:8080', metric: 'node_memory_bytes', extra: { location: 'production' } },
        samples: [{ timestamp: 1_000, value: 512 }],
        histograms: [],
        path: 'resources.memoryBytes',
      },
    ]);
  });

  it('carries the stack config when given and no extra labels without a location', () => {
    const [sut] = heartbeatBatches({ stack: 's', environment: 'e', component: 'c', stackConfig: 's@1', node: 'n:1', timestamp: 1, resources: { cpu: 1 } });
    expect(sut?.labels).toEqual({ stack: 's', environment: 'e', component: 'c', stackConfig: 's@1', node: 'n:1', metric: 'node_cpu' });
  });
});
