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

describe('KafkaEventBus ephemeral groups', () => {
  it('lists an ephemeral group while it hears, commits no offset, and deletes it from the broker when its subscription stops', async () => {
    const prefix = uniqueTopicPrefix('ephemeral');
    const bus = kafkaBus(prefix);
    const admin = new Kafka({ brokers: requireKafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    const heard: string[] = [];
    const groups = async () => (await admin.listGroups()).groups.map((group) => group.groupId).filter((group) => group.startsWith(prefix));
    try {
      await admin.connect();
      await bus.start();
      const handle = await bus.subscribe({ groupId: 'live-view', topics: ['anomalies'], ephemeral: true, handler: async (message) => void heard.push(String(message.value)) });
      const deadline = Date.now() + 20_000;
      while (heard.length === 0 && Date.now() < deadline) {
        await bus.publish([{ topic: 'anomalies', key: 'k', value: 'change' }]);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(heard.length).toBeGreaterThan(0);
      expect(await groups()).toEqual([`${prefix}live-view`]);
      const [offsets] = await admin.fetchOffsets({ groupId: `${prefix}live-view`, topics: [`${prefix}anomalies`] });
      expect(offsets?.partitions.map((partition) => partition.offset)).toEqual(offsets?.partitions.map(() => '-1'));

      await handle.stop();

      expect(await groups()).toEqual([]);
    } finally {
      await admin.disconnect();
      await bus.stop();
    }
  }, 60_000);
});

describe('KafkaEventBus recovery', () => {
  const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it("rejoins a group whose consumer crashed on an error kafkajs gives up on (a handler's TypeError), says so on its health probe meanwhile, and delivers the message again", async () => {
    const bus = kafkaBus(uniqueTopicPrefix('crash'));
    const handled: string[] = [];
    let thrown = 0;
    try {
      await bus.start();
      await bus.subscribe({
        groupId: 'crashy',
        topics: ['anomalies'],
        handler: async (message) => {
          if (thrown === 0) {
            thrown += 1;
            // kafkajs never restarts a consumer on a TypeError (an "unrecoverable" error): before, the group stayed behind for good.
            throw new TypeError("Cannot read properties of undefined (reading 'id')");
          }
          handled.push(String(message.value));
        },
      });
      await bus.publish([{ topic: 'anomalies', key: 'k', value: 'first' }]);
      await until(() => thrown === 1, 20_000);
      // kafkajs reports the crash a moment after the handler threw (it retries first): the probe names the group from then until it rejoins.
      let problem = '';
      await until(async () => (problem = await bus.probe().then(() => '', (error: Error) => error.message)) !== '', 20_000);
      expect(problem).toBe('consumer group(s) crashy crashed and are rejoining');
      await until(() => handled.includes('first'), 30_000);
      await bus.publish([{ topic: 'anomalies', key: 'k', value: 'second' }]);
      await until(() => handled.includes('second'), 20_000);
      expect(handled).toEqual(['first', 'second']);
      await bus.probe();
    } finally {
      await bus.stop();
    }
  }, 90_000);

  it('publishes once the broker can be reached even when start() never connected the producer', async () => {
    const prefix = uniqueTopicPrefix('late');
    const started = kafkaBus(prefix);
    const late = kafkaBus(prefix);
    const seen: string[] = [];
    try {
      await started.start();
      await started.subscribe({ groupId: 'late-reader', topics: ['anomalies'], handler: async (message) => void seen.push(String(message.value)) });
      // As a process that started while the broker was away (start() failed or never ran): its first publish connects.
      await late.publish([{ topic: 'anomalies', key: 'k', value: 'from a late producer' }]);
      await until(() => seen.length === 1, 20_000);
      expect(seen).toEqual(['from a late producer']);
    } finally {
      await Promise.all([started.stop(), late.stop()]);
    }
  }, 60_000);
});
