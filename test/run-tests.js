#!/usr/bin/env node
// `npm test`: every tier. Unit specs are CPU-bound and independent, so they run on every core;
// integration and e2e specs share PostgreSQL and the broker and assert timings, so they run one
// file at a time after them (both tiers run even when the first fails; the exit code is the worst).
// With arguments (`npm test -- <path or jest flags>`) it is one plain jest run over every tier.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const jest = require.resolve('jest/bin/jest');
const config = path.join(__dirname, 'jest.config.js');
const run = (args, env = {}) => spawnSync(process.execPath, [jest, '-c', config, ...args], { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

const extra = process.argv.slice(2);
if (extra.length > 0) {
  process.exit(run(extra));
}
const unit = run(['--selectProjects', 'unit', '--maxWorkers=2'], { STRATA_UNIT_TIER_ONLY: '1' });
const rest = run(['--selectProjects', 'integration', 'e2e', '--maxWorkers=1']);
process.exit(Math.max(unit, rest));
