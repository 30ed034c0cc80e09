#!/usr/bin/env node
// `npm run test:chaos [-- --quick] [-- --json] [-- <jest path filter>]`: runs the chaos scenarios
// (test/chaos/*.chaos-spec.ts, each services as processes on Kafka and PostgreSQL), then prints
// the figures each measured as a table and, with --json, one JSON line last:
// {"lostEvents":…, "duplicateEvents":…, "stuck":…, "maxResumeSeconds":…, "gatewayFailedShare":…}.
// --quick is the cut `npm test` runs in CI; without it the scenarios run their full length.
// The exit code is jest's: a scenario whose figures miss their goal fails.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const filters = args.filter((arg) => arg !== '--quick' && arg !== '--json');
const results = mkdtempSync(path.join(tmpdir(), 'strata-chaos-'));

const jest = require.resolve('jest/bin/jest');
const config = path.join(__dirname, '..', 'jest.config.js');
const status =
  spawnSync(process.execPath, [jest, '-c', config, '--selectProjects', 'e2e', '--runInBand', ...(filters.length > 0 ? filters : ['test/chaos/'])], {
    stdio: 'inherit',
    env: { ...process.env, STRATA_CHAOS_MODE: quick ? 'quick' : 'full', STRATA_CHAOS_RESULTS: results },
  }).status ?? 1;

const figures = readdirSync(results)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(path.join(results, name), 'utf8')));
const sum = (key) => figures.reduce((total, scenario) => total + (typeof scenario[key] === 'number' ? scenario[key] : 0), 0);
const max = (key) => figures.reduce((worst, scenario) => (typeof scenario[key] === 'number' ? Math.max(worst, scenario[key]) : worst), 0);

const columns = ['lostEvents', 'duplicateEvents', 'stuck', 'maxResumeSeconds', 'gatewayFailedShare', 'deadLettered', 'heapGrowthShare'];
const cell = (value) => (value === undefined ? '–' : typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : String(value));
console.log(`\nchaos (${quick ? 'quick' : 'full'}), figures in ${results}`);
console.log(['scenario', ...columns].join(' | '));
for (const scenario of figures) {
  console.log([scenario.scenario, ...columns.map((column) => cell(scenario[column]))].join(' | '));
  console.log(`  injected: ${scenario.injected}`);
}
if (json) {
  console.log(
    JSON.stringify({
      lostEvents: sum('lostEvents'),
      duplicateEvents: sum('duplicateEvents'),
      stuck: sum('stuck'),
      maxResumeSeconds: max('maxResumeSeconds'),
      gatewayFailedShare: max('gatewayFailedShare'),
      scenarios: figures.map((scenario) => scenario.scenario),
      passed: status === 0,
    }),
  );
}
process.exit(status);
