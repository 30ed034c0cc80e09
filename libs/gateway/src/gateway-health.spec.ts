import { HealthRegistry } from '@strata/observability';
import { gatewayHealthAnswer } from './gateway';
import { GATEWAY_SERVICE } from './gateway-events';

describe(gatewayHealthAnswer.name, () => {
  const registry = (busUp: boolean) => {
    const health = new HealthRegistry();
    health.register(GATEWAY_SERVICE, 'bus', () => (busUp ? Promise.resolve() : Promise.reject(new Error('broker unreachable'))));
    return health;
  };
  const answer = async (busUp: boolean, routingVersion: number | null, virtualHosts: { stack: string; environment: string; routingVersion: number | null }[] = []) => {
    const { status, body } = await gatewayHealthAnswer(registry(busUp), 'gw-1', routingVersion, virtualHosts);
    return { status, body: JSON.parse(body) as { status: string; serving: boolean; checks: Record<string, { status: string }> } };
  };

  it('is ready and up with a routing config and the bus', async () => {
    expect(await answer(true, 3)).toMatchObject({ status: 200, body: { status: 'up', serving: true, checks: { bus: { status: 'up' } } } });
  });

  it('stays ready, degraded, while the bus is down and it serves its last-known-good config: a broker outage must not take gateways out of service', async () => {
    expect(await answer(false, 3)).toMatchObject({ status: 200, body: { status: 'degraded', serving: true, checks: { bus: { status: 'down' } } } });
  });

  it('is not ready without any routing config, bus or not: it would refuse every request', async () => {
    expect(await answer(true, null)).toMatchObject({ status: 503, body: { status: 'down', serving: false } });
    expect(await answer(false, null)).toMatchObject({ status: 503, body: { status: 'down', serving: false } });
  });

  it('with virtual hosts, is ready as soon as one of them has a config (the others are refused by name)', async () => {
    const hosts = [
      { stack: 'shop', environment: 'production', routingVersion: 4 },
      { stack: 'ledger', environment: 'production', routingVersion: null },
    ];
    expect(await answer(true, null, hosts)).toMatchObject({ status: 200, body: { status: 'up', serving: true } });
    expect(await answer(true, null, hosts.map((host) => ({ ...host, routingVersion: null })))).toMatchObject({ status: 503, body: { serving: false } });
  });
});
