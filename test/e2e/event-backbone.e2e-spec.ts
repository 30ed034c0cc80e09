import { DeadLetterHeaders, physicalTopic } from '@strata/contracts';
import { TestDatabase, aStackName, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { portOrFree } from '@strata/runtime';
import { Consumer, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { cutConnections } from './support/connections';
import { E2E_BEARER, ServiceProcess, distributedModeEnv, waitForHealthy } from './support/service-process';

function sum(values: Iterable<number>): number {
  return [...values].reduce((total, value) => total + value, 0);
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

function metricValue(exposition: string, series: string): number {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Two services as separate processes over a real Kafka broker and PostgreSQL: registry writes
 * stacks and their events in one transaction; routing-control folds them into its own catalog.
 * Each event must take effect exactly once through a consumer SIGKILL, a producer whose broker
 * connections are cut, and a poison message on the same partition.
 */
describe('event backbone across processes', () => {
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('e2e');
  let database: TestDatabase;
  let sql: Client;
  let registry: ServiceProcess;
  let routing: ServiceProcess;
  let registryUrl: string;
  let routingUrl: string;
  let routingEnv: Record<string, string>;
  const kafka = new Kafka({ clientId: 'e2e-test', brokers, logLevel: logLevel.NOTHING });
  let dlqConsumer: Consumer;
  const deadLetters: KafkaMessage[] = [];

  const expectedEvents = new Map<string, number>();

  async function createStack(name: string): Promise<void> {
    const response = await fetch(`${registryUrl}/v1/stacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...E2E_BEARER },
      body: JSON.stringify({ name, environments: [{ name: 'production' }] }),
    });
    expect(response.status).toBe(201);
    expectedEvents.set(name, 1);
  }

  async function addEnvironment(stack: string, environment: string): Promise<void> {
    const response = await fetch(`${registryUrl}/v1/stacks/${stack}/environments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...E2E_BEARER },
      body: JSON.stringify({ name: environment, mirrors: 'production' }),
    });
    expect(response.status).toBe(201);
    expectedEvents.set(stack, (expectedEvents.get(stack) ?? 0) + 1);
  }

  async function catalog(): Promise<Map<string, number>> {
    const { rows } = await sql.query<{ name: string; applied_events: number }>('SELECT name, applied_events FROM routing.known_stacks');
    return new Map(rows.map((row) => [row.name, row.applied_events]));
  }

  beforeAll(async () => {
    database = await createTestDatabase('e2e-backbone');
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const common = distributedModeEnv(database.url, brokers, topicPrefix);
    const registryPort = await portOrFree(0, '127.0.0.1');
    const routingPort = await portOrFree(0, '127.0.0.1');
    registryUrl = `http://127.0.0.1:${registryPort}`;
    routingUrl = `http://127.0.0.1:${routingPort}`;
    routingEnv = { ...common, PORT: String(routingPort) };
    registry = new ServiceProcess('registry', { ...common, PORT: String(registryPort) });
    routing = new ServiceProcess('routing-control', routingEnv);
    registry.start();
    routing.start();
    await Promise.all([waitForHealthy(registryUrl, registry), waitForHealthy(routingUrl, routing)]);

    dlqConsumer = kafka.consumer({ groupId: `e2e-dlq-${topicPrefix}`, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: physicalTopic(topicPrefix, 'dlq'), fromBeginning: true });
    await dlqConsumer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
  }, 120_000);

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await Promise.all([registry?.stop(), routing?.stop()]);
    await sql?.end();
    await database?.drop();
  }, 60_000);

  it(
    'applies every event exactly once through a consumer SIGKILL and a cut producer connection',
    async () => {
      const warmUp = Array.from({ length: 10 }, () => aStackName('warm'));
      for (const name of warmUp) {
        await createStack(name);
      }
      await eventually(async () => expect((await catalog()).size).toBe(10), 60_000, 100);

      // A backlog builds while routing-control is down; it comes back and is SIGKILLed in the
      // middle of applying it, holding applied events whose offsets its batch had not committed.
      await routing.stop();
      const backlog = Array.from({ length: 150 }, () => aStackName('backlog'));
      await inParallel(backlog, 8, async (name, index) => {
        await createStack(name);
        if (index % 5 === 0) {
          await addEnvironment(name, 'staging');
        }
      });
      routing = new ServiceProcess('routing-control', routingEnv);
      routing.start();
      await eventually(async () => expect((await catalog()).size).toBeGreaterThanOrEqual(30), 60_000, 5);
      await routing.kill();
      const appliedAtKill = (await catalog()).size;
      expect(appliedAtKill).toBeLessThan(160);
      routing = new ServiceProcess('routing-control', routingEnv);
      routing.start();
      await waitForHealthy(routingUrl, routing);

      // The producer loses its broker connections while events keep being written.
      const afterRestart = Array.from({ length: 30 }, () => aStackName('e2e'));
      for (const [index, name] of afterRestart.entries()) {
        if (index === 5 || index === 20) {
          expect(cutConnections(registry.pid!, Number(brokers[0]!.split(':')[1]))).toBeGreaterThan(0);
        }
        await createStack(name);
        if (index % 4 === 0) {
          await addEnvironment(name, 'canary');
        }
      }

      await eventually(async () => expect(await catalog()).toEqual(expectedEvents), 90_000, 500);
      // The restarted consumer saw again what its predecessor had applied: the inbox absorbed it.
      const metrics = await (await fetch(`${routingUrl}/metrics`)).text();
      expect(metricValue(metrics, 'strata_inbox_duplicates_total{group="strata-routing-control.stack-catalog"}')).toBeGreaterThan(0);
      const { rows } = await sql.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM routing.inbox WHERE consumer_group = 'strata-routing-control.stack-catalog'",
      );
      expect(rows[0]!.count).toBe(sum(expectedEvents.values()));
    },
    240_000,
  );

  it(
    'dead-letters a malformed message with its reason and keeps consuming that partition',
    async () => {
      const producer = kafka.producer();
      await producer.connect();
      const stack = aStackName('after-poison');
      const topic = physicalTopic(topicPrefix, 'registry.events');
      // Same key as the stack created next, so both land on one partition: poison first.
      const [poison] = await producer.send({ topic, messages: [{ key: stack, value: '{"specversion":"1.0","id":' }] });
      await producer.disconnect();

      await createStack(stack);
      await eventually(async () => expect((await catalog()).get(stack)).toBe(1), 60_000, 250);
      // Every consumer group of registry.events reads the poison on its own and dead-letters it.
      const groupOf = (message: KafkaMessage) => message.headers?.[DeadLetterHeaders.consumerGroup]?.toString();
      const lettersOfStack = () => deadLetters.filter((message) => message.key?.toString() === stack);
      await eventually(
        () =>
          expect(lettersOfStack().map(groupOf).sort()).toEqual([
            'strata-routing-control.deployed-groups',
            'strata-routing-control.node-projection',
            'strata-routing-control.stack-catalog',
            'strata-routing-control.token-projection',
          ]),
        30_000,
        250,
      );

      const letter = lettersOfStack().find((message) => groupOf(message) === 'strata-routing-control.stack-catalog')!;
      const header = (name: string) => letter.headers?.[name]?.toString();
      expect(letter.value?.toString()).toBe('{"specversion":"1.0","id":');
      expect(header(DeadLetterHeaders.reason)).toMatch(/^value is not JSON/);
      expect(header(DeadLetterHeaders.originalTopic)).toBe('registry.events');
      expect(header(DeadLetterHeaders.originalPartition)).toBe(String(poison!.partition));
      expect(header(DeadLetterHeaders.originalOffset)).toBe(poison!.baseOffset);
      expect(header(DeadLetterHeaders.consumerGroup)).toBe('strata-routing-control.stack-catalog');
    },
    120_000,
  );

  it(
    "verifies the registry's issued tokens on another service through its projection, and stops at once a revocation arrives",
    async () => {
      const created = await fetch(`${registryUrl}/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', ...E2E_BEARER }, body: JSON.stringify({ principal: 'distributed-bot', role: 'operator' }) });
      expect(created.status).toBe(201);
      const { id, token } = (await created.json()) as { id: string; token: string };
      const asBot = { authorization: `Bearer ${token}` };
      // routing-control never reads the registry's tables: it learns the token from token.changed.
      await eventually(async () => expect((await fetch(`${routingUrl}/v1/rollouts`, { headers: asBot })).status).toBe(200), 30_000, 250);
      const stack = aStackName('token-audit');
      await createStack(stack);
      await eventually(async () => expect((await catalog()).get(stack)).toBe(1), 60_000, 250);
      const rule = await fetch(`${routingUrl}/v1/stacks/${stack}/environments/production/traffic-rules`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...asBot },
        body: JSON.stringify({ name: 'canary-errors', condition: { kind: 'ratio', metric: 'errorRate', above: 2, floor: 0.01 }, forMs: 5000, action: { kind: 'setWeights', weights: { [`${stack}@1`]: 100 } } }),
      });
      expect(rule.status).toBe(201);
      const audited = await sql.query(`SELECT principal, token_id, action FROM routing.audit_log WHERE principal = 'distributed-bot'`);
      expect(audited.rows).toEqual([{ principal: 'distributed-bot', token_id: id, action: 'POST /v1/stacks/:stack/environments/:environment/traffic-rules' }]);

      const revoked = await fetch(`${registryUrl}/v1/tokens/${id}/revoke`, { method: 'POST', headers: E2E_BEARER });
      expect(revoked.status).toBe(200);
      await eventually(async () => expect((await fetch(`${routingUrl}/v1/rollouts`, { headers: asBot })).status).toBe(401), 30_000, 250);
      const known = await sql.query(`SELECT token_hash, revoked_at FROM routing.known_tokens WHERE id = $1`, [id]);
      expect(known.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(known.rows[0].revoked_at).not.toBeNull();
    },
    120_000,
  );
});
