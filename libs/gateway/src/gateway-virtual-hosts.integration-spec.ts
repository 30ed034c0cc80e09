import { Topics, parseStrataEvent } from '@strata/contracts';
import { newEvent } from '@strata/messaging';
import { eventually } from '@strata/testing';
import { GatewayHarness, UnreachableBus } from './test-support/gateway-harness';
import { parseVirtualHosts } from './virtual-hosts';

/** One gateway process serving two stacks, chosen by Host or path prefix, each configured and ACKed on its own. */
describe('gateway with virtual hosts', () => {
  const harness = new GatewayHarness();
  harness.register(parseVirtualHosts('shop/prod=shop.example.com;search/prod=/search'));

  const publish = (stack: string, version: number, url: string) =>
    harness.bus.publish([
      {
        topic: Topics.routingEvents,
        key: stack,
        value: JSON.stringify(
          newEvent({
            type: 'io.strata.routing.config.published.v1',
            service: 'routing-control',
            subject: stack,
            data: { stack, environment: 'prod', version, config: { component: stack, stableConfig: 'v1', stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: `${stack}-node`, url }] }] } },
          }),
        ),
      },
    ]);
  const answersOnBus = (events: ReturnType<GatewayHarness['collect']>) =>
    events.flatMap((event) => {
      const parsed = parseStrataEvent(JSON.stringify(event));
      return parsed.ok && parsed.event.type !== 'io.strata.routing.config.published.v1' && parsed.event.type !== 'io.strata.routing.gateway.fallback.changed.v1' ? [parsed.event] : [];
    });

  it('routes each request to its stack by Host, then by path prefix, and ACKs each stack on its own', async () => {
    const events = harness.collect('routing.events');
    expect((await harness.send('/', { host: 'shop.example.com' })).status).toBe(503);

    await publish('shop', 3, harness.v1a.url);
    await publish('search', 8, harness.v2.url);
    await publish('docs', 1, harness.v1b.url);
    await eventually(() => expect(answersOnBus(events)).toHaveLength(2));

    expect(answersOnBus(events).map((event) => [event.type, event.data])).toEqual([
      ['io.strata.routing.config.applied.v1', { stack: 'shop', environment: 'prod', version: 3, gatewayId: 'test' }],
      ['io.strata.routing.config.applied.v1', { stack: 'search', environment: 'prod', version: 8, gatewayId: 'test' }],
    ]);
    expect(await harness.send('/search/q', { host: 'shop.example.com:8000' })).toMatchObject({ status: 200, node: 'v1-a' });
    expect(await harness.send('/search/q', { host: 'gateway.internal' })).toMatchObject({ status: 200, node: 'v2-a' });
    const unclaimed = await harness.send('/cart', { host: 'docs.example.com' });
    expect(unclaimed).toMatchObject({ status: 404, contentType: 'application/problem+json' });
    expect(JSON.parse(unclaimed.body)).toMatchObject({ type: expect.stringMatching(/no-virtual-host$/) });

    const health = JSON.parse((await harness.send('/health', {}, 'GET', harness.admin)).body) as Record<string, unknown>;
    expect(health['virtualHosts']).toEqual([
      { stack: 'shop', environment: 'prod', routingVersion: 3 },
      { stack: 'search', environment: 'prod', routingVersion: 8 },
    ]);
  });

  it('NACKs one stack without touching the other, and restarts serving both from their last-known-good files', async () => {
    expect(harness.sut.applyRoutingPolicy({ stack: 'docs', environment: 'prod', version: 1, config: harness.routingConfig() })).toMatchObject({
      outcome: 'rejected',
      reason: 'this gateway serves no virtual host for docs/prod',
    });
    expect(harness.sut.applyRoutingPolicy({ stack: 'shop', environment: 'prod', version: 1, config: { component: 'shop' } })).toMatchObject({ outcome: 'rejected', keptVersion: null });
    const config = (url: string) => ({ component: 'x', stableConfig: 'v1', stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'only', url }] }] });
    expect(harness.sut.applyRoutingPolicy({ stack: 'search', environment: 'prod', version: 2, config: config(harness.v2.url) })).toMatchObject({ outcome: 'applied' });
    expect(harness.sut.applyRoutingPolicy({ stack: 'shop', environment: 'prod', version: 4, config: config(harness.v1a.url) })).toMatchObject({ outcome: 'applied' });
    await harness.sut.persisted();
    await harness.sut.stop();

    harness.sut = await harness.startGateway({ bus: new UnreachableBus() });

    expect(await harness.send('/', { host: 'shop.example.com' })).toMatchObject({ status: 200, node: 'v1-a' });
    expect(await harness.send('/search', { host: 'other' })).toMatchObject({ status: 200, node: 'v2-a' });
  });
});
