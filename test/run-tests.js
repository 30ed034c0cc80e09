#!/usr/bin/env node
// `npm test`: every tier. Unit specs are CPU-bound and independent: one worker per core. Each
// integration spec and each e2e spec has a database and topics of its own and spends most of its
// time waiting on services, timers and the broker (measured on 2 cores: integration ≈ 1.2 cores
// busy on two workers), so integration runs three files at a time and e2e two. The chaos quick
// cut (it stops and restarts the broker and the database server every other spec uses) and the
// heaviest e2e spec run last, one file at a time (ALONE). Every tier runs even when an earlier one
// fails; the exit code is the worst. With arguments (`npm test -- <path or jest flags>`) it is one
// plain jest run over every tier.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const startKafka = require('./support/global-setup');
const stopKafka = require('./support/global-teardown');

const jest = require.resolve('jest/bin/jest');
/*
 * Specs of the e2e project that run alone, after the others: the chaos scenarios stop the shared
 * broker and PostgreSQL; executions runs ten service processes in distributed mode, and beside a
 * second spec its canary rollout once did not come up within its minute (CI, 2026-12-07; cause
 * not found, the spec now prints the execution when it happens again).
 */
const ALONE = '/test/chaos/|/test/e2e/executions\\.e2e-spec\\.ts$';
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
    const e2e = run(['--selectProjects', 'e2e', '--maxWorkers=2', '--testPathIgnorePatterns', ALONE]);
    const alone = run(['--selectProjects', 'e2e', '--maxWorkers=1', '--testPathPatterns', ALONE]);
    return Math.max(unit, integration, e2e, alone);
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
