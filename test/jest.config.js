// The three test tiers. `npm test` runs all of them; `npm run test:unit` and friends run one.
const preset = require('./jest.preset');

const tier = (displayName, testMatch, extra = {}) => ({ ...preset, displayName, testMatch, ...extra });

module.exports = {
  rootDir: preset.rootDir,
  // Starts the local Kafka broker (deploy/kafka) when KAFKA_BROKERS is not set, and stops it after.
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  // The known-long specs first on a fresh clone (no timings yet): see the file.
  testSequencer: '<rootDir>/test/support/long-first-sequencer.js',
  // Generous on purpose (jest reads it only here, not per project): a shared 2-core CI machine
  // under load must not turn a slow database or broker into a failure; a real hang still fails.
  testTimeout: 60_000,
  projects: [
    tier('unit', ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/{architecture,fuzz,bench}/**/*.spec.ts']),
    tier('integration', ['<rootDir>/{apps,libs}/**/*.integration-spec.ts']),
    // The chaos scenarios' quick cut (test/chaos, STRATA_CHAOS_MODE=quick) runs with the e2e specs.
    tier('e2e', ['<rootDir>/test/e2e/**/*.e2e-spec.ts', '<rootDir>/test/chaos/**/*.chaos-spec.ts']),
  ],
};
