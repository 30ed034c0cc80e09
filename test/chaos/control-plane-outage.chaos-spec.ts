import { portOrFree } from '@strata/runtime';
import { TestDatabase, aStackName, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { ServiceProcess, distributedModeEnv, waitForHealthy } from '../e2e/support/service-process';
import { Answer, closeClients, countBy, steadyLoad } from '../e2e/support/traffic';
import { chaosMode, recordFigures } from './support/figures';
import { kafkaBroker, postgresCluster } from './support/infrastructure';
import { ServedStack } from './support/served-stack';

// ServedStack's two releases: release-1 serves 1.0.0, release-2 serves 2.0.0.
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
  const served = new ServedStack(stack, `chaos-${stack}`);
  const processes: Record<string, ServiceProcess> = {};
  const urls: Record<string, string> = {};
  const env: Record<string, Record<string, string>> = {};
  let database: TestDatabase;
  let brokerDown = false;
  let postgresDown = false;
  const routingUrls = () => [urls['routing-control']!];

  async function start(app: string): Promise<void> {
    processes[app] = new ServiceProcess(app, env[app]!);
    processes[app]!.start();
    await waitForHealthy(urls[app]!, processes[app]!, 120_000);
  }

  async function gatewayServes(version: number, timeoutMs: number): Promise<void> {
    await eventually(async () => expect(await served.appliedVersion(routingUrls())).toBe(version), timeoutMs, 250);
  }

  async function putPolicy(canaryWeight: number): Promise<number> {
    const version = await served.putPolicy(routingUrls(), canaryWeight);
    if (version === null) throw new Error('routing-control took no routing policy for a minute');
    return version;
  }

  beforeAll(async () => {
    database = await createTestDatabase('chaos-outage');
    const common = distributedModeEnv(database.url, brokers, topicPrefix);
    for (const name of ['registry', 'routing-control']) {
      urls[name] = `http://127.0.0.1:${await portOrFree(0, '127.0.0.1')}`;
      env[name] = { ...common, PORT: new URL(urls[name]!).port };
    }
    await Promise.all(['registry', 'routing-control'].map(start));
    await served.start(common, urls['registry']!);
  }, 240_000);

  afterAll(async () => {
    // Whatever happened, the machine's database server and broker are left running for the next spec.
    if (postgresDown) postgresCluster('start');
    if (brokerDown) kafkaBroker('start', kafkaPort);
    await closeClients();
    await Promise.all([...Object.values(processes).map((process) => process.stop()), served.stop()]);
    await database?.drop();
  }, 120_000);

  it('serves every request from the last-known-good policy while routing-control, the bus and PostgreSQL are down, and converges when they return', async () => {
    const before = await putPolicy(0);
    await gatewayServes(before, 60_000);
    const load = steadyLoad(served.gatewayUrl, 100);
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
    const after = await putPolicy(100);
    await gatewayServes(after, 120_000);
    const convergedSeconds = (Date.now() - restored) / 1_000;
    const servedAfter = await eventually(async () => {
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
    expect(servedAfter.length).toBeGreaterThan(0);
  }, 600_000);
});
