import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KpiSeriesLabels, Topics } from '@strata/contracts';
import { KafkaEventBus, newEvent } from '@strata/messaging';
import { portOrFree } from '@strata/runtime';
import { TestDatabase, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { apiCall, startSampleBackend } from './support/api';
import { ServiceProcess, distributedModeEnv, waitForHealthy } from './support/service-process';
import { closeClients, countBy, sendMany, steadyLoad } from './support/traffic';

const STACK = 'shop';
const GROUP = 'shop-1';
/** One-minute windows of history ending now: the six-step horizon, and its peak, lie minutes ahead. */
const STEP_MS = 60_000;
const POINTS = 80;

const manifest = `
apiVersion: strata.dev/v1
kind: Stack
metadata: { name: ${STACK} }
spec: { environments: [ { name: production } ] }
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: shop-api, stack: ${STACK} }
spec: { type: app }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-api, version: 1.0.0 }
spec: { spec: { artifact: "registry.example.com/shop-api:1.0.0", port: 8080 } }
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: shop-lb, stack: ${STACK} }
spec: { type: lb-rule }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: shop-lb, version: 1.0.0 }
spec: { spec: { routes: [ { match: { pathPrefix: / }, to: shop-api } ] } }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: ${GROUP}, stack: ${STACK} }
spec: { members: { shop-api: 1.0.0, shop-lb: 1.0.0 } }
`;

interface Proposal {
  id: string;
  status: string;
  component: string;
  reason: string;
  change: { weights: Record<string, number>; peakAt: string };
  staging: { method: string; mirror?: { verdict: string; nodeWeights: Record<string, number>; nodeShares: { differs: boolean; nodes: { node: string; share: number; expectedShare: number }[] }; production: { requests: number }; mirror: { requests: number } } } | null;
  promotion: { version?: string; versionGroup?: string; executionId?: string; error: string | null } | null;
}

/** Deterministic noise in [-1, 1] (Park–Miller), so every run forecasts the same series. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return (state / 2_147_483_647) * 2 - 1;
  };
}

/**
 * Acceptance of issue [P] point 4: "a forecast load shift on a node produces an lb-rule proposal
 * that is validated in staging with mirrored traffic and promoted before the forecast peak".
 * Registry, routing-control, the rollback service, metrics-ingest, predictive-staging and a gateway
 * as separate processes on PostgreSQL and Kafka, two sample backends announcing themselves by
 * heartbeat. The tests run in order and share the processes.
 */
describe('predicted lb weights, validated with mirrored traffic and promoted before the peak (distributed mode)', () => {
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('e2e-plb');
  let database: TestDatabase;
  let stateDir: string;
  let bus: KafkaEventBus;
  const urls: Record<'registry' | 'routing' | 'rollback' | 'metrics' | 'predictive' | 'gateway', string> = {} as never;
  const processes: ServiceProcess[] = [];
  /** Backend node id (x-strata-node) → its address, the node's id in the routing policy and its KPI label. */
  const addresses: Record<string, string> = {};
  const backends: ServiceProcess[] = [];
  let proposal: Proposal;

  const call = <T = Record<string, unknown>>(base: keyof typeof urls, method: string, path: string, body?: unknown, contentType?: string) => apiCall<T>(urls[base], method, path, body, contentType);

  beforeAll(async () => {
    database = await createTestDatabase('e2e-predictive-lb');
    stateDir = mkdtempSync(join(tmpdir(), 'strata-e2e-plb-'));
    const common = distributedModeEnv(database.url, brokers, topicPrefix);
    const [registry, routing, rollback, metrics, predictive, gateway, admin] = await Promise.all(Array.from({ length: 7 }, () => portOrFree(0, '127.0.0.1')));
    for (const [name, port] of Object.entries({ registry, routing, rollback, metrics, predictive, gateway })) urls[name as keyof typeof urls] = `http://127.0.0.1:${port}`;
    const services: [ServiceProcess, string][] = [
      [new ServiceProcess('registry', { ...common, PORT: String(registry) }), urls.registry],
      [new ServiceProcess('routing-control', { ...common, PORT: String(routing) }), urls.routing],
      [new ServiceProcess('rollback', { ...common, PORT: String(rollback), ROLLBACK_EXECUTION_TICK_MS: '200' }), urls.rollback],
      [new ServiceProcess('metrics-ingest', { ...common, PORT: String(metrics), METRICS_COLLECTORS_ENABLED: 'false' }), urls.metrics],
      [
        new ServiceProcess('predictive-staging', {
          ...common,
          PORT: String(predictive),
          STRATA_REGISTRY_URL: urls.registry,
          STRATA_ROLLBACK_URL: urls.rollback,
          STRATA_ROUTING_CONTROL_URL: urls.routing,
          PREDICTIVE_LSTM_ENABLED: 'false',
          PREDICTIVE_FORECAST_INTERVAL_MS: '0',
          PREDICTIVE_FORECAST_HORIZON: '6',
          PREDICTIVE_FORECAST_ORIGINS: '5',
          PREDICTIVE_FORECAST_MIN_POINTS: '60',
          PREDICTIVE_MIRROR_SETTLE_MS: '30000',
          PREDICTIVE_PROMOTION_WAIT_MS: '60000',
        }),
        urls.predictive,
      ],
      [
        new ServiceProcess('gateway', { ...common, HOST: '127.0.0.1', PORT: String(gateway), STRATA_GATEWAY_ADMIN_PORT: String(admin), STRATA_GATEWAY_ID: 'gw-plb', STRATA_GATEWAY_STATE_DIR: stateDir, STRATA_GATEWAY_STACK: STACK, STRATA_GATEWAY_ENVIRONMENT: 'production' }),
        `http://127.0.0.1:${admin}`,
      ],
    ];
    for (const [service] of services) service.start();
    processes.push(...services.map(([service]) => service));
    bus = new KafkaEventBus({ brokers, clientId: 'e2e-plb', topicPrefix, partitions: 3, replicationFactor: 1 });
    await Promise.all([bus.start(), ...services.map(([service, url]) => waitForHealthy(url, service, 180_000))]);

    const applied = await call('registry', 'POST', '/v1/apply', manifest, 'application/yaml');
    expect({ status: applied.status, body: applied.body }).toMatchObject({ status: 200 });
    for (const node of ['node-a', 'node-b']) {
      const backend = await startSampleBackend('1.0.0', node, { STRATA_HEARTBEAT_URL: urls.registry, STRATA_HEARTBEAT_INTERVAL_MS: '1000', STRATA_SAMPLE_STACK: STACK, STRATA_SAMPLE_COMPONENT: 'shop-api' });
      backends.push(backend.process);
      addresses[node] = backend.url.replace('http://', '');
    }
    // On Kafka the rollback service learns the group once its consumer has joined: until then 422 not-yet-known.
    const deploy = await eventually(async () => {
      const answer = await call<{ id: string }>('rollback', 'POST', `/v1/stacks/${STACK}/environments/production/deploy`, { versionGroup: GROUP });
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 202 });
      return answer.body;
    }, 60_000, 250);
    await eventually(async () => expect((await call<{ status: string }>('rollback', 'GET', `/v1/executions/${deploy.id}`)).body.status).toBe('succeeded'), 60_000, 250);
    // Both heartbeated nodes serve through the gateway, spread evenly (no weights yet).
    await eventually(async () => expect(Object.keys(countBy(await sendMany(urls.gateway, 40), (answer) => (answer.status === 200 ? answer.node : `status ${answer.status}`))).sort()).toEqual(['node-a', 'node-b']), 60_000, 250);
  }, 300_000);

  afterAll(async () => {
    await closeClients();
    await bus?.stop();
    await Promise.all([...processes, ...backends].map((process) => process.stop()));
    await database?.drop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('a forecast load shift on node-a proposes lb-rule weights moving traffic to node-b, before the peak', async () => {
    const labels = (node: string): KpiSeriesLabels => ({ stack: STACK, environment: 'production', component: 'shop-api', stackConfig: GROUP, node: addresses[node] as string, metric: 'gateway_requests_total' });
    // The forecast needs 80 one-minute windows of history: live, metrics-ingest would take 80 minutes to close them (it
    // publishes a window once its cursor passes it, never behind it). So the history goes where metrics-ingest puts its
    // windows, kpi.windows, as io.strata.kpi.window.v1 events: the path predictive-staging builds every series from.
    const firstWindow = Math.floor(Date.now() / STEP_MS) * STEP_MS - POINTS * STEP_MS;
    const rising = noise(3);
    const flat = noise(5);
    const history: Record<string, number[]> = {
      'node-a': Array.from({ length: POINTS }, (_, t) => 100 + 3 * t + 2 * rising()),
      'node-b': Array.from({ length: POINTS }, () => 100 + 2 * flat()),
    };
    for (const node of ['node-b', 'node-a']) {
      const seriesId = `e2e-plb-${node}`;
      await bus.publish(
        (history[node] as number[]).map((value, index) => {
          const windowStart = firstWindow + index * STEP_MS;
          const data = { series: labels(node), seriesId, windowStart, windowEnd: windowStart + STEP_MS, count: 10, sum: value, mean: value, min: value, max: value, p50: value, p95: value, p99: value };
          return { topic: Topics.kpiWindows, key: seriesId, value: JSON.stringify(newEvent({ type: 'io.strata.kpi.window.v1', service: 'metrics-ingest', subject: seriesId, data })) };
        }),
      );
      // Forecast on request once every window is in (the scheduler is off): node-b's first, so node-a's completes the pair.
      await eventually(async () => {
        const answer = await call<{ historyPoints?: number }>('predictive', 'POST', `/v1/series/${seriesId}/forecasts`);
        expect({ status: answer.status, historyPoints: answer.body.historyPoints }).toEqual({ status: 201, historyPoints: POINTS });
      }, 60_000, 500);
    }

    const listed = (await call<{ items: Proposal[] }>('predictive', 'GET', `/v1/proposals?kind=lb-weights&stack=${STACK}`)).body.items;
    expect(listed).toHaveLength(1);
    proposal = listed[0] as Proposal;
    expect(proposal).toMatchObject({ status: 'proposed', component: 'shop-lb' });
    expect(proposal.change.weights[addresses['node-a'] as string]).toBeLessThan(proposal.change.weights[addresses['node-b'] as string] as number);
    expect(Date.parse(proposal.change.peakAt)).toBeGreaterThan(Date.now());
  }, 90_000);

  it('stages the weights, validates them on mirrored production traffic, promotes them before the peak, and the gateway splits by them', async () => {
    expect((await call<Proposal>('predictive', 'POST', `/v1/proposals/${proposal.id}/stage`)).body).toMatchObject({ status: 'staged', staging: { method: 'compile-check' } });

    const load = steadyLoad(urls.gateway, 60);
    let validated: Proposal;
    try {
      const answer = await call<Proposal>('predictive', 'POST', `/v1/proposals/${proposal.id}/validate`, { mirror: { sampleRate: 0.5, windowSeconds: 20, minRequests: 100 } });
      expect({ status: answer.status, proposal: answer.body.status, verdict: answer.body.staging?.mirror?.verdict, reason: answer.body.reason }).toMatchObject({ status: 200, proposal: 'validated', verdict: 'pass' });
      validated = answer.body;
    } finally {
      await load.stop();
    }
    const trial = validated.staging?.mirror;
    expect(trial?.nodeWeights).toEqual(proposal.change.weights);
    expect(trial?.nodeShares.differs).toBe(false);
    // The production answers during the trial: every one a 200 (the copies' answers never reach a caller).
    expect(countBy(load.answers, (answer) => String(answer.status))).toEqual({ '200': load.answers.length });

    const promoted = await call<Proposal>('predictive', 'POST', `/v1/proposals/${proposal.id}/promote`, {});
    expect({ status: promoted.status, body: promoted.body }).toMatchObject({ status: 200, body: { status: 'promoted', promotion: { version: '1.1.0', error: null } } });
    expect(Date.now()).toBeLessThan(Date.parse(proposal.change.peakAt));

    // The gateway applies the policy routing-control derives from shop-lb 1.1.0: requests split by the proposed weights.
    const weights = proposal.change.weights;
    const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
    const expected = (weights[addresses['node-b'] as string] as number) / total;
    await eventually(async () => {
      const answers = await sendMany(urls.gateway, 1_000);
      const counts = countBy(answers, (answer) => (answer.status === 200 ? answer.node : `status ${answer.status}`));
      // sigma of the share over 1,000 requests is at most 1.6 pp: 6 pp is almost 4 sigma.
      expect({ counts, off: Math.abs((counts['node-b'] ?? 0) / 1_000 - expected) < 0.06 }).toMatchObject({ off: true });
      expect((counts['node-a'] ?? 0) + (counts['node-b'] ?? 0)).toBe(1_000);
    }, 30_000, 500);
    process.stdout.write(`predictive lb weights: ${JSON.stringify({ weights, trial: { production: trial?.production.requests, copies: trial?.mirror.requests, shares: trial?.nodeShares.nodes }, peakAt: proposal.change.peakAt, promotedAt: new Date().toISOString() })}\n`);
  }, 120_000);
});
