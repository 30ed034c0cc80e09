import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOrFree } from '@strata/runtime';
import { TestDatabase, aStackName, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { GatewayStatusBody, apiCall, registerDeployedStack, startSampleBackend } from '../e2e/support/api';
import { ServiceProcess, distributedModeEnv, waitForHealthy } from '../e2e/support/service-process';
import { Answer, closeClients, countBy, steadyLoad } from '../e2e/support/traffic';
import { chaosMode, recordFigures } from './support/figures';
import { gatewayEnvironment } from './support/gateway-environment';
import { kafkaBroker, postgresCluster } from './support/infrastructure';

const STABLE = '1.0.0';
const NEXT = '2.0.0';

/**
 * [Q] 2. Control-plane outage: with steady traffic through a gateway, routing-control and the
 * registry are killed, the Kafka broker and PostgreSQL stopped, for 5 minutes (20 s in the quick
 * cut). The gateway must answer every request from its last-known-good policy meanwhile, and,
 * once everything is back, apply the next policy routing-control publishes.
 */
describe('control-plane outage', () => {
  const outageMs = chaosMode() === 'quick' ? 20_000 : 300_000;
  const brokers = requireKafkaBrokers();
  const kafkaPort = brokers[0]!.split(':')[1]!;
  const topicPrefix = uniqueTopicPrefix('chaos-outage');
  const stack = aStackName('outage');
  const component = `${stack}-api`;
  const gatewayId = `chaos-${stack}`;
  const processes: Record<string, ServiceProcess> = {};
  const urls: Record<string, string> = {};
  const env: Record<string, Record<string, string>> = {};
  const backends: Array<{ process: ServiceProcess; url: string }> = [];
  let database: TestDatabase;
  let stateDir: string;
  let brokerDown = false;
  let postgresDown = false;

  const policyPath = `/v1/stacks/${stack}/environments/production/routing-policy`;
  const policy = (weights: { stable: number; next: number }) => ({
    component,
    stableConfig: 'release-1',
    stackConfigs: [
      { name: 'release-1', weight: weights.stable, nodes: [{ id: 'v1', url: backends[0]!.url, version: STABLE }] },
      { name: 'release-2', weight: weights.next, nodes: [{ id: 'v2', url: backends[1]!.url, version: NEXT }] },
    ],
    healthCheck: { path: '/healthz', intervalMs: 250 },
  });

  async function start(app: string): Promise<void> {
    processes[app] = new ServiceProcess(app, env[app]!);
    processes[app]!.start();
    await waitForHealthy(urls[app === 'gateway' ? 'gatewayAdmin' : app]!, processes[app]!, 120_000);
  }

  async function gatewayServes(version: number, timeoutMs: number): Promise<void> {
    await eventually(
      async () => {
        const status = await apiCall<GatewayStatusBody>(urls['routing-control']!, 'GET', `${policyPath}/status`);
        expect(status.body.gateways.find((gateway) => gateway.gatewayId === gatewayId)).toMatchObject({ status: 'in-sync', appliedVersion: version });
      },
      timeoutMs,
      250,
    );
  }

  async function putPolicy(weights: { stable: number; next: number }): Promise<number> {
    const answer = await eventually(async () => {
      const put = await apiCall<{ version: number }>(urls['routing-control']!, 'PUT', policyPath, policy(weights));
      expect(put.status).toBe(200);
      return put;
    }, 60_000, 250);
    return answer.body.version;
  }

  beforeAll(async () => {
    database = await createTestDatabase('chaos-outage');
    stateDir = mkdtempSync(join(tmpdir(), 'strata-chaos-gateway-'));
    const common = distributedModeEnv(database.url, brokers, topicPrefix);
    for (const name of ['registry', 'routing-control', 'gateway', 'gatewayAdmin']) {
      urls[name] = `http://127.0.0.1:${await portOrFree(0, '127.0.0.1')}`;
    }
    const portOf = (name: string) => new URL(urls[name]!).port;
    env['registry'] = { ...common, PORT: portOf('registry') };
    env['routing-control'] = { ...common, PORT: portOf('routing-control') };
    env['gateway'] = gatewayEnvironment(common, { port: portOf('gateway'), adminPort: portOf('gatewayAdmin'), gatewayId, stateDir, stack });
    backends.push(await startSampleBackend(STABLE, 'v1'), await startSampleBackend(NEXT, 'v2'));
    await Promise.all(['registry', 'routing-control', 'gateway'].map(start));
    await registerDeployedStack(urls['registry']!, stack, component, [
      ['release-1', STABLE],
      ['release-2', NEXT],
    ]);
  }, 240_000);

  afterAll(async () => {
    // Whatever happened, the machine's database server and broker are left running for the next spec.
    if (postgresDown) postgresCluster('start');
    if (brokerDown) kafkaBroker('start', kafkaPort);
    await closeClients();
    await Promise.all([...Object.values(processes), ...backends.map((backend) => backend.process)].map((process) => process.stop()));
    await database?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('serves every request from the last-known-good policy while routing-control, the bus and PostgreSQL are down, and converges when they return', async () => {
    const before = await putPolicy({ stable: 100, next: 0 });
    await gatewayServes(before, 60_000);
    const load = steadyLoad(urls['gateway']!, 100);
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const outageStarted = performance.now();
    await Promise.all([processes['routing-control']!.kill(), processes['registry']!.kill()]);
    kafkaBroker('stop', kafkaPort);
    brokerDown = true;
    postgresCluster('stop');
    postgresDown = true;
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    const during = load.since(outageStarted);

    postgresCluster('start');
    postgresDown = false;
    kafkaBroker('start', kafkaPort);
    brokerDown = false;
    const restored = Date.now();
    await Promise.all(['registry', 'routing-control'].map(start));
    const after = await putPolicy({ stable: 0, next: 100 });
    await gatewayServes(after, 120_000);
    const convergedSeconds = (Date.now() - restored) / 1_000;
    const served = await eventually(async () => {
      const answers = load.since(performance.now() - 1_000);
      expect(countBy(answers, (answer: Answer) => answer.version)).toEqual({ [NEXT]: expect.any(Number) });
      return answers;
    }, 30_000, 250);
    await load.stop();

    const failed = during.filter((answer) => answer.status !== 200);
    recordFigures({
      scenario: 'control-plane-outage',
      injected: `routing-control and registry SIGKILLed, Kafka broker and PostgreSQL stopped for ${outageMs / 1_000} s under 100 requests/s through the gateway`,
      gatewayFailedShare: during.length === 0 ? 1 : failed.length / during.length,
      requestsDuringOutage: during.length,
      failedDuringOutage: failed.length,
      convergedSeconds,
    });

    expect(during.length).toBeGreaterThan((outageMs / 1_000) * 50);
    expect(countBy(failed, (answer) => String(answer.status))).toEqual({});
    expect(countBy(during, (answer) => answer.version)).toEqual({ [STABLE]: during.length });
    expect(served.length).toBeGreaterThan(0);
  }, 600_000);
});
