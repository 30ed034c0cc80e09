import { requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { Kafka, logLevel } from 'kafkajs';
import { describeEventBusContract } from './event-bus.contract';
import { KafkaEventBus } from './kafka-event-bus';

function kafkaBus(topicPrefix: string): KafkaEventBus {
  return new KafkaEventBus({ brokers: requireKafkaBrokers(), clientId: 'strata-contract-test', topicPrefix, partitions: 2, replicationFactor: 1 });
}

describeEventBusContract('kafka', () => kafkaBus(uniqueTopicPrefix('bus')), 30_000);

describe('KafkaEventBus consumer groups', () => {
  it('names a group with the topic prefix, so installations sharing a cluster never share a group', async () => {
    const prefixes = [uniqueTopicPrefix('group-a'), uniqueTopicPrefix('group-b')];
    const buses = prefixes.map(kafkaBus);
    const seen = prefixes.map(() => [] as string[]);
    const admin = new Kafka({ brokers: requireKafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    try {
      await Promise.all(buses.map((bus) => bus.start()));
      await Promise.all(buses.map((bus, index) => bus.subscribe({ groupId: 'shared', topics: ['anomalies'], handler: async (message) => void seen[index]!.push(String(message.value)) })));
      await Promise.all(buses.map((bus, index) => bus.publish([{ topic: 'anomalies', key: 'k', value: `from ${prefixes[index]}` }])));
      await admin.connect();
      const deadline = Date.now() + 20_000;
      while (seen.some((messages) => messages.length === 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen).toEqual(prefixes.map((prefix) => [`from ${prefix}`]));
      const groups = (await admin.listGroups()).groups.map((group) => group.groupId);
      expect(groups).toEqual(expect.arrayContaining(prefixes.map((prefix) => `${prefix}shared`)));
      expect(groups).not.toContain('shared');
    } finally {
      await admin.disconnect();
      await Promise.all(buses.map((bus) => bus.stop()));
    }
  }, 60_000);
});
