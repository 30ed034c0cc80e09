import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/** The Debian PostgreSQL 15 binaries; the shared server cannot be restarted with extra preload libraries. */
const BIN = '/usr/lib/postgresql/15/bin';
const LIB = '/usr/lib/postgresql/15/lib';

export interface PrivatePostgres {
  /** Superuser URL of the given database, trust auth on loopback. */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

/** PostgreSQL refuses to run as root; as root it runs as the `postgres` system user (as libs/runtime's embedded database does). */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

/**
 * A throw-away PostgreSQL cluster of its own (initdb into a temp dir, a free port), for tests that
 * need server settings the shared one lacks, e.g. `shared_preload_libraries`. Missing binaries or
 * libraries fail the test with what to install: never a skip.
 */
export async function startPrivatePostgres(settings: Record<string, string>, requiredLibraries: readonly string[] = []): Promise<PrivatePostgres> {
  for (const path of [join(BIN, 'initdb'), join(BIN, 'postgres'), ...requiredLibraries.map((library) => join(LIB, `${library}.so`))]) {
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: this test runs a private PostgreSQL 15 cluster (apt-get install -y postgresql-15)`);
    }
  }
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'strata-private-pg-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  if (owner.uid !== undefined && owner.gid !== undefined) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(dataDir, owner.uid, owner.gid);
  }
  execFileSync(join(BIN, 'initdb'), [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'], { ...owner, stdio: 'pipe' });
  const port = await freePort();
  const options = Object.entries({ listen_addresses: '127.0.0.1', unix_socket_directories: '', ...settings }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const server: ChildProcess = spawn(join(BIN, 'postgres'), ['-D', dataDir, '-p', String(port), ...options], { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 30 s: ${log.slice(-2_000)}`)), 30_000);
      const onOutput = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout?.on('data', onOutput);
      server.stderr?.on('data', onOutput);
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL exited with code ${code}: ${log.slice(-2_000)}`));
      });
    });
  } catch (error) {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
