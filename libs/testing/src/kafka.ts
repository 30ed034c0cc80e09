import { randomBytes } from 'node:crypto';

/**
 * Brokers for Kafka-backed tests. `npm test` starts deploy/kafka and sets KAFKA_BROKERS; a test
 * run without it fails here, loudly, instead of skipping.
 */
export function requireKafkaBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error(
      'this test needs a Kafka broker: run it through `npm test` (which starts deploy/kafka/kafka.sh when KAFKA_BROKERS is unset), ' +
        'or start one with `bash deploy/kafka/kafka.sh start` and set KAFKA_BROKERS=127.0.0.1:9092',
    );
  }
  return brokers.split(',').map((broker) => broker.trim());
}

/** Topics of their own per test file, so tests sharing a broker never read each other's messages. */
export function uniqueTopicPrefix(label: string): string {
  return `strata-test-${label}-${randomBytes(3).toString('hex')}.`;
}
