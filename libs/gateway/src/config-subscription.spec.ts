import { RoutingConfigPublishedV1, StrataEvent, Topics } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { eventually } from '@strata/testing';
import { ConfigSubscription } from './config-subscription';
import { RoutingPolicyOutcome } from './routing-policy-update';

describe(ConfigSubscription.name, () => {
  let bus: InMemoryEventBus;
  let sut: ConfigSubscription;
  let applied: number[];
  const answers: StrataEvent[] = [];

  const publish = (stack: string, version: number) =>
    bus.publish([
      {
        topic: Topics.routingEvents,
        key: stack,
        value: JSON.stringify(newEvent({ type: 'io.strata.routing.config.published.v1', service: 'routing-control', subject: stack, data: { stack, environment: 'prod', version, config: {} } })),
      },
    ]);

  /** ACKs odd versions and NACKs even ones, keeping version 1. */
  const apply = (published: RoutingConfigPublishedV1): RoutingPolicyOutcome => {
    applied.push(published.version);
    const identity = { stack: published.stack, environment: published.environment, version: published.version, gatewayId: 'gw-1' };
    return published.version % 2 === 1 ? { outcome: 'applied', ...identity } : { outcome: 'rejected', ...identity, reason: 'even', violations: [], keptVersion: 1 };
  };

  beforeEach(async () => {
    bus = new InMemoryEventBus(1);
    await bus.start();
    applied = [];
    answers.length = 0;
    await bus.subscribe({
      groupId: 'observer',
      topics: [Topics.routingEvents],
      handler: async (message) => {
        const event = JSON.parse(String(message.value)) as StrataEvent;
        if (event.type !== 'io.strata.routing.config.published.v1') {
          answers.push(event);
        }
      },
    });
    sut = new ConfigSubscription({ gatewayId: 'gw-1', bus, accepts: (published) => published.stack === 'shop', apply, retryMs: 10, logger: new Logger('spec') });
    sut.start();
  });

  afterEach(async () => {
    await sut.stop();
    await bus.stop();
  });

  it('answers each config meant for the gateway with its ACK or NACK, and ignores the others', async () => {
    await publish('shop', 1);
    await publish('search', 3);
    await publish('shop', 2);

    await eventually(() => expect(answers.map((event) => [event.type, (event.data as { version: number }).version])).toEqual([
      ['io.strata.routing.config.applied.v1', 1],
      ['io.strata.routing.config.rejected.v1', 2],
    ]));
    expect(applied).toEqual([1, 2]);
    expect(answers[1].data).toEqual({ stack: 'shop', environment: 'prod', version: 2, gatewayId: 'gw-1', reason: 'even', violations: [], keptVersion: 1 });
  });
});
