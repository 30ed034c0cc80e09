#!/usr/bin/env node
// `npm test`: every tier. Unit specs are CPU-bound and independent, and each integration spec has a
// database and topics of its own, so the two tiers run side by side: integration specs (two
// workers) spend much of their time waiting on PostgreSQL and the broker, which the unit tier's CPU
// work (one worker) fills (run one after the other on two workers each, they took 236 s + 294 s in CI). e2e specs (the chaos quick
// cut among them) start services as processes, share the broker and the database server (some
// stop them) and assert timings, so they run one file at a time, last, on a quiet machine. Every tier runs even when an earlier
// one fails; the exit code is the worst. With arguments (`npm test -- <path or jest flags>`) it is
// one plain jest run over every tier.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const startKafka = require('./support/global-setup');
const stopKafka = require('./support/global-teardown');

const jest = require.resolve('jest/bin/jest');
const config = path.join(__dirname, 'jest.config.js');
const run = (args, env = {}) => spawnSync(process.execPath, [jest, '-c', config, ...args], { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

/** One tier in a child process, its output prefixed per line with the tier's name (two tiers print at once). */
function runAside(name, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [jest, '-c', config, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    for (const [stream, sink] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        sink.write(lines.map((line) => `[${name}] ${line}\n`).join(''));
      });
      stream.on('end', () => partial && sink.write(`[${name}] ${partial}\n`));
    }
    child.on('error', () => resolve(1));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main() {
  const extra = process.argv.slice(2);
  if (extra.length > 0) {
    return run(extra);
  }
  // One unit worker: with the integration tier's two, three processes share the two cores, and the
  // unit specs that compute (simulations, LSTM training) keep a core each as they had alone.
  const unit = runAside('unit', ['--selectProjects', 'unit', '--maxWorkers=1'], { STRATA_UNIT_TIER_ONLY: '1' });
  // One broker for the integration and e2e tiers (each jest run would otherwise start and stop its own).
  try {
    await startKafka();
  } catch (error) {
    await unit;
    throw error;
  }
  try {
    const integration = await runAside('integration', ['--selectProjects', 'integration', '--maxWorkers=2']);
    const unitStatus = await unit;
    const e2e = run(['--selectProjects', 'e2e', '--maxWorkers=1']);
    return Math.max(unitStatus, integration, e2e);
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
