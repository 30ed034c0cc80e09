import { StrataEvent, parseStrataEvent } from '@strata/contracts';
import { KafkaEventBus } from '@strata/messaging';
import { aStackName, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

/** Registry changes leave through the outbox and arrive on the real Kafka broker, keyed by stack, in order. */
describe('registry events on Kafka', () => {
  let sut: RegistryTestApp;
  let bus: KafkaEventBus;
  const received: { key: string | null; event: StrataEvent }[] = [];

  beforeAll(async () => {
    bus = new KafkaEventBus({ brokers: requireKafkaBrokers(), clientId: 'registry-events-test', topicPrefix: uniqueTopicPrefix('registry'), partitions: 3, replicationFactor: 1 });
    sut = await startRegistryTestApp('registry-events', bus);
    await bus.subscribe({
      groupId: 'registry-events-observer',
      topics: ['registry.events'],
      handler: async (message) => {
        const parsed = parseStrataEvent(message.value);
        if (!parsed.ok) {
          throw new Error(parsed.reason);
        }
        received.push({ key: message.key, event: parsed.event });
      },
    });
  }, 60_000);

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('publishes every change as a CloudEvent keyed by its stack', async () => {
    const stack = aStackName('kafka');
    const post = (path: string, body: object) => sut.http().post(path).send(body);
    await post('/v1/stacks', { name: stack, environments: [{ name: 'production' }] }).expect(201);
    await post('/v1/components', { name: `${stack}-api`, stack, type: 'app' }).expect(201);
    await post(`/v1/components/${stack}-api/versions`, { version: '1.0.0', spec: { artifact: 'a', port: 80 } }).expect(201);
    await post(`/v1/stacks/${stack}/version-groups`, { name: 'g', environment: 'production', members: [{ component: `${stack}-api`, version: '1.0.0' }] }).expect(201);
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'g', location: 'production' }).expect(201);

    await eventually(
      () =>
        expect(received.filter((entry) => entry.key === stack).map((entry) => entry.event.type)).toEqual([
          'io.strata.registry.stack.created.v1',
          'io.strata.registry.component-version.registered.v1',
          'io.strata.registry.version-group.created.v1',
          'io.strata.registry.version-map.changed.v1',
          'io.strata.registry.deployment.recorded.v1',
        ]),
      30_000,
      200,
    );
    const registered = received.find((entry) => entry.event.type === 'io.strata.registry.component-version.registered.v1')!.event;
    expect(registered).toMatchObject({ specversion: '1.0', source: '/strata/registry', subject: stack, data: { component: `${stack}-api`, version: '1.0.0' } });
  }, 60_000);
});
