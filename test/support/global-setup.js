// Kafka for the integration and e2e tiers: when KAFKA_BROKERS is not set, start the local
// single-node broker with the same script users and CI run, and stop it after the run.
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const script = path.resolve(__dirname, '../../deploy/kafka/kafka.sh');

module.exports = async function globalSetup() {
  // The unit tier alone (test/run-tests.js runs it first, on every core) needs no broker.
  if (process.env.KAFKA_BROKERS || process.env.STRATA_UNIT_TIER_ONLY === '1') {
    return;
  }
  const alreadyRunning = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  try {
    execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  } catch (error) {
    throw new Error(
      `Kafka-backed tests need a broker and deploy/kafka/kafka.sh could not start one (${error.message}). ` +
        'It needs Java 17+ and Maven with access to Maven Central; or point KAFKA_BROKERS at a running broker.',
    );
  }
  process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT || 9092}`;
  process.env.STRATA_TEST_STARTED_KAFKA = alreadyRunning ? '' : '1';
};
