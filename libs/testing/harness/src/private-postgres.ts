import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postmasterReady, runInitdb, serverUser, spawnPostmaster, stopPostmaster } from '@strata/runtime';
import { Client } from 'pg';
import { freePort } from './free-port';

/** The Debian PostgreSQL 15 binaries; the shared server cannot be restarted with extra preload libraries. */
const BIN = '/usr/lib/postgresql/15/bin';
const LIB = '/usr/lib/postgresql/15/lib';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface PrivatePostgres {
  /** Superuser URL of the given database, trust auth on loopback. */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

/**
 * A throw-away PostgreSQL cluster of its own (initdb into a temp dir, a free port), for tests that
 * need server settings the shared one lacks, e.g. `shared_preload_libraries`. Started and stopped
 * by the same code as the embedded database (libs/runtime). Missing binaries or libraries fail the
 * test with what to install: never a skip.
 */
export async function startPrivatePostgres(settings: Record<string, string>, requiredLibraries: readonly string[] = []): Promise<PrivatePostgres> {
  for (const path of [join(BIN, 'initdb'), join(BIN, 'postgres'), ...requiredLibraries.map((library) => join(LIB, `${library}.so`))]) {
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: this test runs a private PostgreSQL 15 cluster (apt-get install -y postgresql-15)`);
    }
  }
  const user = await serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'strata-private-pg-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  if (user.uid !== undefined && user.gid !== undefined) {
    chownSync(dir, user.uid, user.gid);
    chownSync(dataDir, user.uid, user.gid);
  }
  await runInitdb(join(BIN, 'initdb'), [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'], user);
  const port = await freePort();
  const server = spawnPostmaster(join(BIN, 'postgres'), { dataDir, port, user, settings });
  try {
    await postmasterReady(server, START_TIMEOUT_MS);
  } catch (error) {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`private PostgreSQL did not start: ${(error as Error).message}`);
  }
  return {
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await stopPostmaster(server, STOP_TIMEOUT_MS);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A private cluster with pg_stat_statements preloaded (top-level statements tracked) and a
 * database of its own where the extension is created: a target whose statement statistics are
 * read. Returns the cluster and a client connected to that database (the caller ends both).
 */
export async function startPostgresWithStatementStats(database: string): Promise<{ postgres: PrivatePostgres; client: Client }> {
  const postgres = await startPrivatePostgres({ shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top' }, ['pg_stat_statements']);
  const admin = new Client({ connectionString: postgres.urlOf('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const client = new Client({ connectionString: postgres.urlOf(database) });
  await client.connect();
  await client.query('CREATE EXTENSION pg_stat_statements');
  return { postgres, client };
}
