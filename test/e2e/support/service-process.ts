import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '../../support/service-node-flags';

const root = join(__dirname, '..', '..', '..');

/**
 * The admin token every process of an e2e spec is started with (STRATA_ADMIN_TOKEN), and that
 * clients it starts send (STRATA_TOKEN). A spec passes `STRATA_ADMIN_TOKEN: ''` to start without.
 */
export const E2E_ADMIN_TOKEN = 'strata_e2e-admin-token-0123456789abcdefghijklmnop';
export const E2E_BEARER = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } as const;

/** A Strata app started as its own OS process, the way an operator runs it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly app: string,
    private readonly env: Record<string, string>,
    /** Command-line arguments of its main.ts (e.g. `console` for apps/strata). */
    private readonly args: readonly string[] = [],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get log(): string {
    return this.output;
  }

  start(): void {
    // The flags the image and `npm start` run services with (deploy/docker/Dockerfile says why).
    this.child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--enable-source-maps', '-r', './deploy/node/register.js', `apps/${this.app}/src/main.ts`, ...this.args], {
      cwd: root,
      env: { ...process.env, STRATA_ADMIN_TOKEN: E2E_ADMIN_TOKEN, STRATA_TOKEN: E2E_ADMIN_TOKEN, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
  }

  /** Resolves with the rest of the first output line starting with `prefix` (e.g. `api: `). */
  async lineStartingWith(prefix: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.output.split('\n').find((candidate) => candidate.startsWith(prefix));
      if (line) {
        return line.slice(prefix.length).trim();
      }
      if (Date.now() > deadline || this.exited) {
        throw new Error(`${this.app} printed no line starting '${prefix}'; its output:\n${this.output.slice(-5_000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get exited(): boolean {
    return this.child !== undefined && (this.child.exitCode !== null || this.child.signalCode !== null);
  }

  /** Resolves with the exit code once the process ends on its own. */
  async exitCode(timeoutMs: number): Promise<number | null> {
    const child = this.child;
    if (!child) {
      throw new Error(`${this.app} was never started`);
    }
    if (this.exited) {
      return child.exitCode;
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.app} still running after ${timeoutMs} ms; its output:\n${this.output.slice(-3_000)}`)), timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** Ctrl-C: what an operator does in a terminal. Resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    const child = this.child;
    if (!child || this.exited) {
      return child?.exitCode ?? null;
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  }

  /** SIGKILL: no shutdown hooks, no offset commits, no goodbyes. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

export async function waitForHealthy(url: string, service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  // A gateway's /health is a readiness answer (503 until a routing policy reaches it): started is what a test waits for.
  if (service.app === 'gateway') return waitForGatewayStarted(url, service, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${service.app} did not become healthy within ${timeoutMs} ms; its output:\n${service.log.slice(-5_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * A gateway process is up: its admin listener answers and its bus check is up. Its `/health` stays
 * 503 until a routing config reaches it (a readiness answer), so waiting for 200 would wait for a
 * policy the test has not published yet.
 */
export async function waitForGatewayStarted(adminUrl: string, gateway: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const body = (await (await fetch(`${adminUrl}/health`)).json()) as { checks?: Record<string, { status?: string }> };
      if (body.checks?.['bus']?.status === 'up') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${gateway.app} did not start with its bus within ${timeoutMs} ms; its output:\n${gateway.log.slice(-5_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The environment every service process of a distributed-mode e2e shares: Kafka as the bus with
 * topics of the test's own, its database, and timings short enough for a test to wait on.
 */
export function distributedModeEnv(databaseUrl: string, brokers: readonly string[], topicPrefix: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    STRATA_BUS: 'kafka',
    KAFKA_BROKERS: brokers.join(','),
    STRATA_TOPIC_PREFIX: topicPrefix,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    OUTBOX_POLL_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
  };
}
