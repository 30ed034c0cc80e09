import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { ClusterManager } from './cluster-manager';
import { ManualClock, compileForSpec } from './gateway.testing';
import { OutlierDetector } from './outlier-detector';

describe(OutlierDetector.name, () => {
  const cluster = new ClusterManager();
  let clock: ManualClock;
  let refreshed: CompiledRoutingPolicy[];
  let routing: CompiledRoutingPolicy;
  let sut: OutlierDetector;

  beforeEach(() => {
    clock = new ManualClock();
    refreshed = [];
    routing = compileForSpec(cluster, clock);
    sut = new OutlierDetector(clock, new Logger('spec'), (changed) => refreshed.push(changed));
  });

  afterAll(() => cluster.destroy());

  const node = (id: string) => routing.nodes.find((candidate) => candidate.id === id)!;
  const picked = () => new Set(Array.from({ length: 40 }, () => routing.pickNode(0)?.id));

  it('ejects a node after its consecutive failures and stops picking it', () => {
    sut.record(routing, node('v1-a'), false);
    expect(refreshed).toEqual([]);

    sut.record(routing, node('v1-a'), false);

    expect(refreshed).toEqual([routing]);
    expect(picked()).toEqual(new Set(['v1-b']));
  });

  it('takes a node back only once its ejection is over and it succeeds', () => {
    sut.record(routing, node('v1-a'), false);
    sut.record(routing, node('v1-a'), false);

    clock.advance(999);
    sut.record(routing, node('v1-a'), true);
    expect(refreshed).toHaveLength(1);

    clock.advance(1);
    sut.refresh(routing);
    sut.record(routing, node('v1-a'), true);

    expect(refreshed).toHaveLength(3);
    expect(picked()).toEqual(new Set(['v1-a', 'v1-b']));
  });

  it('forgets failures a success interrupts', () => {
    sut.record(routing, node('v1-a'), false);
    sut.record(routing, node('v1-a'), true);
    sut.record(routing, node('v1-a'), false);

    expect(refreshed).toEqual([]);
  });
});
