import { pickLessLoadedOfTwo } from '@strata/domain';
import { ClusterManager } from './cluster-manager';
import { CompiledRoutingPolicy, UpstreamNode } from './compiled-routing-policy';
import { ManualClock, compileForSpec, seededRandom, specRoutingPolicy } from './gateway.testing';

/** How often each node of stack config `index` is picked in `picks` picks (every pick idle: nothing stays outstanding). */
function picksOf(routing: CompiledRoutingPolicy, index: number, picks: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const node = routing.pickNode(index) as UpstreamNode;
    counts[node.id] = (counts[node.id] ?? 0) + 1;
  }
  return counts;
}

const eject = (routing: CompiledRoutingPolicy, id: string, now: number): void => {
  const node = routing.nodes.find((candidate) => candidate.id === id) as UpstreamNode;
  for (let failure = 0; failure < 2; failure++) node.outlier.recordFailure(now);
  routing.refreshAvailability(now);
};

describe(`${CompiledRoutingPolicy.name} node weights`, () => {
  const cluster = new ClusterManager();
  const clock = new ManualClock();
  afterAll(() => cluster.destroy());

  it("splits a stack config's traffic 80/20 by the policy's nodeWeights, within 1 pp over 100,000 picks, the same on every run", () => {
    const config = specRoutingPolicy({ nodeWeights: { 'v1-a': 80, 'v1-b': 20 } });
    const counts = picksOf(compileForSpec(cluster, clock, config), 0, 100_000);
    expect(picksOf(compileForSpec(cluster, clock, config), 0, 100_000)).toEqual(counts);
    expect(Math.abs((counts['v1-a'] ?? 0) / 100_000 - 0.8)).toBeLessThan(0.01);
    expect(Math.abs((counts['v1-b'] ?? 0) / 100_000 - 0.2)).toBeLessThan(0.01);
  });

  it('follows the weights under load: outstanding requests settle in proportion to them', () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ nodeWeights: { 'v1-a': 75, 'v1-b': 25 } }));
    for (let i = 0; i < 2_000; i++) (routing.pickNode(0) as UpstreamNode).outstanding++;
    const [a, b] = routing.nodesByConfig[0] ?? [];
    expect(Math.abs((a?.outstanding ?? 0) - 1_500)).toBeLessThanOrEqual(10);
    expect((a?.outstanding ?? 0) + (b?.outstanding ?? 0)).toBe(2_000);
  });

  it('sends no traffic to a node of weight 0, and leaves a config the weights do not name as it was', () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ nodeWeights: { 'v1-a': 0, 'v1-b': 10 } }));
    expect(picksOf(routing, 0, 5_000)).toEqual({ 'v1-b': 5_000 });
    expect(picksOf(routing, 1, 100)).toEqual({ 'v2-a': 100 });
    expect(routing.nodesByConfig[1]?.[0]?.weight).toBeUndefined();
  });

  it('skips an ejected node: the weighted node out, the others take its traffic; back in, the split resumes', () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ nodeWeights: { 'v1-a': 90, 'v1-b': 10 } }));
    eject(routing, 'v1-a', clock.now());
    expect(picksOf(routing, 0, 1_000)).toEqual({ 'v1-b': 1_000 });
    clock.advance(1_000);
    routing.refreshAvailability(clock.now());
    const back = picksOf(routing, 0, 10_000);
    expect(Math.abs((back['v1-a'] ?? 0) / 10_000 - 0.9)).toBeLessThan(0.02);
  });

  it('falls back to equal shares among the nodes left when only weight-0 nodes are available: an answer beats a 503', () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ nodeWeights: { 'v1-a': 0, 'v1-b': 10 } }));
    eject(routing, 'v1-b', clock.now());
    expect(picksOf(routing, 0, 100)).toEqual({ 'v1-a': 100 });
  });

  it('gives a node the weights do not name the mean of those they name in its config', () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ nodeWeights: { 'v1-a': 30 } }));
    expect(routing.nodesByConfig[0]?.map((node) => node.weight)).toEqual([30, 30]);
  });

  it('without weights picks exactly as before: power of two choices on outstanding requests, draw for draw', () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy());
    const nodes = routing.nodesByConfig[0] ?? [];
    nodes.forEach((node, index) => (node.outstanding = index * 3));
    const replay = seededRandom();
    for (let i = 0; i < 1_000; i++) {
      expect(routing.pickNode(0)).toBe(pickLessLoadedOfTwo(nodes, (node) => node.outstanding, replay));
    }
  });

  it("picks copies by the mirror's own weights over the stable config's nodes, leaving production's pick as it was", () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ mirror: { stackConfig: 'v1', sampleRate: 0.1, nodeWeights: { 'v1-a': 20, 'v1-b': 80 } } }));
    const copies: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const node = routing.pickMirrorNode() as UpstreamNode;
      copies[node.id] = (copies[node.id] ?? 0) + 1;
    }
    expect(Math.abs((copies['v1-b'] ?? 0) / 10_000 - 0.8)).toBeLessThan(0.02);
    expect(routing.nodesByConfig[0]?.map((node) => node.weight)).toEqual([undefined, undefined]);
    eject(routing, 'v1-b', clock.now());
    expect(routing.pickMirrorNode()?.id).toBe('v1-a');
  });

  it("balances weighted copies on the copies in flight, not on production's requests (spread by other weights)", () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ mirror: { stackConfig: 'v1', sampleRate: 0.1, nodeWeights: { 'v1-a': 50, 'v1-b': 50 } } }));
    const [a] = routing.nodesByConfig[0] ?? [];
    if (a) a.outstanding = 50;
    const picked = Array.from({ length: 4_000 }, () => routing.pickMirrorNode()?.id).filter((id) => id === 'v1-a').length;
    expect(Math.abs(picked / 4_000 - 0.5)).toBeLessThan(0.03);
  });

  it('picks copies as the mirror config\'s own traffic when the mirror has no weights', () => {
    const routing = compileForSpec(cluster, clock, specRoutingPolicy({ mirror: { stackConfig: 'v2', sampleRate: 0.1 } }));
    expect(routing.pickMirrorNode()?.id).toBe('v2-a');
  });
});
