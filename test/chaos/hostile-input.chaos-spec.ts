import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterHeaders, EventCatalog, EventType, StrataEvent, physicalTopic } from '@strata/contracts';
import { portOrFree } from '@strata/runtime';
import { TestDatabase, aStackCreatedEvent, aStackName, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { Admin, Consumer, Kafka, KafkaMessage, Producer, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ServiceProcess, distributedModeEnv, waitForGatewayStarted, waitForHealthy } from '../e2e/support/service-process';
import { consumerGroupsByTopic, laggingPartitions } from './support/consumer-groups';
import { recordFigures } from './support/figures';
import { gatewayEnvironment } from './support/gateway-environment';

/** Every service that consumes events, as its own process on Kafka and PostgreSQL; a gateway (routing events) beside them. */
const CONSUMING_SERVICES = ['registry', 'routing-control', 'rollback', 'metrics-ingest', 'predictive-staging'] as const;

/** Just under the broker's default message.max.bytes (1,048,588): the broker takes it, a copy with more headers is too large. */
const HUGE_VALUE_BYTES = 1_047_000;

interface Hostile {
  kind: string;
  value: string | null;
  /** The start of the reason a dead letter of it must carry. */
  reason: RegExp;
}

function envelope(type: string, data: unknown, subject = 'chaos'): Record<string, unknown> {
  return { specversion: '1.0', id: randomUUID(), source: '/strata/chaos', type, time: new Date().toISOString(), subject, datacontenttype: 'application/json', data };
}

function aTypeOn(topic: string): EventType {
  const type = (Object.keys(EventCatalog) as EventType[]).find((candidate) => EventCatalog[candidate].topic === topic);
  if (!type) {
    throw new Error(`no event type travels on ${topic}`);
  }
  return type;
}

/** What a careless or hostile producer puts on a topic; none of it may stop a consumer. */
function hostileMessages(topic: string): Hostile[] {
  const known = aTypeOn(topic);
  const huge = JSON.stringify(envelope(known, { padding: '' }));
  return [
    { kind: 'malformed JSON', value: '{"specversion":"1.0","id":', reason: /^value is not JSON/ },
    { kind: 'no value', value: null, reason: /^message has no value/ },
    { kind: 'not a CloudEvent', value: JSON.stringify({ hello: 'world' }), reason: /^not a CloudEvent/ },
    { kind: 'unknown type', value: JSON.stringify(envelope('io.strata.chaos.unknown.v1', {})), reason: /^unknown event type 'io.strata.chaos.unknown.v1'/ },
    { kind: 'data failing its schema', value: JSON.stringify(envelope(known, { chaos: true, count: 'many' })), reason: new RegExp(`^invalid data for ${known.replace(/\./g, '\\.')}`) },
    { kind: 'huge', value: huge.replace('"padding":""', `"padding":"${'x'.repeat(HUGE_VALUE_BYTES - huge.length)}"`), reason: new RegExp(`^invalid data for ${known.replace(/\./g, '\\.')}`) },
  ];
}

function environmentAdded(stack: string, environment: string): StrataEvent<'io.strata.registry.environment.added.v1'> {
  return { ...aStackCreatedEvent(stack), type: 'io.strata.registry.environment.added.v1', data: { stack, environment: { name: environment, mirrors: 'production' } } };
}

/**
 * [Q] 3. Hostile Kafka input: on every topic some service consumes, with a real Kafka client,
 * malformed JSON, an empty value, a non-CloudEvent, an unknown type, data failing its schema and a
 * ~1 MB message; then a duplicate and a reordered pair of registry events. Every bad message must
 * reach the DLQ once per consumer group with its reason, the duplicate apply once, the reordered
 * pair converge, and every partition move on to its end.
 */
describe('hostile Kafka input', () => {
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('chaos-hostile');
  const kafka = new Kafka({ clientId: 'chaos-hostile', brokers, logLevel: logLevel.NOTHING });
  const deadLetters: KafkaMessage[] = [];
  const services: ServiceProcess[] = [];
  let database: TestDatabase;
  let sql: Client;
  let admin: Admin;
  let producer: Producer;
  let dlq: Consumer;
  let gatewayStateDir: string;

  /** A gateway of one stack's production: its routing-policy subscription is a consumer like the services'. */
  async function startGateway(common: Record<string, string>): Promise<void> {
    gatewayStateDir = mkdtempSync(join(tmpdir(), 'strata-chaos-hostile-gateway-'));
    const [port, adminPort] = [await portOrFree(0, '127.0.0.1'), await portOrFree(0, '127.0.0.1')];
    const placement = { port: String(port), adminPort: String(adminPort), gatewayId: `chaos-hostile-${randomUUID().slice(0, 8)}`, stateDir: gatewayStateDir, stack: aStackName('hostile') };
    const gateway = new ServiceProcess('gateway', gatewayEnvironment(common, placement));
    services.push(gateway);
    gateway.start();
    await waitForGatewayStarted(`http://127.0.0.1:${adminPort}`, gateway, 120_000);
  }

  beforeAll(async () => {
    database = await createTestDatabase('chaos-hostile');
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const common = { ...distributedModeEnv(database.url, brokers, topicPrefix), PREDICTIVE_LSTM_ENABLED: 'false' };
    await Promise.all(
      CONSUMING_SERVICES.map(async (app) => {
        const port = await portOrFree(0, '127.0.0.1');
        const service = new ServiceProcess(app, { ...common, PORT: String(port) });
        services.push(service);
        service.start();
        await waitForHealthy(`http://127.0.0.1:${port}`, service, 120_000);
      }),
    );
    await startGateway(common);
    admin = kafka.admin();
    producer = kafka.producer();
    dlq = kafka.consumer({ groupId: `chaos-dlq-${topicPrefix}`, sessionTimeout: 6_000, heartbeatInterval: 1_000, maxBytes: 50 * 1024 * 1024 });
    await Promise.all([admin.connect(), producer.connect(), dlq.connect()]);
    await dlq.subscribe({ topic: physicalTopic(topicPrefix, 'dlq'), fromBeginning: true });
    await dlq.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([dlq?.disconnect(), producer?.disconnect(), admin?.disconnect()]);
    await Promise.all(services.map((service) => service.stop()));
    await sql?.end();
    await database?.drop();
    if (gatewayStateDir) {
      rmSync(gatewayStateDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('dead-letters every bad message with its reason, applies a duplicate once, converges a reordered pair, and every partition moves on', async () => {
    // Every consumer has joined once each group's membership holds still for a few seconds.
    let groups = new Map<string, string[]>();
    await eventually(
      async () => {
        const seen = await consumerGroupsByTopic(admin, topicPrefix);
        const settled = JSON.stringify([...seen]) === JSON.stringify([...groups]) && seen.size >= 6 && [...seen.values()].flat().some((group) => group.startsWith('strata-gateway.'));
        groups = seen;
        expect(settled).toBe(true);
      },
      90_000,
      3_000,
    );

    const sent: Array<{ topic: string; hostile: Hostile; partition: number; offset: string }> = [];
    for (const topic of groups.keys()) {
      for (const hostile of hostileMessages(topic)) {
        const [metadata] = await producer.send({ topic: physicalTopic(topicPrefix, topic as never), messages: [{ key: `hostile-${topic}`, value: hostile.value }] });
        sent.push({ topic, hostile, partition: metadata!.partition, offset: metadata!.baseOffset! });
      }
    }
    const duplicated = aStackCreatedEvent(aStackName('duplicated'));
    const reorderedStack = aStackName('reordered');
    const registryTopic = physicalTopic(topicPrefix, 'registry.events');
    await producer.send({ topic: registryTopic, messages: [duplicated, duplicated].map((event) => ({ key: event.subject, value: JSON.stringify(event) })) });
    await producer.send({
      topic: registryTopic,
      messages: [environmentAdded(reorderedStack, 'staging'), aStackCreatedEvent(reorderedStack)].map((event) => ({ key: reorderedStack, value: JSON.stringify(event) })),
    });

    const started = Date.now();
    let lagging: string[] = [];
    await eventually(
      async () => {
        lagging = await laggingPartitions(admin, topicPrefix, groups);
        expect(lagging).toEqual([]);
      },
      120_000,
      1_000,
    ).catch(() => undefined);
    const caughtUpSeconds = (Date.now() - started) / 1_000;

    const letterOf = (topic: string, offset: string, group: string) =>
      deadLetters.find(
        (letter) => letter.headers?.[DeadLetterHeaders.originalTopic]?.toString() === topic && letter.headers?.[DeadLetterHeaders.originalOffset]?.toString() === offset && letter.headers?.[DeadLetterHeaders.consumerGroup]?.toString() === group,
      );
    const expectedLetters = sent.flatMap(({ topic, hostile, offset }) => (groups.get(topic) ?? []).map((group) => ({ topic, hostile, offset, group })));
    await eventually(() => expect(expectedLetters.filter(({ topic, offset, group }) => !letterOf(topic, offset, group))).toEqual([]), 30_000, 500).catch(() => undefined);
    const missing = expectedLetters.filter(({ topic, offset, group }) => !letterOf(topic, offset, group));
    const wrongReason = expectedLetters.filter(({ topic, offset, group, hostile }) => {
      const letter = letterOf(topic, offset, group);
      return letter !== undefined && !hostile.reason.test(letter.headers?.[DeadLetterHeaders.reason]?.toString() ?? '');
    });

    const catalog = async (stack: string) => (await sql.query<{ applied_events: number; environments: { name: string }[] }>('SELECT applied_events, environments FROM routing.known_stacks WHERE name = $1', [stack])).rows[0];
    const duplicate = await catalog(duplicated.subject!);
    const reordered = await catalog(reorderedStack);

    recordFigures({
      scenario: 'hostile-input',
      injected: `${sent.length} bad messages (${[...new Set(sent.map(({ hostile }) => hostile.kind))].join(', ')}) on ${groups.size} consumed topics read by ${new Set([...groups.values()].flat()).size} consumer groups; a duplicate and a reordered pair of registry events`,
      lostEvents: missing.length + (duplicate ? 0 : 1) + (reordered ? 2 - Math.min(2, reordered.applied_events) : 2),
      duplicateEvents: Math.max(0, (duplicate?.applied_events ?? 1) - 1),
      stuckPartitions: lagging.length,
      deadLettered: expectedLetters.length - missing.length,
      deadLettersExpected: expectedLetters.length,
      wrongReasons: wrongReason.length,
      caughtUpSeconds,
    });

    expect(lagging).toEqual([]);
    expect(missing.map(({ topic, hostile, group }) => `${hostile.kind} on ${topic} for ${group}`)).toEqual([]);
    expect(wrongReason.map(({ topic, hostile, group }) => `${hostile.kind} on ${topic} for ${group}`)).toEqual([]);
    expect(duplicate?.applied_events).toBe(1);
    expect(reordered?.applied_events).toBe(2);
    expect(reordered?.environments.map((environment) => environment.name).sort()).toEqual(['production', 'staging']);
  }, 360_000);
});
