import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const KAFKA_SCRIPT = join(__dirname, '..', '..', '..', 'deploy', 'kafka', 'kafka.sh');

/**
 * The PostgreSQL cluster the scenarios stop and restart: `STRATA_CHAOS_PG_CLUSTER` as
 * `<version>/<name>` (e.g. `15/chaos`, one whose port DATABASE_URL names), else the machine's first
 * version's `main`, as the machine notes say to start it.
 */
function cluster(): [string, string] {
  const named = process.env['STRATA_CHAOS_PG_CLUSTER'];
  if (named) {
    const [version, name] = named.split('/');
    if (!version || !name) {
      throw new Error(`STRATA_CHAOS_PG_CLUSTER must be <version>/<name> (e.g. 15/main), got '${named}'`);
    }
    return [version, name];
  }
  return [execFileSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).trim().split('\n')[0]!, 'main'];
}

export function postgresCluster(action: 'start' | 'stop' | 'restart'): void {
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', ...cluster(), action], { stdio: 'ignore' });
}

/** The deploy/kafka broker on `port` (its cache and controller port from the environment, as kafka.sh reads them). */
export function kafkaBroker(action: 'start' | 'stop', port: string): void {
  execFileSync('bash', [KAFKA_SCRIPT, action], { stdio: 'ignore', env: { ...process.env, KAFKA_PORT: port } });
}
