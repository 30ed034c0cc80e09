import { Pool } from 'undici';
import { gatewayFallbackChangedV1 } from '@strata/contracts';
import { RoutingPolicy } from '@strata/domain';
import { metricsRegistry } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { RoutingModeReport } from './routing-mode-report';
import { seededRandom } from './gateway.testing';

const NOW = 1_000_000;
let nextVersion = 1;

/** v1 the old stable at weight 0 with two nodes, v2 the promoted config at 100 with one. */
function routingConfig(): RoutingPolicy {
  return {
    component: 'checkout',
    stableConfig: 'v1',
    stackConfigs: [
      {
        name: 'v1',
        weight: 0,
        nodes: [
          { id: 'v1-a', url: 'http://127.0.0.1:8081' },
          { id: 'v1-b', url: 'http://127.0.0.1:8082' },
        ],
      },
      { name: 'v2', weight: 100, nodes: [{ id: 'v2-a', url: 'http://127.0.0.1:8083' }] },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 2, baseEjectionMs: 1_000, maxEjectionMs: 10_000 },
  };
}

function eject(routing: CompiledRoutingPolicy, nodeId: string): void {
  const node = routing.nodes.find((candidate) => candidate.id === nodeId);
  node?.outlier.recordFailure(NOW);
  node?.outlier.recordFailure(NOW);
}

async function metricValue(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  return metric?.values.find((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))?.value;
}

describe(CompiledRoutingPolicy.name, () => {
  const pools: Pool[] = [];
  const poolFor = (url: string): Pool => {
    const pool = new Pool(url);
    pools.push(pool);
    return pool;
  };

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.destroy()));
  });

  const nodesPicked = (sut: CompiledRoutingPolicy, stackConfigIndex: number): Set<string | undefined> => new Set(Array.from({ length: 50 }, () => sut.pickNode(stackConfigIndex)?.id));

  it('picks only available nodes, and the nodes of the fallback config once the weighted one has none', () => {
    const sut = new CompiledRoutingPolicy({ stack: 'shop', environment: 'prod', version: 1, config: routingConfig() }, poolFor, NOW, seededRandom());
    eject(sut, 'v1-a');
    sut.refreshAvailability(NOW);
    expect([sut.router.mode, nodesPicked(sut, 0)]).toEqual(['normal', new Set(['v1-b'])]);

    eject(sut, 'v2-a');
    sut.refreshAvailability(NOW);

    expect([sut.router.mode, nodesPicked(sut, 1), nodesPicked(sut, 0)]).toEqual(['fallback', new Set([undefined]), new Set(['v1-b'])]);
  });

  it('picks ejected nodes in panic, when no stack config has an available node, and stops once one has', () => {
    const sut = new CompiledRoutingPolicy({ stack: 'shop', environment: 'prod', version: 1, config: routingConfig() }, poolFor, NOW, seededRandom());
    ['v1-a', 'v1-b', 'v2-a'].forEach((id) => eject(sut, id));

    sut.refreshAvailability(NOW);
    const panic = [sut.router.mode, nodesPicked(sut, 1)];
    // The ejections of 1 s are over: every node is probing, so available again.
    sut.refreshAvailability(NOW + 1_000);

    expect(panic).toEqual(['panic', new Set(['v2-a'])]);
    expect(sut.router.mode).toBe('normal');
  });
});

describe(RoutingModeReport.name, () => {
  const pools: Pool[] = [];
  const poolFor = (url: string): Pool => {
    const pool = new Pool(url);
    pools.push(pool);
    return pool;
  };
  const compile = (stack: string): CompiledRoutingPolicy => new CompiledRoutingPolicy({ stack, environment: 'prod', version: nextVersion++, config: routingConfig() }, poolFor, NOW, seededRandom());

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.destroy()));
  });

  it('reports nothing while a routing stays normal, and shows normal on the gauge', async () => {
    const sut = new RoutingModeReport('gw-1');
    const routing = compile('quiet');

    const changes = [sut.install(routing), sut.observe(routing)];

    expect(changes).toEqual([undefined, undefined]);
    expect(await metricValue('strata_gateway_routing_mode', { stack: 'quiet', mode: 'normal' })).toBe(1);
    expect(await metricValue('strata_gateway_routing_mode', { stack: 'quiet', mode: 'fallback' })).toBe(0);
  });

  it('reports entering fallback, panic and normal once each, as valid events', async () => {
    const sut = new RoutingModeReport('gw-1');
    const routing = compile('promoted');
    sut.install(routing);

    eject(routing, 'v2-a');
    routing.refreshAvailability(NOW);
    const fallback = sut.observe(routing);
    const repeated = sut.observe(routing);
    const gaugeInFallback = await metricValue('strata_gateway_routing_mode', { stack: 'promoted', mode: 'fallback' });
    ['v1-a', 'v1-b'].forEach((id) => eject(routing, id));
    routing.refreshAvailability(NOW);
    const panic = sut.observe(routing);
    routing.refreshAvailability(NOW + 1_000);
    const normal = sut.observe(routing);

    expect(repeated).toBeUndefined();
    expect(gaugeInFallback).toBe(1);
    expect([fallback, panic, normal].map((change) => gatewayFallbackChangedV1.parse(change))).toEqual([
      expect.objectContaining({ stack: 'promoted', gatewayId: 'gw-1', version: routing.version, mode: 'fallback', previousMode: 'normal', unavailableConfigs: ['v2'], servingConfigs: ['v1'], reason: expect.stringContaining('the stable config v1') }),
      expect.objectContaining({ mode: 'panic', previousMode: 'fallback', unavailableConfigs: ['v1', 'v2'], servingConfigs: ['v2'], reason: expect.stringContaining('ejected ones included') }),
      expect.objectContaining({ mode: 'normal', previousMode: 'panic', unavailableConfigs: [], servingConfigs: ['v2'] }),
    ]);
    expect(await metricValue('strata_gateway_routing_mode', { stack: 'promoted', mode: 'normal' })).toBe(1);
    expect(await metricValue('strata_gateway_routing_mode', { stack: 'promoted', mode: 'panic' })).toBe(0);
  });

  it('reports leaving fallback when a new routing config is installed', () => {
    const sut = new RoutingModeReport('gw-1');
    const first = compile('replaced');
    sut.install(first);
    eject(first, 'v2-a');
    first.refreshAvailability(NOW);
    sut.observe(first);

    const second = compile('replaced');
    const change = sut.install(second);

    expect(change).toMatchObject({ mode: 'normal', previousMode: 'fallback', version: second.version, reason: `routing config version ${second.version} applied` });
  });

  it('counts requests by mode and by the stack config that took them, not in normal mode', async () => {
    const sut = new RoutingModeReport('gw-1');
    sut.install(compile('counted'));

    sut.countRequest('normal', 1);
    sut.countRequest('fallback', 0);
    sut.countRequest('fallback', 0);
    sut.countRequest('panic', 1);

    expect(await metricValue('strata_gateway_fallback_requests_total', { stack: 'counted', mode: 'fallback', stack_config: 'v1' })).toBe(2);
    expect(await metricValue('strata_gateway_fallback_requests_total', { stack: 'counted', mode: 'panic', stack_config: 'v2' })).toBe(1);
    expect(await metricValue('strata_gateway_fallback_requests_total', { stack: 'counted', mode: 'fallback', stack_config: 'v2' })).toBe(0);
  });
});
