import { RoutingPolicy } from '@strata/domain';
import { ListeningAddress, nodePointingAtGateway } from './own-origin';

describe(nodePointingAtGateway.name, () => {
  const withCanaryAt = (url: string): RoutingPolicy => ({
    component: 'checkout',
    stableConfig: 'v1',
    stackConfigs: [
      { name: 'v1', weight: 90, nodes: [{ id: 'v1-a', url: 'http://127.0.0.1:8081' }] },
      { name: 'v2', weight: 10, nodes: [{ id: 'v2-a', url }] },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 },
  });
  const listening = (host: string, port = 8080): ListeningAddress => ({ host, port, localAddresses: new Set(['10.0.0.7', '[fe80::1]', '127.0.0.1']) });

  it.each([
    ['http://127.0.0.1:8080', '127.0.0.1'],
    ['http://localhost:8080', '127.0.0.1'],
    ['http://127.0.0.1:8080', '0.0.0.0'],
    ['http://10.0.0.7:8080', '0.0.0.0'],
    ['http://[fe80::1]:8080', '::'],
    ['http://[::1]:8080', '::1'],
    ['http://10.0.0.7:8080', '10.0.0.7'],
  ])('finds %s as the gateway listening on %s', (url, host) => {
    expect(nodePointingAtGateway(withCanaryAt(url), listening(host))).toEqual({ field: 'config.stackConfigs[1].nodes[0].url', id: 'v2-a', url });
  });

  it('counts a URL without a port as port 80 (or 443 for https)', () => {
    expect(nodePointingAtGateway(withCanaryAt('http://127.0.0.1'), listening('127.0.0.1', 80))?.id).toBe('v2-a');
    expect(nodePointingAtGateway(withCanaryAt('https://127.0.0.1'), listening('127.0.0.1', 443))?.id).toBe('v2-a');
  });

  it.each([
    ['http://127.0.0.1:8082', '127.0.0.1'],
    ['http://10.0.0.8:8080', '0.0.0.0'],
    ['http://10.0.0.7:8080', '127.0.0.1'],
    ['http://127.0.0.1:8080', '10.0.0.7'],
  ])('leaves %s alone for a gateway listening on %s', (url, host) => {
    expect(nodePointingAtGateway(withCanaryAt(url), listening(host))).toBeUndefined();
  });
});
