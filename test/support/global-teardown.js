const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalTeardown() {
  // Only stop a broker this run started; one the developer had running stays up.
  if (process.env.STRATA_TEST_STARTED_KAFKA === '1') {
    execFileSync('bash', [path.resolve(__dirname, '../../deploy/kafka/kafka.sh'), 'stop'], { stdio: 'inherit' });
  }
};
