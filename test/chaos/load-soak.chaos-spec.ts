import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOrFree } from '@strata/runtime';
import { TestDatabase, aStackName, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { Client } from 'pg';
import { GatewayStatusBody, apiCall, registerDeployedStack, startSampleBackend } from '../e2e/support/api';
import { ServiceProcess, distributedModeEnv, waitForGatewayStarted, waitForHealthy } from '../e2e/support/service-process';
import { Answer, closeClients, steadyLoad } from '../e2e/support/traffic';
import { chaosMode, recordFigures } from './support/figures';
import { gatewayEnvironment } from './support/gateway-environment';
import { gcProbeEnvironment, retainedHeapBytes } from './support/gc-probe';

const HEAP_SERIES = 'strata_process_nodejs_heap_size_used_bytes';
const GATEWAY_RPS = 200;
const KPI_SERIES = 20;
const KPI_SAMPLES_PER_POST = 10;

async function heapUsed(metricsUrl: string): Promise<number> {
  const exposition = await (await fetch(metricsUrl)).text();
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${HEAP_SERIES} `));
  if (!line) {
    throw new Error(`${metricsUrl} exposes no ${HEAP_SERIES}`);
  }
  return Number(line.split(' ')[1]);
}

const toMb = (bytes: number) => Math.round(bytes / 1e5) / 10;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/**
 * [Q] 4. Load and soak: 200 requests/s through the gateway (whose KPI flushes go over Kafka to
 * metrics-ingest) and 2,000 KPI samples/s posted to metrics-ingest, together, for 10 minutes (40 s
 * in the quick cut) after a warm-up. What the gateway and metrics-ingest retain (their heap
 * right after a full GC, at the start and the end of the soak) must grow less than 10 %, the gateway's p99 must hold, no request may fail, and the outbox must not
 * build a backlog.
 */
describe('load and soak', () => {
  const quick = chaosMode() === 'quick';
  const warmUpMs = quick ? 15_000 : 60_000;
  const soakMs = quick ? 40_000 : 600_000;
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('chaos-soak');
  const stack = aStackName('soak');
  const component = `${stack}-api`;
  const gatewayId = `chaos-${stack}`;
  const processes: ServiceProcess[] = [];
  const urls: Record<string, string> = {};
  let backend: { process: ServiceProcess; url: string };
  let database: TestDatabase;
  let stateDir: string;
  let probes: string;

  beforeAll(async () => {
    database = await createTestDatabase('chaos-soak');
    stateDir = mkdtempSync(join(tmpdir(), 'strata-chaos-soak-'));
    probes = mkdtempSync(join(tmpdir(), 'strata-chaos-gc-'));
    const common = distributedModeEnv(database.url, brokers, topicPrefix);
    for (const name of ['registry', 'routing-control', 'metrics-ingest', 'gateway', 'gatewayAdmin']) {
      urls[name] = `http://127.0.0.1:${await portOrFree(0, '127.0.0.1')}`;
    }
    const portOf = (name: string) => new URL(urls[name]!).port;
    backend = await startSampleBackend('1.0.0', 'n1');
    const started = [
      new ServiceProcess('registry', { ...common, PORT: portOf('registry') }),
      new ServiceProcess('routing-control', { ...common, PORT: portOf('routing-control') }),
      new ServiceProcess('metrics-ingest', { ...common, PORT: portOf('metrics-ingest'), ...gcProbeEnvironment(probes) }),
      new ServiceProcess('gateway', { ...gatewayEnvironment(common, { port: portOf('gateway'), adminPort: portOf('gatewayAdmin'), gatewayId, stateDir, stack }), ...gcProbeEnvironment(probes) }),
    ];
    processes.push(...started);
    started.forEach((process) => process.start());
    await Promise.all(
      started.map((process, index) => {
        const url = urls[['registry', 'routing-control', 'metrics-ingest', 'gatewayAdmin'][index]!]!;
        return process.app === 'gateway' ? waitForGatewayStarted(url, process, 120_000) : waitForHealthy(url, process, 120_000);
      }),
    );
    await registerDeployedStack(urls['registry']!, stack, component, [['release-1', '1.0.0']]);
    const policyPath = `/v1/stacks/${stack}/environments/production/routing-policy`;
    const policy = { component, stableConfig: 'release-1', stackConfigs: [{ name: 'release-1', weight: 100, nodes: [{ id: 'n1', url: backend.url, version: '1.0.0' }] }], healthCheck: { path: '/healthz', intervalMs: 1_000 } };
    const put = await eventually(async () => {
      const answer = await apiCall<{ version: number }>(urls['routing-control']!, 'PUT', policyPath, policy);
      expect(answer.status).toBe(200);
      return answer;
    }, 60_000, 250);
    await eventually(async () => {
      const status = await apiCall<GatewayStatusBody>(urls['routing-control']!, 'GET', `${policyPath}/status`);
      expect(status.body.gateways.find((gateway) => gateway.gatewayId === gatewayId)).toMatchObject({ status: 'in-sync', appliedVersion: put.body.version });
    }, 60_000, 250);
  }, 240_000);

  afterAll(async () => {
    await closeClients();
    await Promise.all([...processes, backend?.process].map((process) => process?.stop()));
    await database?.drop();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(probes, { recursive: true, force: true });
  }, 60_000);

  it('keeps retained heaps flat, p99 steady, no failed request and no outbox backlog under sustained traffic and KPI ingest', async () => {
    let ingesting = true;
    let kpiPosts = 0;
    let kpiFailures = 0;
    const kpiFailureStatuses: Record<string, number> = {};
    const ingest = (async () => {
      while (ingesting) {
        const now = Date.now();
        const batches = Array.from({ length: KPI_SERIES }, (_, series) => ({
          series: { stack, environment: 'production', component, node: `soak-${series}`, metric: 'soak_queue_depth' },
          samples: Array.from({ length: KPI_SAMPLES_PER_POST }, (_, index) => ({ timestamp: now - (KPI_SAMPLES_PER_POST - index) * 10, value: Math.random() * 100 })),
        }));
        const status = await apiCall(urls['metrics-ingest']!, 'POST', '/v1/samples', { batches }).then((answer) => String(answer.status), (error: Error) => `${error.message}: ${String(error.cause)}`);
        kpiPosts += 1;
        if (status !== '200') {
          kpiFailures += 1;
          kpiFailureStatuses[status] = (kpiFailureStatuses[status] ?? 0) + 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const load = steadyLoad(urls['gateway']!, GATEWAY_RPS);
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));

    const [gateway, metricsIngest] = [processes[3]!.pid!, processes[2]!.pid!];
    const retainedAtStart = { gateway: await retainedHeapBytes(gateway, probes), metricsIngest: await retainedHeapBytes(metricsIngest, probes) };
    const soakStarted = performance.now();
    const heaps: Record<'gateway' | 'metrics-ingest', number[]> = { gateway: [], 'metrics-ingest': [] };
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    const backlog: number[] = [];
    while (performance.now() - soakStarted < soakMs) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      heaps.gateway.push(await heapUsed(`${urls['gatewayAdmin']}/metrics`));
      heaps['metrics-ingest'].push(await heapUsed(`${urls['metrics-ingest']}/metrics`));
      const { rows } = await sql.query<{ pending: number }>('SELECT (SELECT count(*) FROM registry.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM routing.outbox WHERE published_at IS NULL) AS pending');
      backlog.push(Number(rows[0]!.pending));
    }
    await sql.end();
    const retainedAtEnd = { gateway: await retainedHeapBytes(gateway, probes), metricsIngest: await retainedHeapBytes(metricsIngest, probes) };
    ingesting = false;
    await Promise.all([load.stop(), ingest]);

    const soaked = load.since(soakStarted);
    const slices = 4;
    const sliceMs = soakMs / slices;
    const p99s = Array.from({ length: slices }, (_, slice) => soaked.filter((answer: Answer) => Math.floor((answer.sentAt - soakStarted) / sliceMs) === slice)).map((answers) => percentile(answers.map((answer) => answer.latencyMs), 0.99));
    const failed = soaked.filter((answer) => answer.status !== 200).length;
    const growth = (service: 'gateway' | 'metricsIngest') => (retainedAtEnd[service] - retainedAtStart[service]) / retainedAtStart[service];
    const heapGrowth = { gateway: growth('gateway'), metricsIngest: growth('metricsIngest') };
    recordFigures({
      scenario: 'load-soak',
      injected: `${GATEWAY_RPS} requests/s through the gateway and ${(KPI_SERIES * KPI_SAMPLES_PER_POST * 10).toLocaleString('en')} KPI samples/s to metrics-ingest for ${soakMs / 1_000} s after ${warmUpMs / 1_000} s warm-up`,
      gatewayFailedShare: soaked.length === 0 ? 1 : failed / soaked.length,
      heapGrowthShare: Math.max(heapGrowth.gateway, heapGrowth.metricsIngest),
      heapGrowth,
      retainedMb: { start: { gateway: toMb(retainedAtStart.gateway), metricsIngest: toMb(retainedAtStart.metricsIngest) }, end: { gateway: toMb(retainedAtEnd.gateway), metricsIngest: toMb(retainedAtEnd.metricsIngest) } },
      // heapUsed every 2 s (garbage included: it saws with GC timing; the retained sizes are the measure).
      heapUsedMb: { gateway: heaps.gateway.map(toMb), metricsIngest: heaps['metrics-ingest'].map(toMb) },
      p99Ms: p99s.map((p99) => Math.round(p99 * 10) / 10),
      requests: soaked.length,
      kpiPosts,
      kpiFailures,
      kpiFailureStatuses,
      maxOutboxBacklog: Math.max(...backlog),
    });

    expect(soaked.length).toBeGreaterThan((soakMs / 1_000) * GATEWAY_RPS * 0.8);
    expect(failed).toBe(0);
    expect(kpiFailures).toBe(0);
    expect(heapGrowth.gateway).toBeLessThan(0.1);
    expect(heapGrowth.metricsIngest).toBeLessThan(0.1);
    // Steady: the last stretch's p99 is no worse than twice the first's (a 2-core machine's noise, not a trend).
    expect(p99s.at(-1)!).toBeLessThan(Math.max(2 * p99s[0]!, 20));
    expect(backlog.at(-1)!).toBeLessThan(100);
  }, 900_000);
});
