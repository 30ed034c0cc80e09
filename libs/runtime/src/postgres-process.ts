import { ChildProcess, spawn } from 'node:child_process';
import { ServerUser, spawnIdentity } from './postgres-server-user';

/**
 * Running PostgreSQL's own binaries as child processes: initdb, then a postmaster on loopback
 * until it says it is ready. Shared by the embedded database and the tests' private clusters, so
 * both start, wait for and stop a server the same way.
 */

const READY = 'database system is ready to accept connections';

export function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.once('exit', (code) => resolve(code));
  });
}

/** Runs initdb with `args` as the server's user; its output is in the error when it fails. */
export async function runInitdb(initdb: string, args: readonly string[], user: ServerUser): Promise<void> {
  const child = spawn(initdb, [...args], { ...spawnIdentity(user), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await waitForExit(child);
  if (code !== 0) {
    throw new Error(`initdb failed (exit ${code}): ${output.slice(-2_000)}`);
  }
}

export interface PostmasterOptions {
  dataDir: string;
  port: number;
  user: ServerUser;
  /** Server settings passed as `-c name=value`, after loopback-only listening. */
  settings?: Readonly<Record<string, string>>;
  /** Its own process group, so Ctrl-C in a terminal reaches the launcher first. */
  detached?: boolean;
}

/** Spawns a postmaster listening on 127.0.0.1 only (no Unix socket); see `postmasterReady`. */
export function spawnPostmaster(postgres: string, options: PostmasterOptions): ChildProcess {
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const flags = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return spawn(postgres, ['-D', options.dataDir, '-p', String(options.port), ...flags], {
    ...spawnIdentity(options.user),
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves once the postmaster logs that it accepts connections; rejects when it exits or `timeoutMs` passes. */
export function postmasterReady(postmaster: ChildProcess, timeoutMs: number, onOutput: (text: string) => void = () => undefined): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms: ${output.slice(-2_000)}`)), timeoutMs);
    const read = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      onOutput(text);
      if (output.includes(READY)) {
        clearTimeout(timer);
        resolve();
      }
    };
    postmaster.stdout?.on('data', read);
    postmaster.stderr?.on('data', read);
    postmaster.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}: ${output.slice(-2_000)}`));
    });
  });
}

/** Fast shutdown (active transactions roll back, data is flushed); SIGKILL if it is not gone after `timeoutMs`. */
export async function stopPostmaster(postmaster: ChildProcess, timeoutMs: number): Promise<void> {
  if (postmaster.exitCode !== null || postmaster.signalCode !== null) {
    return;
  }
  const exited = waitForExit(postmaster);
  postmaster.kill('SIGINT');
  const timer = setTimeout(() => postmaster.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
