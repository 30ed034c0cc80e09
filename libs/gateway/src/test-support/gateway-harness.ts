import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request as undiciRequest } from 'undici';
import { GatewayFallbackChangedV1, StrataEvent, gatewayFallbackChangedV1 } from '@strata/contracts';
import { RoutingPolicy } from '@strata/domain';
import { EventBus, InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { Clock, Random } from '../clock';
import { Gateway } from '../gateway';
import { specRoutingPolicy } from '../gateway.testing';
import { VirtualHostSpec } from '../virtual-hosts';

const root = join(__dirname, '..', '..', '..', '..');

export interface SampleBackend {
  url: string;
  process: ChildProcess;
}

/** A real sample-backend process on a free loopback port. */
async function startBackend(version: string, nodeId: string): Promise<SampleBackend> {
  const child = spawn(process.execPath, ['-r', join(root, 'deploy/node/register.js'), join(root, 'apps/sample-backend/src/main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', STRATA_SAMPLE_VERSION: version, STRATA_SAMPLE_NODE_ID: nodeId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sample backend exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return { url: `http://127.0.0.1:${port}`, process: child };
}

export async function setFaults(backend: SampleBackend, faults: { errorRate?: number; latencyMs?: number }): Promise<void> {
  const answer = await undiciRequest(`${backend.url}/_faults`, { method: 'POST', body: JSON.stringify(faults) });
  await answer.body.dump();
}

/** A bus as it looks with Kafka unreachable: every call fails. */
export class UnreachableBus implements EventBus {
  readonly transport = 'kafka' as const;
  readonly unreachable = (): Promise<never> => Promise.reject(new Error('broker unreachable'));
  start = this.unreachable;
  stop = (): Promise<void> => Promise.resolve();
  publish = this.unreachable;
  subscribe = this.unreachable;
  probe = this.unreachable;
  positions = this.unreachable;
}

export interface Answer {
  status: number;
  stackConfig: string | undefined;
  node: string | undefined;
  retriedFrom: string | undefined;
  contentType: string | undefined;
  body: string;
}


/**
 * A gateway on loopback in front of three real sample backends (v1 x2, v2), with a fresh
 * in-memory bus and state directory per test: the shared setup of the gateway's integration
 * specs. `register()` installs the hooks in the calling describe block.
 */
export class GatewayHarness {
  v1a!: SampleBackend;
  v1b!: SampleBackend;
  v2!: SampleBackend;
  bus!: InMemoryEventBus;
  stateDir!: string;
  sut!: Gateway;
  base!: string;
  /** The admin listener's origin. */
  admin!: string;
  version = 0;

  /** The spec routing config (v1 x2 at 90, v2 at 10) on the real backends. */
  readonly routingConfig = (overrides: Partial<RoutingPolicy> = {}): RoutingPolicy =>
    specRoutingPolicy(
      {
        retryBudget: { ratio: 0.5, minRetriesPerSecond: 100 },
        // Long enough that an ejected node stays out for the rest of a test on a loaded machine.
        outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 5_000, maxEjectionMs: 10_000 },
        ...overrides,
      },
      { v1a: this.v1a.url, v1b: this.v1b.url, v2: this.v2.url },
    );

  readonly apply = (config: unknown): ReturnType<Gateway['applyRoutingPolicy']> =>
    this.sut.applyRoutingPolicy({ stack: 'shop', environment: 'prod', version: ++this.version, config });

  async send(path = '/', headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET', target = this.base): Promise<Answer> {
    const answer = await undiciRequest(`${target}${path}`, { method, headers });
    const header = (name: string): string | undefined => {
      const value = answer.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    return {
      status: answer.statusCode,
      stackConfig: header('x-strata-stack-config'),
      node: header('x-strata-node'),
      retriedFrom: header('x-strata-retried-from'),
      contentType: header('content-type'),
      body: await answer.body.text(),
    };
  }

  /** Several stacks per gateway in the specs that say so; one otherwise. */
  virtualHosts: VirtualHostSpec[] | undefined;
  /** The routing's random source in the specs that want reproducible picks; Math.random otherwise. */
  random: Random | undefined;

  async startGateway(options: { bus?: EventBus; dir?: string; clock?: Clock } = {}): Promise<Gateway> {
    const gateway = new Gateway({
      gatewayId: 'test',
      host: '127.0.0.1',
      port: 0,
      admin: { port: 0 },
      bus: options.bus ?? this.bus,
      health: new HealthRegistry(),
      stateDir: options.dir ?? this.stateDir,
      kpiFlushMs: 100,
      busRetryMs: 50,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(this.random ? { random: this.random } : {}),
      ...(this.virtualHosts ? { virtualHosts: this.virtualHosts } : {}),
    });
    const { port, adminPort } = await gateway.start();
    this.base = `http://127.0.0.1:${port}`;
    this.admin = `http://127.0.0.1:${adminPort}`;
    return gateway;
  }

  collect(topic: 'kpi.samples' | 'registry.events' | 'routing.events'): StrataEvent[] {
    const events: StrataEvent[] = [];
    void this.bus.subscribe({ groupId: `probe-${topic}-${Math.random()}`, topics: [topic], handler: async (message) => void events.push(JSON.parse(String(message.value)) as StrataEvent) });
    return events;
  }

  /** The fallback changes among the events collected, validated against their schema. */
  readonly fallbackChanges = (events: StrataEvent[]): GatewayFallbackChangedV1[] =>
    events.filter((event) => event.type === 'io.strata.routing.gateway.fallback.changed.v1').map((event) => gatewayFallbackChangedV1.parse(event.data));

  /** One sample of the gateway's own /metrics; NaN when the series is not there. */
  async metric(name: string, labels: Record<string, string>): Promise<number> {
    const text = (await this.send('/metrics', {}, 'GET', this.admin)).body;
    for (const line of text.split('\n')) {
      const sample = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (sample?.[1] === name) {
        const found = Object.fromEntries([...sample[2].matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1], label[2]]));
        if (Object.entries(labels).every(([label, value]) => found[label] === value)) {
          return Number(sample[3]);
        }
      }
    }
    return Number.NaN;
  }

  readonly fallbackRequests = (mode: 'fallback' | 'panic', stackConfig: string): Promise<number> =>
    this.metric('strata_gateway_fallback_requests_total', { stack: 'shop', environment: 'prod', mode, stack_config: stackConfig });
  readonly inMode = (mode: 'normal' | 'fallback' | 'panic'): Promise<number> => this.metric('strata_gateway_routing_mode', { stack: 'shop', environment: 'prod', mode });

  /** After a promotion: this.v2 takes everything, the old stable v1 stays at weight 0 for retries to drain. */
  readonly promoted = (overrides: Partial<RoutingPolicy> = {}): RoutingPolicy => {
    const [stable, canary] = this.routingConfig().stackConfigs;
    return this.routingConfig({ stackConfigs: [{ ...stable, weight: 0 }, { ...canary, weight: 100 }], ...overrides });
  };

  /** One at a time, and POST so the gateway does not retry on the stable config: every failure is seen and counted. */
  async sendOneByOne(count: number): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let attempt = 0; attempt < count; attempt++) {
      answers.push(await this.send('/', {}, 'POST'));
    }
    return answers;
  }

  register(virtualHosts?: VirtualHostSpec[]): void {
    this.virtualHosts = virtualHosts;
    beforeAll(async () => {
      [this.v1a, this.v1b, this.v2] = await Promise.all([startBackend('1.0.0', 'v1-a'), startBackend('1.0.0', 'v1-b'), startBackend('2.0.0', 'v2-a')]);
    }, 30_000);

    afterAll(() => {
      [this.v1a, this.v1b, this.v2].forEach((backend) => backend?.process.kill('SIGTERM'));
    });

    beforeEach(async () => {
      await Promise.all([this.v1a, this.v1b, this.v2].map((backend) => setFaults(backend, {})));
      this.bus = new InMemoryEventBus(1);
      await this.bus.start();
      this.stateDir = mkdtempSync(join(tmpdir(), 'strata-gateway-'));
      this.sut = await this.startGateway();
    });

    afterEach(async () => {
      await this.sut.stop();
      await this.bus.stop();
      rmSync(this.stateDir, { recursive: true, force: true });
    });
  }
}
