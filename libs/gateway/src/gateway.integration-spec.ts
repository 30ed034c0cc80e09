import { eventually } from '@strata/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request as undiciRequest } from 'undici';
import { StrataEvent, kpiSamplesV1 } from '@strata/contracts';
import { RoutingConfig } from '@strata/domain';
import { EventBus, InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { Gateway } from './gateway';

const root = join(__dirname, '..', '..', '..');

interface SampleBackend {
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

async function setFaults(backend: SampleBackend, faults: { errorRate?: number; latencyMs?: number }): Promise<void> {
  const answer = await undiciRequest(`${backend.url}/_faults`, { method: 'POST', body: JSON.stringify(faults) });
  await answer.body.dump();
}

/** A bus as it looks with Kafka unreachable: every call fails. */
class UnreachableBus implements EventBus {
  readonly transport = 'kafka' as const;
  readonly unreachable = (): Promise<never> => Promise.reject(new Error('broker unreachable'));
  start = this.unreachable;
  stop = (): Promise<void> => Promise.resolve();
  publish = this.unreachable;
  subscribe = this.unreachable;
  probe = this.unreachable;
}

interface Answer {
  status: number;
  stackConfig: string | undefined;
  node: string | undefined;
  retriedFrom: string | undefined;
  contentType: string | undefined;
  body: string;
}

describe(Gateway.name, () => {
  let v1a: SampleBackend;
  let v1b: SampleBackend;
  let v2: SampleBackend;
  let bus: InMemoryEventBus;
  let stateDir: string;
  let sut: Gateway;
  let base: string;
  let version = 0;

  const routingConfig = (overrides: Partial<RoutingConfig> = {}): RoutingConfig => ({
    component: 'checkout',
    stableConfig: 'v1',
    stackConfigs: [
      {
        name: 'v1',
        weight: 90,
        nodes: [
          { id: 'v1-a', url: v1a.url, version: '1.0.0' },
          { id: 'v1-b', url: v1b.url, version: '1.0.0' },
        ],
      },
      { name: 'v2', weight: 10, nodes: [{ id: 'v2-a', url: v2.url, version: '2.0.0' }] },
    ],
    rules: [],
    retryBudget: { ratio: 0.5, minRetriesPerSecond: 100 },
    // Long enough that an ejected node stays out for the rest of a test on a loaded machine.
    outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 5_000, maxEjectionMs: 10_000 },
    ...overrides,
  });

  const apply = (config: unknown): ReturnType<Gateway['applyRoutingConfig']> =>
    sut.applyRoutingConfig({ stack: 'shop', environment: 'prod', version: ++version, config });

  async function send(path = '/', headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET', target = base): Promise<Answer> {
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

  async function startGateway(options: { bus?: EventBus; dir?: string } = {}): Promise<Gateway> {
    const gateway = new Gateway({ gatewayId: 'test', host: '127.0.0.1', port: 0, bus: options.bus ?? bus, health: new HealthRegistry(), stateDir: options.dir ?? stateDir, kpiFlushMs: 100, busRetryMs: 50 });
    base = `http://127.0.0.1:${await gateway.start()}`;
    return gateway;
  }

  function collect(topic: 'kpi.samples' | 'registry.events'): StrataEvent[] {
    const events: StrataEvent[] = [];
    void bus.subscribe({ groupId: `probe-${topic}-${Math.random()}`, topics: [topic], handler: async (message) => void events.push(JSON.parse(String(message.value)) as StrataEvent) });
    return events;
  }

  beforeAll(async () => {
    [v1a, v1b, v2] = await Promise.all([startBackend('1.0.0', 'v1-a'), startBackend('1.0.0', 'v1-b'), startBackend('2.0.0', 'v2-a')]);
  }, 30_000);

  afterAll(() => {
    [v1a, v1b, v2].forEach((backend) => backend?.process.kill('SIGTERM'));
  });

  beforeEach(async () => {
    await Promise.all([v1a, v1b, v2].map((backend) => setFaults(backend, {})));
    bus = new InMemoryEventBus(1);
    await bus.start();
    stateDir = mkdtempSync(join(tmpdir(), 'strata-gateway-'));
    sut = await startGateway();
  });

  afterEach(async () => {
    await sut.stop();
    await bus.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('answers 503 problem+json before any routing config arrived', async () => {
    const answer = await send();

    expect(answer.status).toBe(503);
    expect(answer.contentType).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 503, detail: expect.stringMatching(/no valid stack configuration/) });
  });

  it('splits traffic by weight and names the stack config in a response header', async () => {
    expect(apply(routingConfig())).toMatchObject({ outcome: 'applied' });
    const counts: Record<string, number> = {};

    for (let batch = 0; batch < 40; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => send()));
      answers.forEach((answer) => {
        expect(answer.status).toBe(200);
        expect(answer.body).toContain(answer.stackConfig === 'v1' ? '1.0.0' : '2.0.0');
        counts[answer.stackConfig ?? 'none'] = (counts[answer.stackConfig ?? 'none'] ?? 0) + 1;
      });
    }

    // sigma of a 10 % share over 2,000 requests = sqrt(0.1 * 0.9 / 2000) = 0.67 pp; 3.4 pp is 5.07 sigma
    // (a false failure about once in 2.5 million runs; the former 2.5 pp, 3.7 sigma, about 1 in 5,000).
    expect(Math.abs((counts['v2'] ?? 0) / 2_000 - 0.1)).toBeLessThan(0.034);
    expect((counts['v1'] ?? 0) + (counts['v2'] ?? 0)).toBe(2_000);
  }, 30_000);

  it('routes by a header rule 100 %', async () => {
    apply(routingConfig({ rules: [{ match: { header: 'X-Canary', value: 'yes' }, stackConfig: 'v2' }] }));

    const answers = await Promise.all(Array.from({ length: 100 }, () => send('/', { 'x-canary': 'yes' })));

    expect(new Set(answers.map((answer) => answer.stackConfig))).toEqual(new Set(['v2']));
  });

  it('keeps a sticky cookie on one stack config, and spreads different cookies', async () => {
    apply(routingConfig({ stackConfigs: routingConfig().stackConfigs.map((stackConfig) => ({ ...stackConfig, weight: 50 })), stickiness: { cookie: 'session' } }));
    const seen = new Set<string | undefined>();

    for (let user = 0; user < 20; user++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => send('/', { cookie: `theme=dark; session=user-${user}` })));
      expect(new Set(answers.map((answer) => answer.stackConfig)).size).toBe(1);
      seen.add(answers[0].stackConfig);
    }

    expect(seen).toEqual(new Set(['v1', 'v2']));
  });

  it('refuses a caller the network policy does not allow with 403, and counts it', async () => {
    const kpis = collect('kpi.samples');
    apply(routingConfig({ networkPolicy: { allow: [{ from: { header: 'X-Caller', values: ['web'] }, to: 'checkout' }] } }));

    const denied = await send('/', { 'x-caller': 'batch' });
    const allowed = await send('/', { 'x-caller': 'web' });

    expect([denied.status, denied.contentType, allowed.status]).toEqual([403, 'application/problem+json', 200]);
    await eventually(() =>
      expect(kpis.map((event) => kpiSamplesV1.parse(event.data))).toContainEqual(expect.objectContaining({ series: expect.objectContaining({ metric: 'gateway_denied_requests_total' }), samples: [expect.objectContaining({ value: 1 })] })),
    );
  });

  it('NACKs an invalid config with every violation and keeps serving the old one', async () => {
    apply(routingConfig());
    const applied = sut.routingVersion;

    const outcome = apply({ ...routingConfig(), stableConfig: 'v9', component: 'Not A Name' });

    expect(outcome).toMatchObject({ outcome: 'rejected', keptVersion: applied });
    expect(outcome.outcome === 'rejected' ? outcome.violations.map((violation) => violation.field).sort() : []).toEqual(['config.component', 'config.stableConfig']);
    expect(sut.routingVersion).toBe(applied);
    expect((await send()).status).toBe(200);
  });

  it('NACKs a config whose node is the gateway itself, keeping the old one served and on disk', async () => {
    apply(routingConfig());
    const applied = sut.routingVersion;
    const looping = routingConfig();
    looping.stackConfigs[1].nodes[0].url = base;

    const outcome = apply(looping);

    expect(outcome).toMatchObject({
      outcome: 'rejected',
      keptVersion: applied,
      reason: expect.stringContaining('is this gateway'),
      violations: [{ field: 'config.stackConfigs[1].nodes[0].url', message: expect.stringContaining('test') }],
    });
    expect(sut.routingVersion).toBe(applied);
    expect((JSON.parse(readFileSync(join(stateDir, 'last-known-good-routing.json'), 'utf8')) as { version: number }).version).toBe(applied);
    expect((await send()).status).toBe(200);
  });

  it('NACKs a version older than the applied one', () => {
    apply(routingConfig());

    const outcome = sut.applyRoutingConfig({ stack: 'shop', environment: 'prod', version: 1, config: routingConfig() });

    expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/older/) });
  });

  it('retries an idempotent request that failed on the canary once on the stable config', async () => {
    apply(routingConfig({ rules: [{ match: { pathPrefix: '/canary' }, stackConfig: 'v2' }] }));
    await setFaults(v2, { errorRate: 1 });

    const get = await send('/canary');
    const keyed = await send('/canary', { 'idempotency-key': 'k-1' }, 'POST');
    const post = await send('/canary', {}, 'POST');

    expect([get.status, get.stackConfig, get.retriedFrom]).toEqual([200, 'v1', 'v2']);
    expect([keyed.status, keyed.stackConfig]).toEqual([200, 'v1']);
    expect([post.status, post.stackConfig]).toEqual([503, 'v2']);
  });

  it('does not retry beyond the retry budget', async () => {
    await setFaults(v2, { errorRate: 1 });
    // The budget refills one token per second of Date.now(); a frozen clock keeps a slow machine
    // from refilling it between the three requests.
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    let answers: Answer[];
    try {
      apply(routingConfig({ rules: [{ match: { pathPrefix: '/canary' }, stackConfig: 'v2' }], retryBudget: { ratio: 0, minRetriesPerSecond: 1 } }));
      answers = [await send('/canary'), await send('/canary'), await send('/canary')];
    } finally {
      clock.mockRestore();
    }

    expect(answers.map((answer) => answer.status)).toEqual([200, 503, 503]);
  });

  it('ejects a failing node and brings it back after a successful probe', async () => {
    apply(routingConfig({ stackConfigs: [routingConfig().stackConfigs[0]] }));
    await setFaults(v1a, { errorRate: 1 });

    // One at a time: concurrent requests already in flight to the failing node would all fail
    // before the third consecutive failure ejects it, which says nothing about ejection.
    const first = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      first.push(await send());
    }
    const afterEjection = await Promise.all(Array.from({ length: 40 }, () => send()));
    await setFaults(v1a, {});
    // Recovery waits for the ejection backoff to expire; poll rather than guess its timing under load.
    const afterRecovery = await eventually(
      async () => {
        const answers = await Promise.all(Array.from({ length: 20 }, () => send()));
        expect(answers.some((answer) => answer.node === 'v1-a')).toBe(true);
        return answers;
      },
      15_000,
      200,
    );

    expect(first.filter((answer) => answer.status === 503).length).toBeLessThanOrEqual(3);
    expect(afterEjection.map((answer) => answer.node)).toEqual(afterEjection.map(() => 'v1-b'));
    expect(afterRecovery.every((answer) => answer.status === 200)).toBe(true);
  }, 30_000);

  it('answers 503 problem+json when no node of any stack config is reachable', async () => {
    apply({ ...routingConfig(), stackConfigs: [{ name: 'v1', weight: 1, nodes: [{ id: 'gone', url: 'http://127.0.0.1:1' }] }] });

    const answers = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      answers.push(await send());
    }

    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([502, 502, 502]);
    expect(answers.slice(3).map((answer) => [answer.status, answer.contentType])).toEqual([
      [503, 'application/problem+json'],
      [503, 'application/problem+json'],
    ]);
  });

  it('starts without the bus and serves from the last-known-good config on disk', async () => {
    apply(routingConfig({ rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] }));
    await sut.stop();

    sut = await startGateway({ bus: new UnreachableBus() });
    const answer = await send();

    expect([answer.status, answer.stackConfig]).toEqual([200, 'v2']);
    expect(sut.routingVersion).toBe(version);
  });

  it('starts without a config when the one on disk belongs to no valid routing', async () => {
    await sut.stop();

    sut = await startGateway({ dir: join(stateDir, 'empty') });

    expect((await send()).status).toBe(503);
  });

  it('flushes KPIs per stack config and node over the bus', async () => {
    const kpis = collect('kpi.samples');
    apply(routingConfig({ rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] }));

    await Promise.all(Array.from({ length: 10 }, () => send()));

    await eventually(() => {
      const samples = kpis.map((event) => kpiSamplesV1.parse(event.data));
      const requests = samples.filter((sample) => sample.series.metric === 'gateway_requests_total' && sample.series.node === 'v2-a');
      expect(requests.reduce((sum, sample) => sum + sample.samples[0].value, 0)).toBe(10);
      expect(samples).toContainEqual(expect.objectContaining({ series: expect.objectContaining({ stackConfig: 'v2', metric: 'gateway_request_duration_ms' }) }));
    });
    expect(kpis.every((event) => event.type === 'io.strata.kpi.samples.v1')).toBe(true);
  });

  it('mirrors to the staging config without the caller seeing it, recording its KPIs', async () => {
    const kpis = collect('kpi.samples');
    const staging = { name: 'staging', weight: 0, nodes: [{ id: 'staging-a', url: v2.url }] };
    apply(routingConfig({ stackConfigs: [routingConfig().stackConfigs[0], staging], mirror: { stackConfig: 'staging', sampleRate: 1 } }));
    await setFaults(v2, { errorRate: 1 });

    const answers = await Promise.all(Array.from({ length: 10 }, () => send()));

    expect(answers.every((answer) => answer.status === 200 && answer.stackConfig === 'v1')).toBe(true);
    await eventually(() => {
      const mirrored = kpis
        .map((event) => kpiSamplesV1.parse(event.data))
        .filter((sample) => sample.series.stackConfig === 'staging' && sample.series.metric === 'gateway_mirror_errors_5xx_total');
      expect(mirrored.reduce((sum, sample) => sum + sample.samples[0].value, 0)).toBe(10);
    });
  });

  it('reports a node whose version differs from the declared one', async () => {
    const registryEvents = collect('registry.events');
    const config = routingConfig();
    config.stackConfigs[1].nodes[0].version = '2.0.1';
    apply({ ...config, rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] });

    await send();
    await send();

    await eventually(() =>
      expect(registryEvents).toEqual([
        expect.objectContaining({
          type: 'io.strata.registry.version-mismatch.detected.v1',
          data: expect.objectContaining({ declaredVersion: '2.0.1', discoveredVersion: '2.0.0', source: 'response-header', address: v2.url }),
        }),
      ]),
    );
  });

  it('discovers versions from the health payload', async () => {
    const registryEvents = collect('registry.events');
    const config = routingConfig({ healthCheck: { path: '/healthz', intervalMs: 100 } });
    config.stackConfigs[0].nodes[0].version = '0.9.0';
    apply(config);

    await eventually(() => expect(registryEvents.map((event) => (event.data as { source: string }).source)).toContain('health-check'));
  });
});
