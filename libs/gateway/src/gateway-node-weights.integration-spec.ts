import { seededRandom } from './gateway.testing';
import { GatewayHarness, setFaults } from './test-support/gateway-harness';

/**
 * Per-node weights (the routing policy's nodeWeights, compiled from a deployed lb-rule) on a real
 * gateway in front of real backends: the node each request went to is the one the backend names
 * in x-strata-node. The routing's random source is seeded, so the draws are the same on every run;
 * what still varies is the interleaving of requests in flight, which the tolerance covers.
 */
describe('Gateway: per-node weights within a stack config', () => {
  const h = new GatewayHarness();
  h.random = seededRandom(2026);
  h.register();

  /** v1 takes all traffic by weight (v2 listed at 0), its two nodes weighted as given. */
  const weighted = (nodeWeights: Record<string, number>) => h.routingConfig({ stackConfigs: h.routingConfig().stackConfigs.map((stackConfig) => ({ ...stackConfig, weight: stackConfig.name === 'v1' ? 100 : 0 })), nodeWeights });

  async function nodeCounts(requests: number, concurrency: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let sent = 0; sent < requests; sent += concurrency) {
      const answers = await Promise.all(Array.from({ length: concurrency }, () => h.send()));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        counts[answer.node ?? 'none'] = (counts[answer.node ?? 'none'] ?? 0) + 1;
      }
    }
    return counts;
  }

  it('splits 2,000 requests 80/20 between the two nodes of the stack config', async () => {
    expect(h.apply(weighted({ 'v1-a': 80, 'v1-b': 20 }))).toMatchObject({ outcome: 'applied' });

    const counts = await nodeCounts(2_000, 20);

    // sigma of a 20 % share over 2,000 requests = sqrt(0.2 * 0.8 / 2000) = 0.89 pp; 4.5 pp is 5 sigma.
    expect(Math.abs((counts['v1-b'] ?? 0) / 2_000 - 0.2)).toBeLessThan(0.045);
    expect((counts['v1-a'] ?? 0) + (counts['v1-b'] ?? 0)).toBe(2_000);
  }, 60_000);

  it('sends nothing to a node of weight 0', async () => {
    h.apply(weighted({ 'v1-a': 0, 'v1-b': 1 }));

    expect(await nodeCounts(300, 20)).toEqual({ 'v1-b': 300 });
  }, 30_000);

  it('skips the weighted node once it is ejected, and the other node answers every request', async () => {
    h.apply(weighted({ 'v1-a': 95, 'v1-b': 5 }));
    await setFaults(h.v1a, { errorRate: 1 });
    // POSTs are not retried: each failure of v1-a is seen until it is ejected (3 consecutive failures).
    const first = await h.sendOneByOne(60);
    expect(first.filter((answer) => answer.status >= 500).length).toBe(3);

    expect(await nodeCounts(200, 20)).toEqual({ 'v1-b': 200 });
  }, 30_000);
});
