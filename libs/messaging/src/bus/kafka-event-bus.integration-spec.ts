import { requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { describeEventBusContract } from './event-bus.contract';
import { KafkaEventBus } from './kafka-event-bus';

describeEventBusContract(
  'kafka',
  () =>
    new KafkaEventBus({
      brokers: requireKafkaBrokers(),
      clientId: 'strata-contract-test',
      topicPrefix: uniqueTopicPrefix('bus'),
      partitions: 2,
      replicationFactor: 1,
    }),
  30_000,
);
