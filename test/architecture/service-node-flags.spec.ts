import { DEFAULT_SERVICE_PORTS } from '@strata/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '../support/service-node-flags';

const root = join(__dirname, '..', '..');
/** Every service, as the configuration knows them: a new one is checked without touching this spec. */
const SERVICES = Object.keys(DEFAULT_SERVICE_PORTS);

/**
 * The node command lines that start a service: npm start (all in one), npm run start:<service>,
 * the image's CMD, and bench:ingest (metrics-ingest runs in the bench's own process).
 */
function serviceCommandLines(): Record<string, string> {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const dockerfile = readFileSync(join(root, 'deploy/docker/Dockerfile'), 'utf8');
  const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '));
  return {
    'npm start': scripts['start'] ?? '',
    ...Object.fromEntries(SERVICES.map((service) => [`npm run start:${service}`, scripts[`start:${service}`] ?? ''])),
    'the image CMD': cmd ?? '',
    'npm run bench:ingest': scripts['bench:ingest'] ?? '',
  };
}

describe('the node flags services run with', () => {
  it.each(Object.entries(serviceCommandLines()))('%s runs node with every service flag', (_where, commandLine) => {
    expect(commandLine).toMatch(/\bnode\b/);
    for (const flag of SERVICE_NODE_FLAGS) {
      expect(commandLine.split(/[\s"]+/)).toContain(flag);
    }
  });
});
