#!/usr/bin/env node
// `npm test`: every tier. Unit specs are CPU-bound and independent: one worker per core. Each
// integration spec and each e2e spec has a database and topics of its own and spends most of its
// time waiting on services, timers and the broker (measured on 2 cores: integration ≈ 1.2 cores
// busy on two workers), so integration runs three files at a time and e2e two. The chaos quick cut
// stops and restarts the broker and the database server every other spec uses: it runs last, one
// file at a time, alone. Every tier runs even when an earlier one fails; the exit code is the
// worst. With arguments (`npm test -- <path or jest flags>`) it is one plain jest run over every
// tier.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const startKafka = require('./support/global-setup');
const stopKafka = require('./support/global-teardown');

const jest = require.resolve('jest/bin/jest');
/** The chaos scenarios' specs (jest project e2e): they stop the shared broker and PostgreSQL. */
const CHAOS = '/test/chaos/';
const config = path.join(__dirname, 'jest.config.js');
const run = (args, env = {}) => spawnSync(process.execPath, [jest, '-c', config, ...args], { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

async function main() {
  const extra = process.argv.slice(2);
  if (extra.length > 0) {
    return run(extra);
  }
  const unit = run(['--selectProjects', 'unit', '--maxWorkers=2'], { STRATA_UNIT_TIER_ONLY: '1' });
  // One broker for both tiers below (each jest run would otherwise start and stop its own).
  await startKafka();
  try {
    const integration = run(['--selectProjects', 'integration', '--maxWorkers=3']);
    const e2e = run(['--selectProjects', 'e2e', '--maxWorkers=2', '--testPathIgnorePatterns', CHAOS]);
    const chaos = run(['--selectProjects', 'e2e', '--maxWorkers=1', '--testPathPatterns', CHAOS]);
    return Math.max(unit, integration, e2e, chaos);
  } finally {
    await stopKafka();
  }
}

main().then(
  (status) => process.exit(status),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
