import { eventually } from '@strata/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request as undiciRequest } from 'undici';
import { GatewayFallbackChangedV1, StrataEvent, gatewayFallbackChangedV1, kpiSamplesV1 } from '@strata/contracts';
import { RoutingConfig } from '@strata/domain';
import { EventBus, InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { Clock } from './clock';
import { ManualClock } from './gateway.testing';
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
  /** The admin listener's origin. */
  let admin: string;
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

  async function startGateway(options: { bus?: EventBus; dir?: string; clock?: Clock } = {}): Promise<Gateway> {
    const gateway = new Gateway({
      gatewayId: 'test',
      host: '127.0.0.1',
      port: 0,
      admin: { port: 0 },
      bus: options.bus ?? bus,
      health: new HealthRegistry(),
      stateDir: options.dir ?? stateDir,
      kpiFlushMs: 100,
      busRetryMs: 50,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const { port, adminPort } = await gateway.start();
    base = `http://127.0.0.1:${port}`;
    admin = `http://127.0.0.1:${adminPort}`;
    return gateway;
  }

  function collect(topic: 'kpi.samples' | 'registry.events' | 'routing.events'): StrataEvent[] {
    const events: StrataEvent[] = [];
    void bus.subscribe({ groupId: `probe-${topic}-${Math.random()}`, topics: [topic], handler: async (message) => void events.push(JSON.parse(String(message.value)) as StrataEvent) });
    return events;
  }

  /** The fallback changes among the events collected, validated against their schema. */
  const fallbackChanges = (events: StrataEvent[]): GatewayFallbackChangedV1[] =>
    events.filter((event) => event.type === 'io.strata.routing.gateway.fallback.changed.v1').map((event) => gatewayFallbackChangedV1.parse(event.data));

  /** One sample of the gateway's own /metrics; NaN when the series is not there. */
  async function metric(name: string, labels: Record<string, string>): Promise<number> {
    const text = (await send('/metrics', {}, 'GET', admin)).body;
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

  const fallbackRequests = (mode: 'fallback' | 'panic', stackConfig: string): Promise<number> =>
    metric('strata_gateway_fallback_requests_total', { stack: 'shop', environment: 'prod', mode, stack_config: stackConfig });
  const inMode = (mode: 'normal' | 'fallback' | 'panic'): Promise<number> => metric('strata_gateway_routing_mode', { stack: 'shop', environment: 'prod', mode });

  /** After a promotion: v2 takes everything, the old stable v1 stays at weight 0 for retries to drain. */
  const promoted = (overrides: Partial<RoutingConfig> = {}): RoutingConfig => {
    const [stable, canary] = routingConfig().stackConfigs;
    return routingConfig({ stackConfigs: [{ ...stable, weight: 0 }, { ...canary, weight: 100 }], ...overrides });
  };

  /** One at a time, and POST so the gateway does not retry on the stable config: every failure is seen and counted. */
  async function sendOneByOne(count: number): Promise<Answer[]> {
    const answers: Answer[] = [];
    for (let attempt = 0; attempt < count; attempt++) {
      answers.push(await send('/', {}, 'POST'));
    }
    return answers;
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
    await sut.persisted();
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
    // The budget refills one token per second of the gateway's clock; a clock that stands still
    // keeps a slow machine from refilling it between the three requests.
    await sut.stop();
    sut = await startGateway({ clock: new ManualClock() });

    apply(routingConfig({ rules: [{ match: { pathPrefix: '/canary' }, stackConfig: 'v2' }], retryBudget: { ratio: 0, minRetriesPerSecond: 1 } }));
    const answers = [await send('/canary'), await send('/canary'), await send('/canary')];

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

  it('keeps sending to the only stack config\'s ejected node in panic rather than answering 503 no-stack-config', async () => {
    apply({ ...routingConfig(), stackConfigs: [{ name: 'v1', weight: 1, nodes: [{ id: 'gone', url: 'http://127.0.0.1:1' }] }] });

    const answers = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      answers.push(await send());
    }

    // Three connect failures eject the node; in panic the next requests still try it.
    expect(answers.map((answer) => [answer.status, answer.contentType])).toEqual(answers.map(() => [502, 'application/problem+json']));
    expect(answers.map((answer) => (JSON.parse(answer.body) as { type: string; detail: string }).detail)).toEqual(answers.map(() => 'the backend node gone of stack config v1 failed to answer'));
    expect(await inMode('panic')).toBe(1);
  });

  it('serves from the old stable at weight 0 once the promoted config\'s only node is ejected, reports it, and goes back when it recovers', async () => {
    const routingEvents = collect('routing.events');
    apply(promoted({ stickiness: { cookie: 'session' } }));
    const countedBefore = await fallbackRequests('fallback', 'v1');
    await setFaults(v2, { errorRate: 1 });

    const untilEjected = await sendOneByOne(10);
    const afterEjection = await Promise.all(
      Array.from({ length: 40 }, (_, index) => send('/', index % 2 === 0 ? { cookie: `session=user-${index}` } : {}, index % 3 === 0 ? 'POST' : 'GET')),
    );
    const counted = (await fallbackRequests('fallback', 'v1')) - countedBefore;
    const gauge = await inMode('fallback');

    // Three failures eject the node (outlierDetection.consecutiveFailures); every request after is served.
    expect(untilEjected.slice(0, 3).map((answer) => [answer.status, answer.stackConfig])).toEqual([
      [503, 'v2'],
      [503, 'v2'],
      [503, 'v2'],
    ]);
    expect([...untilEjected.slice(3), ...afterEjection].map((answer) => [answer.status, answer.stackConfig])).toEqual([...untilEjected.slice(3), ...afterEjection].map(() => [200, 'v1']));
    expect([counted, gauge]).toEqual([7 + 40, 1]);
    await eventually(() =>
      expect(fallbackChanges(routingEvents)).toEqual([
        expect.objectContaining({ stack: 'shop', environment: 'prod', gatewayId: 'test', version, mode: 'fallback', previousMode: 'normal', unavailableConfigs: ['v2'], servingConfigs: ['v1'] }),
      ]),
    );

    await setFaults(v2, {});
    // The node comes back when its ejection is over; poll rather than guess its timing under load.
    const afterRecovery = await eventually(
      async () => {
        const answers = await Promise.all(Array.from({ length: 20 }, () => send()));
        expect(answers.map((answer) => [answer.status, answer.stackConfig])).toEqual(answers.map(() => [200, 'v2']));
        return answers;
      },
      15_000,
      200,
    );

    expect(afterRecovery).toHaveLength(20);
    expect(await inMode('normal')).toBe(1);
    await eventually(() => expect(fallbackChanges(routingEvents).map((change) => [change.previousMode, change.mode, change.servingConfigs])).toEqual([
      ['normal', 'fallback', ['v1']],
      ['fallback', 'normal', ['v2']],
    ]));
  }, 30_000);

  it('routes to the ejected nodes of the weighted config in panic, when no stack config has an available node', async () => {
    const routingEvents = collect('routing.events');
    const [stable] = promoted().stackConfigs;
    apply(promoted({ stackConfigs: [{ ...stable, nodes: [stable.nodes[0]] }, promoted().stackConfigs[1]] }));
    const countedBefore = await fallbackRequests('panic', 'v2');
    await Promise.all([setFaults(v1a, { errorRate: 1 }), setFaults(v2, { errorRate: 1 })]);

    // v2-a fails three times (ejected: fallback to v1), then v1-a three times (ejected: panic).
    const untilPanic = await sendOneByOne(6);
    const inPanicFailing = await sendOneByOne(4);
    await setFaults(v2, {});
    const inPanicServed = await Promise.all(Array.from({ length: 20 }, () => send()));
    const counted = (await fallbackRequests('panic', 'v2')) - countedBefore;
    const gauge = await inMode('panic');

    expect(untilPanic.map((answer) => [answer.status, answer.stackConfig])).toEqual([...Array(3).fill([503, 'v2']), ...Array(3).fill([503, 'v1'])]);
    // The backend's own 503s (JSON), never the gateway's no-stack-config (problem+json).
    expect(inPanicFailing.map((answer) => [answer.status, answer.stackConfig, answer.contentType])).toEqual(inPanicFailing.map(() => [503, 'v2', 'application/json']));
    expect(inPanicServed.map((answer) => [answer.status, answer.stackConfig])).toEqual(inPanicServed.map(() => [200, 'v2']));
    expect([counted, gauge]).toEqual([4 + 20, 1]);
    await eventually(() =>
      expect(fallbackChanges(routingEvents).map((change) => [change.previousMode, change.mode, change.unavailableConfigs, change.servingConfigs])).toEqual([
        ['normal', 'fallback', ['v2'], ['v1']],
        ['fallback', 'panic', ['v1', 'v2'], ['v2']],
      ]),
    );
    // Once v2-a's ejection is over it is available again, and the gateway leaves panic.
    await eventually(() => expect(fallbackChanges(routingEvents).map((change) => change.mode)).toEqual(['fallback', 'panic', 'normal']), 15_000, 200);
  }, 30_000);

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
