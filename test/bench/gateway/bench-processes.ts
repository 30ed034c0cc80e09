// Processes of the gateway bench: every child is tracked and stopped on exit, error and Ctrl-C.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { nginxConfig } from './nginx-config';

export const root = resolve(__dirname, '..', '..', '..');
const register = join(root, 'deploy/node/register.js');

// Every child is tracked so that exit, an error or Ctrl-C stops it.
export const children = new Set<ChildProcess>();
export const tempDirs: string[] = [];
let cleanedUp = false;
const stopping = new Set<ChildProcess>();


export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function fail(message: string): never {
  process.stderr.write(`bench:gateway: ${message}\n`);
  cleanup();
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and stopped on exit, error and Ctrl-C.


export function cleanup(): void {
  if (cleanedUp) {
    return;
  }
  cleanedUp = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM: nginx's master takes its worker down with it; node processes exit.
      child.kill('SIGTERM');
    }
  }
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:gateway: ${signal}, stopping every process\n`);
    cleanup();
    process.exit(130);
  });
}

export function track(child: ChildProcess, name: string): ChildProcess {
  children.add(child);
  child.once('exit', (code, signal) => {
    children.delete(child);
    if (!cleanedUp && !stopping.has(child)) {
      fail(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
    }
  });
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  stopping.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Locates a tool on PATH or in the sbin directories (nginx lives in /usr/sbin). */
function locate(tool: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => join(dir, tool)).find((candidate) => candidate !== tool && existsSync(candidate));
}

export function requireTools(): { nginx: string; wrk: string } {
  const nginx = locate('nginx');
  const wrk = locate('wrk');
  const missing = [nginx ? undefined : 'nginx', wrk ? undefined : 'wrk'].filter((tool): tool is string => tool !== undefined);
  if (!nginx || !wrk) {
    fail(`${missing.join(' and ')} not found. Install with: sudo apt-get install -y ${missing.join(' ')}  (Debian/Ubuntu)`);
  }
  return { nginx, wrk };
}

export async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Starts a node process that prints one JSON line with its port when it listens. */
export async function startNode(name: string, entry: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = track(spawn(process.execPath, [...nodeArgs, '-r', register, join(root, entry)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] }), name);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    // Cluster workers share the child's stdout: one of their log lines may come before the port's.
    const onLine = (line: string): void => {
      let parsed: { port?: unknown } = {};
      try {
        parsed = JSON.parse(line) as { port?: unknown };
      } catch {
        return; // not the port's line
      }
      if (typeof parsed.port === 'number') {
        clearTimeout(timer);
        lines.off('line', onLine);
        done(parsed.port);
      }
    };
    lines.on('line', onLine);
  });
  // Keep draining stdout so a chatty child never blocks on a full pipe.
  lines.on('line', () => undefined);
  return { child, port };
}

export function get(port: number, path = '/'): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((done, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function waitUntilServing(port: number, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const { status } = await get(port);
      if (status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      fail(`${name} did not serve 200 on 127.0.0.1:${port} within 15 s`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// nginx

export async function startNginx(nginx: string, v1Port: number, v2Port: number, workers = 1): Promise<{ child: ChildProcess; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-nginx-'));
  tempDirs.push(dir);
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, v1Port, v2Port, workers));
  const check = spawnSync(nginx, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) {
    fail(`the generated nginx config is invalid:\n${check.stderr}`);
  }
  const child = track(spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] }), 'nginx');
  await waitUntilServing(port, 'nginx');
  return { child, port };
}

// ---------------------------------------------------------------------------------------------
// CPU seconds of a process and its children (nginx: master and worker), from /proc.

function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children.flatMap(processTree)];
  } catch {
    return [pid];
  }
}

export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) {
    return 0;
  }
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / 100;
}
