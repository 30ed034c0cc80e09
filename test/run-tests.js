#!/usr/bin/env node
// `npm test`: every tier. Unit specs are CPU-bound and independent: one worker per core. Each
// integration spec has a database and topics of its own and spends most of its time waiting on
// services and the broker (measured on 2 cores: ≈ 1.2 cores busy on two workers), so integration
// runs three files at a time. e2e specs (the chaos quick cut among them) start services as
// processes, share the broker and the database server (some stop them) and assert timings, so
// they run one file at a time, last: two at a time cut ≈ 4 minutes but made two of three CI runs
// fail on a timing assertion. Every tier runs even when an earlier one fails; the exit code
// is the worst. With arguments (`npm test -- <path or jest flags>`) it is one plain jest run over
// every tier.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const startKafka = require('./support/global-setup');
const stopKafka = require('./support/global-teardown');

const jest = require.resolve('jest/bin/jest');
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
    const e2e = run(['--selectProjects', 'e2e', '--maxWorkers=1']);
    return Math.max(unit, integration, e2e);
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
