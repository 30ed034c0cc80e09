import { kpiSamplesV1 } from '@strata/contracts';
import { OutgoingMessage } from '@strata/messaging';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { ClusterManager } from './cluster-manager';
import { ManualClock, compileForSpec } from './gateway.testing';
import { KpiFlushSink } from './kpi-flush-sink';

describe(KpiFlushSink.name, () => {
  const cluster = new ClusterManager();
  let clock: ManualClock;
  let reported: OutgoingMessage[];
  let scored: CompiledRoutingPolicy[];
  let sut: KpiFlushSink;

  beforeEach(() => {
    clock = new ManualClock();
    reported = [];
    scored = [];
    sut = new KpiFlushSink(clock, (messages) => reported.push(...messages), (routing) => scored.push(routing));
  });

  afterAll(() => cluster.destroy());

  const samples = () => reported.map((message) => kpiSamplesV1.parse((JSON.parse(String(message.value)) as { data: unknown }).data));

  it('sends each node\'s counts since the last flush, stamped with the clock, then starts over', () => {
    const routing = compileForSpec(cluster, clock);
    routing.nodes[0].stats.record('ok', 2);
    routing.nodes[0].stats.record('server-error', 4);
    routing.nodes[2].mirrorStats.record('ok', 1);
    routing.deniedRequests = 3;
    clock.advance(5_000);

    sut.flush([routing]);

    const requests = samples().filter((sample) => sample.series.node !== undefined && sample.series.metric.endsWith('requests_total'));
    expect(requests.map((sample) => [sample.series.node, sample.series.metric, sample.samples[0].value, sample.samples[0].timestamp])).toEqual([
      ['v1-a', 'gateway_requests_total', 2, 1_005_000],
      ['v2-a', 'gateway_mirror_requests_total', 1, 1_005_000],
    ]);
    expect(samples().find((sample) => sample.series.metric === 'gateway_denied_requests_total')?.samples).toEqual([{ timestamp: 1_005_000, value: 3 }]);
    expect(reported.every((message) => message.topic === 'kpi.samples')).toBe(true);
    expect(scored).toEqual([routing]);

    reported = [];
    sut.flush([routing]);
    expect(reported).toEqual([]);
  });

  it('flushes a replaced routing one last time, without rescoring it', () => {
    const old = compileForSpec(cluster, clock);
    const served = compileForSpec(cluster, clock, undefined, 2);
    old.nodes[1].stats.record('ok', 1);

    sut.retire(old);
    sut.flush([served]);
    sut.flush([served]);

    expect(samples().filter((sample) => sample.series.metric === 'gateway_requests_total').map((sample) => sample.series.node)).toEqual(['v1-b']);
    expect(scored).toEqual([served, served]);
  });

  it('flushes and rescores the routing of every virtual host served', () => {
    const shop = compileForSpec(cluster, clock);
    const search = compileForSpec(cluster, clock, undefined, 2);
    shop.nodes[0].stats.record('ok', 1);
    search.nodes[1].stats.record('ok', 1);

    sut.flush([shop, search]);

    expect(samples().filter((sample) => sample.series.metric === 'gateway_requests_total').map((sample) => sample.series.node)).toEqual(['v1-a', 'v1-b']);
    expect(scored).toEqual([shop, search]);
  });
});
