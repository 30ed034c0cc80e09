import { ALL_TOPICS, physicalTopic } from '@strata/contracts';
import { CapturedLogs, captureLogs } from '@strata/observability';
import { Admin, Kafka, KafkaJSConnectionError, Logger as KafkajsLogger, Producer } from 'kafkajs';
import { KafkaEventBus } from './kafka-event-bus';

describe(KafkaEventBus.name, () => {
  let logs: CapturedLogs;

  beforeEach(() => {
    logs = captureLogs('info');
  });

  afterEach(() => {
    logs.restore();
    jest.restoreAllMocks();
  });

  it('names KAFKA_BROKERS at the first failed connection of its start, then lets connection failures through once started', async () => {
    // An admin and a producer that fail as kafkajs' do against a broker that is not there (without its
    // minute of retries), then find it.
    let connection: KafkajsLogger | undefined;
    const refused = () => connection?.error('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1', stack: 'Error: connect ECONNREFUSED 127.0.0.1:1' });
    let brokerUp = false;
    jest.spyOn(Kafka.prototype, 'admin').mockImplementation(function (this: Kafka) {
      connection = this.logger().namespace('Connection');
      const connect = async () => {
        if (brokerUp) return;
        refused();
        refused();
        throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
      };
      return { connect, listTopics: async () => ALL_TOPICS.map((topic) => physicalTopic('spec', topic)) } as unknown as Admin;
    });
    jest.spyOn(Kafka.prototype, 'producer').mockReturnValue({ on: () => undefined, events: {}, connect: async () => undefined } as unknown as Producer);
    const sut = new KafkaEventBus({ brokers: ['127.0.0.1:1'], clientId: 'spec', topicPrefix: 'spec', partitions: 1, replicationFactor: 1 });

    await expect(sut.start()).rejects.toThrow('cannot start the Kafka bus on KAFKA_BROKERS=127.0.0.1:1: Connection error: connect ECONNREFUSED 127.0.0.1:1');
    await expect(sut.start()).rejects.toThrow('KAFKA_BROKERS=127.0.0.1:1');
    brokerUp = true;
    await sut.start();
    refused();

    const logged = logs.lines.map((line) => JSON.parse(line) as { level: string; msg: string; stack?: string });
    expect(logged.map((line) => [line.level, line.msg, line.stack])).toEqual([
      ['warn', 'cannot reach the Kafka broker at KAFKA_BROKERS=127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1); retrying for up to ~60 s before giving up', undefined],
      ['info', 'reached the Kafka broker at KAFKA_BROKERS=127.0.0.1:1', undefined],
      ['warn', 'kafkajs: Connection error: connect ECONNREFUSED 127.0.0.1:1', 'Error: connect ECONNREFUSED 127.0.0.1:1'],
    ]);
  });
});
