import { KpiSeriesLabels, Topics } from '@strata/contracts';
import { Gateway } from '@strata/gateway';
import { InMemoryEventBus, KafkaEventBus, newEvent } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { PredictiveStagingModule, readPredictiveStagingSettings } from '@strata/predictive-staging';
import { RegistryModule, TokensService } from '@strata/registry';
import { RollbackModule } from '@strata/rollback';
import { RoutingControlModule } from '@strata/routing-control';
import { eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { ServiceTestApp, freePort, startServiceTestApp } from '@strata/testing/harness';
import { mkdtempSync, rmSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

const STACK = 'shop';
const LOAD = 'gateway_requests_total';
/** One-minute windows ending now: the six-step forecast horizon, and its peak, lie minutes ahead. */
const STEP_MS = 60_000;
const POINTS = 80;

interface Proposal {
  id: string;
  kind: string;
  status: string;
  component: string;
  reason: string;
  change: { weights: Record<string, number>; peakAt: string; stackConfig: string };
  staging: { method: string; validated: boolean; shares: Record<string, number>; reason: string } | null;
  promotion: { component: string; version?: string; versionGroup?: string; executionId?: string; error: string | null } | null;
}

interface Execution {
  id: string;
  status: string;
  steps: { component: string; action: string; status: string; error: string | null }[];
}

interface PolicyVersion {
  version: number;
  config: { stableConfig: string; stackConfigs: { name: string; weight: number; nodes: { id: string; url: string }[] }[]; nodeWeights?: Record<string, number>; routes?: unknown[] };
  sources: { nodeWeights: string | null; routes: string | null } | null;
}

/** Deterministic noise in [-1, 1] (Park–Miller), so every run forecasts the same series. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return (state / 2_147_483_647) * 2 - 1;
  };
}

/** A backend node answering with its id, on a free loopback port. */
async function startNode(): Promise<{ server: Server; address: string }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`node ${(server.address() as AddressInfo).port}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Issue [P] point 4's promotion as the embedded mode runs it, on PostgreSQL and Kafka: the registry,
 * routing-control, the rollback service and predictive-staging on one origin. Two nodes of the app
 * report by heartbeat; per-node load forecasts (one node's load rising) make an lb-weights proposal,
 * staged by a compile check, validated, and promoted before the peak: an lb-rule version carrying
 * the weights, deployed by the forward execution. The routing policy routing-control then publishes
 * carries them, and a gateway given that policy splits real requests between the nodes by them.
 */
describe('lb-weights proposal promoted as an lb-rule version', () => {
  let sut: ServiceTestApp<KafkaEventBus>;
  const nodes: { server: Server; address: string }[] = [];
  const http = () => sut.http();

  const untilDone = (id: string) =>
    eventually(
      async () => {
        const current = (await http().get(`/v1/executions/${id}`).expect(200)).body as Execution;
        if (!['succeeded', 'failed', 'abandoned'].includes(current.status)) throw new Error(`execution still ${current.status}`);
        return current;
      },
      60_000,
      100,
    );

  const feed = async (seriesId: string, series: KpiSeriesLabels, values: readonly number[], firstWindow: number) => {
    const messages = values.map((value, i) => {
      const windowStart = firstWindow + i * STEP_MS;
      const event = newEvent({ type: 'io.strata.kpi.window.v1', service: 'metrics-ingest', subject: seriesId, data: { series, seriesId, windowStart, windowEnd: windowStart + STEP_MS, count: 10, sum: value, mean: value, min: value, max: value, p50: value, p95: value, p99: value } });
      return { topic: Topics.kpiWindows, key: seriesId, value: JSON.stringify(event) };
    });
    await sut.bus.publish(messages);
  };

  /** Forecasts the series once all its windows are in (its forecast counts them). */
  const forecastWhole = (seriesId: string) =>
    eventually(
      async () => {
        const answer = await http().post(`/v1/series/${seriesId}/forecasts`);
        expect({ status: answer.status, historyPoints: (answer.body as { historyPoints?: number }).historyPoints }).toEqual({ status: 201, historyPoints: POINTS });
      },
      90_000,
      500,
    );

  beforeAll(async () => {
    nodes.push(await startNode(), await startNode());
    const port = await freePort();
    const settings = readPredictiveStagingSettings(
      { PREDICTIVE_LSTM_ENABLED: 'false', PREDICTIVE_FORECAST_INTERVAL_MS: '0', PREDICTIVE_FORECAST_HORIZON: '6', PREDICTIVE_FORECAST_ORIGINS: '5', PREDICTIVE_FORECAST_MIN_POINTS: '60', PREDICTIVE_PROMOTION_WAIT_MS: '60000' },
      `http://127.0.0.1:${port}`,
    );
    sut = await startServiceTestApp({
      label: 'lb-weights-promotion',
      poolSize: 6,
      outboxPollIntervalMs: 50,
      bus: () => new KafkaEventBus({ brokers: requireKafkaBrokers(), clientId: 'lb-weights-promotion', topicPrefix: uniqueTopicPrefix('lbw'), partitions: 3, replicationFactor: 1 }),
      modules: (options) => [
        RegistryModule.register(options),
        RoutingControlModule.register(options, { tickMs: 100, resyncMs: 0 }),
        RollbackModule.register(options, { tickMs: 100 }),
        PredictiveStagingModule.register(options, settings, {}),
      ],
      tokenLookup: (built) => built.get(TokensService, { strict: false }),
    });
    await sut.app.listen(port, '127.0.0.1');

    await http().post('/v1/stacks').send({ name: STACK, environments: [{ name: 'production' }] }).expect(201);
    await http().post('/v1/components').send({ name: 'shop-api', stack: STACK, type: 'app' }).expect(201);
    await http().post('/v1/components').send({ name: 'shop-lb', stack: STACK, type: 'lb-rule' }).expect(201);
    // The app step need not wait for a healthy node: the nodes below only answer HTTP.
    await http().post('/v1/components/shop-api/versions').send({ version: '1.0.0', config: { minReadyNodes: 0 }, spec: { artifact: 'registry.example/shop-api:1.0.0', port: 8080 } }).expect(201);
    await http().post('/v1/components/shop-lb/versions').send({ version: '1.0.0', spec: { routes: [{ match: { pathPrefix: '/' }, to: 'shop-api' }] } }).expect(201);
    await http().post(`/v1/stacks/${STACK}/version-groups`).send({ name: 'shop-1', environment: 'production', members: [{ component: 'shop-api', version: '1.0.0' }, { component: 'shop-lb', version: '1.0.0' }] }).expect(201);
    for (const node of nodes) {
      await http().post('/v1/nodes/heartbeat').send({ stack: STACK, environment: 'production', location: 'production', component: 'shop-api', address: node.address, version: '1.0.0' }).expect(200);
    }
    // On Kafka the rollback service learns the group once its consumer group has joined: until then, 422 not-yet-known.
    const first = await eventually(
      async () => {
        const answer = await http().post(`/v1/stacks/${STACK}/environments/production/deploy`).send({ versionGroup: 'shop-1' });
        expect({ status: answer.status, body: answer.status === 202 ? {} : answer.body }).toEqual({ status: 202, body: {} });
        return answer.body as Execution;
      },
      120_000,
      500,
    );
    expect((await untilDone(first.id)).status).toBe('succeeded');
  }, 240_000);

  afterAll(async () => {
    await sut?.close();
    await Promise.all(nodes.map((node) => new Promise((resolve) => node.server.close(resolve))));
  });

  let proposal: Proposal;

  it('proposes weights shifted away from the node whose forecast load rises, for the stack\'s lb-rule component', async () => {
    const [busy, calm] = nodes.map((node) => node.address) as [string, string];
    const labels = (node: string): KpiSeriesLabels => ({ stack: STACK, environment: 'production', component: 'shop-api', stackConfig: 'shop-1', node, metric: LOAD });
    const firstWindow = Math.floor(Date.now() / STEP_MS) * STEP_MS - POINTS * STEP_MS;
    const rising = noise(3);
    const flat = noise(5);
    await feed('lbw-busy', labels(busy), Array.from({ length: POINTS }, (_, t) => 100 + 3 * t + 2 * rising()), firstWindow);
    await feed('lbw-calm', labels(calm), Array.from({ length: POINTS }, () => 100 + 2 * flat()), firstWindow);
    await forecastWhole('lbw-calm');
    await forecastWhole('lbw-busy');

    const listed = (await http().get(`/v1/proposals?kind=lb-weights&stack=${STACK}`).expect(200)).body.items as Proposal[];
    expect(listed).toHaveLength(1);
    proposal = listed[0] as Proposal;
    expect(proposal).toMatchObject({ status: 'proposed', component: 'shop-lb' });
    expect(proposal.change.weights[busy]).toBeLessThan(50);
    expect(Date.parse(proposal.change.peakAt)).toBeGreaterThan(Date.now());
  }, 180_000);

  it('stages it by a compile check (no traffic check), validates it, and promotes it before the peak as shop-lb 1.1.0 deployed by the forward execution', async () => {
    const staged = (await http().post(`/v1/proposals/${proposal.id}/stage`).expect(200)).body as Proposal;
    expect(staged.staging).toMatchObject({ method: 'compile-check', validated: true });
    await http().post(`/v1/proposals/${proposal.id}/validate`).expect(200);

    const promoted = (await http().post(`/v1/proposals/${proposal.id}/promote`).send({}).expect(200)).body as Proposal;

    expect(promoted).toMatchObject({ status: 'promoted', promotion: { component: 'shop-lb', version: '1.1.0', versionGroup: expect.stringMatching(/^shop-weights-/), error: null } });
    const version = (await http().get('/v1/components/shop-lb/versions/1.1.0').expect(200)).body as { spec: unknown };
    expect(version.spec).toEqual({ routes: [{ match: { pathPrefix: '/' }, to: 'shop-api' }], nodeWeights: proposal.change.weights });
    const execution = (await http().get(`/v1/executions/${promoted.promotion?.executionId}`).expect(200)).body as Execution;
    expect(execution).toMatchObject({ status: 'succeeded' });
    expect(execution.steps.map((step) => `${step.action} ${step.component}`)).toContain('apply shop-lb');
  }, 120_000);

  it('the routing policy routing-control publishes to gateways carries the weights, and a gateway given it splits requests by them', async () => {
    const group = (await http().get(`/v1/proposals/${proposal.id}`).expect(200)).body.promotion.versionGroup as string;
    const policy = (await http().get(`/v1/stacks/${STACK}/environments/production/routing-policy`).expect(200)).body as PolicyVersion;
    expect(policy.config).toMatchObject({ stableConfig: group, nodeWeights: proposal.change.weights });
    expect(policy.config.stackConfigs[0]?.nodes.map((node) => node.id).sort()).toEqual(nodes.map((node) => node.address).sort());
    expect(policy.sources).toMatchObject({ nodeWeights: 'shop-lb@1.1.0', routes: 'shop-lb@1.1.0' });

    const stateDir = mkdtempSync(join(tmpdir(), 'strata-lbw-gateway-'));
    const bus = new InMemoryEventBus(1);
    await bus.start();
    const gateway = new Gateway({ gatewayId: 'lbw-spec', host: '127.0.0.1', port: 0, admin: { port: 0 }, bus, health: new HealthRegistry(), stateDir, stack: STACK, environment: 'production' });
    try {
      const { port } = await gateway.start();
      expect(gateway.applyRoutingPolicy({ stack: STACK, environment: 'production', version: policy.version, config: policy.config })).toMatchObject({ outcome: 'applied' });
      const counts: Record<string, number> = {};
      for (let batch = 0; batch < 100; batch++) {
        const answers = await Promise.all(Array.from({ length: 20 }, async () => {
          const answer = await request(`http://127.0.0.1:${port}/`);
          return { status: answer.statusCode, body: await answer.body.text() };
        }));
        for (const answer of answers) {
          expect(answer.status).toBe(200);
          counts[answer.body] = (counts[answer.body] ?? 0) + 1;
        }
      }
      const [busy, calm] = nodes.map((node) => node.address) as [string, string];
      const share = (address: string) => (counts[`node ${address.split(':')[1]}`] ?? 0) / 2_000;
      const expected = (address: string) => (proposal.change.weights[address] ?? 0) / ((proposal.change.weights[busy] ?? 0) + (proposal.change.weights[calm] ?? 0));
      // sigma of a share p over 2,000 requests is at most sqrt(0.25 / 2000) = 1.1 pp; 5.5 pp is 5 sigma.
      expect(Math.abs(share(busy) - expected(busy))).toBeLessThan(0.055);
      expect(share(busy) + share(calm)).toBe(1);
    } finally {
      await gateway.stop();
      await bus.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('rolls back like any group: shop-1 again, and the routing policy carries no weights', async () => {
    const started = (await http().post(`/v1/stacks/${STACK}/environments/production/rollback`).send({ reason: 'weights undone' }).expect(202)).body as Execution;
    expect((await untilDone(started.id)).status).toBe('succeeded');
    const policy = (await http().get(`/v1/stacks/${STACK}/environments/production/routing-policy`).expect(200)).body as PolicyVersion;
    expect(policy.config.stableConfig).toBe('shop-1');
    expect(policy.config.nodeWeights).toBeUndefined();
    expect(policy.sources).toMatchObject({ nodeWeights: null, routes: 'shop-lb@1.0.0' });
  }, 90_000);
});
