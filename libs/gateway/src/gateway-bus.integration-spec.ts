import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataEvent, Topics, parseStrataEvent } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { eventually } from '@strata/testing';
import { Gateway } from './gateway';

/** The gateway answers routing-control's published configs on the bus with an ACK or a NACK. */
describe('gateway on the bus', () => {
  let bus: InMemoryEventBus;
  let sut: Gateway;
  let stateDir: string;
  const answers: StrataEvent[] = [];
  const config = (url: string) => ({ component: 'checkout-api', stableConfig: 'v1', stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url }] }] });
  const publish = (stack: string, version: number, routingConfig: Record<string, unknown>) =>
    bus.publish([{ topic: Topics.routingEvents, key: stack, value: JSON.stringify(newEvent({ type: 'io.strata.routing.config.published.v1', service: 'routing-control', subject: stack, data: { stack, environment: 'production', version, config: routingConfig } })) }]);

  beforeAll(async () => {
    bus = new InMemoryEventBus(1);
    await bus.subscribe({
      groupId: 'observer',
      topics: [Topics.routingEvents],
      handler: async (message) => {
        const parsed = parseStrataEvent(message.value);
        if (parsed.ok && parsed.event.type !== 'io.strata.routing.config.published.v1') {
          answers.push(parsed.event);
        }
      },
    });
    stateDir = mkdtempSync(join(tmpdir(), 'gateway-bus-'));
    sut = new Gateway({ gatewayId: 'gw-1', host: '127.0.0.1', port: 0, admin: { port: 0 }, bus, health: new HealthRegistry(), stateDir, stack: 'checkout', environment: 'production', busRetryMs: 50 });
    await sut.start();
  });

  afterAll(async () => {
    await sut.stop();
    await bus.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('ACKs a valid config, NACKs an invalid one keeping the old, and ignores other stacks', async () => {
    await publish('checkout', 1, config('http://127.0.0.1:9001'));
    await eventually(() => expect(answers.map((event) => event.type)).toEqual(['io.strata.routing.config.applied.v1']));
    expect(sut.routingVersion).toBe(1);

    await publish('search', 5, config('http://127.0.0.1:9001'));
    await publish('checkout', 2, config('not-a-url'));
    await eventually(() => expect(answers).toHaveLength(2));
    expect(answers[0].data).toEqual({ stack: 'checkout', environment: 'production', version: 1, gatewayId: 'gw-1' });
    expect(answers[1]).toMatchObject({ type: 'io.strata.routing.config.rejected.v1', data: { version: 2, keptVersion: 1, violations: [{ field: 'config.stackConfigs[0].nodes[0].url' }] } });
    expect(sut.routingVersion).toBe(1);
  });
});
