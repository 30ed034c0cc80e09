import { DeadLetterHeaders, StrataEvent } from '@strata/contracts';
import { EventBus, InMemoryEventBus, IncomingMessage, KafkaEventBus, newEvent } from '@strata/messaging';
import { eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { Client } from 'pg';
import { WindowPublisherService } from './services/window-publisher.service';
import { MetricsTestApp, startMetricsApp, testSettings } from './test-support/metrics-app';

const minute = 60_000;
const SAMPLES_PER_FLUSH = 20;

const transports: Array<[string, () => EventBus]> = [
  ['in-memory', () => new InMemoryEventBus(2)],
  [
    'kafka',
    () =>
      new KafkaEventBus({ brokers: requireKafkaBrokers(), clientId: 'metrics-batches-test', topicPrefix: uniqueTopicPrefix('metrics-batches'), partitions: 2, replicationFactor: 1 }),
  ],
];

describe.each(transports)('metrics-ingest: kpi.samples flushes applied in batches over the %s bus', (transport, createBus) => {
  let harness: MetricsTestApp;
  const deadLetters: IncomingMessage[] = [];
  const base = Math.floor((Date.now() - 30 * minute) / minute) * minute;

  beforeAll(async () => {
    harness = await startMetricsApp(`metrics-batches-${transport}`, testSettings(), createBus());
    await harness.bus.subscribe({ groupId: 'test-dlq', topics: ['dlq'], handler: async (message) => void deadLetters.push(message) });
  });

  afterAll(async () => {
    await harness?.close();
  });

  const flush = (metric: string, timestamp = base): StrataEvent<'io.strata.kpi.samples.v1'> =>
    newEvent({
      type: 'io.strata.kpi.samples.v1',
      service: 'gateway',
      subject: 'batches',
      data: {
        series: { stack: 'batches', environment: 'production', component: 'api', metric },
        samples: Array.from({ length: SAMPLES_PER_FLUSH }, (_, index) => ({ timestamp: timestamp + index * 1_000, value: index })),
      },
    });

  /** One publish, one key: the flushes land in one partition, ready together. */
  const publishTogether = (key: string, events: readonly StrataEvent[]) =>
    harness.bus.publish(events.map((event) => ({ topic: 'kpi.samples' as const, key, value: JSON.stringify(event) })));

  const inboxRows = async (events: readonly StrataEvent[]) => {
    const { rows } = await harness.sql.query<{ event_id: string; processed_at: Date }>(`SELECT event_id, processed_at FROM metrics.inbox WHERE event_id = ANY($1)`, [
      events.map((event) => event.id),
    ]);
    return rows;
  };

  /** Samples stored and samples counted in each rollup table, per metric. */
  const storedCounts = async (metrics: readonly string[]) => {
    const { rows } = await harness.sql.query<{ metric: string; samples: number; r10: number; r60: number }>(
      `SELECT r.metric,
              (SELECT count(*) FROM metrics.samples s WHERE s.series_id = r.id)::int AS samples,
              (SELECT coalesce(sum(count), 0) FROM metrics.rollups_10s s WHERE s.series_id = r.id)::int AS r10,
              (SELECT coalesce(sum(count), 0) FROM metrics.rollups_1m s WHERE s.series_id = r.id)::int AS r60
       FROM metrics.series r WHERE r.metric = ANY($1) ORDER BY r.metric`,
      [metrics],
    );
    return rows;
  };
  const storedOnce = (metrics: readonly string[]) => metrics.map((metric) => ({ metric, samples: SAMPLES_PER_FLUSH, r10: SAMPLES_PER_FLUSH, r60: SAMPLES_PER_FLUSH }));

  it('stores the flushes of a batch in one transaction, and a redelivery of part of it stores nothing twice', async () => {
    const metrics = ['batch_a', 'batch_b', 'batch_c', 'batch_d', 'batch_e'];
    const events = metrics.map((metric) => flush(metric));
    await publishTogether('batch', events);
    await eventually(async () => expect(await inboxRows(events)).toHaveLength(events.length), 30_000);
    // now() is the transaction's start: one commit for the whole batch.
    expect(new Set((await inboxRows(events)).map((row) => row.processed_at.getTime())).size).toBe(1);
    expect(await storedCounts(metrics)).toEqual(storedOnce(metrics));

    const later = flush('batch_f');
    await publishTogether('batch', [...events.slice(2), later, events[3]!]);
    await eventually(async () => expect(await inboxRows([later])).toHaveLength(1), 30_000);
    expect(await inboxRows(events)).toHaveLength(events.length);
    expect(await storedCounts([...metrics, 'batch_f'])).toEqual(storedOnce([...metrics, 'batch_f']));
  });

  it('dead-letters a poison flush with its reason and stores the rest of its batch exactly once', async () => {
    const metrics = ['poison_a', 'poison_b', 'poison_c'];
    const good = metrics.map((metric) => flush(metric));
    const poison = flush('poison_stale', Date.now() - 30 * 86_400_000);
    await publishTogether('poison', [good[0]!, poison, good[1]!, good[2]!]);
    await eventually(async () => expect(await inboxRows(good)).toHaveLength(good.length), 30_000);
    await eventually(() => expect(deadLetters.map((message) => JSON.parse(message.value!.toString()).id)).toContain(poison.id), 30_000);
    const deadLetter = deadLetters.find((message) => JSON.parse(message.value!.toString()).id === poison.id)!;
    expect(deadLetter.headers).toMatchObject({
      [DeadLetterHeaders.reason]: expect.stringMatching(new RegExp(`^permanent failure handling io\\.strata\\.kpi\\.samples\\.v1 ${poison.id}: .*accepted range`)),
      [DeadLetterHeaders.originalTopic]: 'kpi.samples',
      [DeadLetterHeaders.consumerGroup]: 'strata-metrics-ingest.kpi-samples',
    });
    expect(deadLetters.filter((message) => JSON.parse(message.value!.toString()).id === poison.id)).toHaveLength(1);
    expect(await inboxRows([poison])).toEqual([]);
    expect(await storedCounts([...metrics, 'poison_stale'])).toEqual(storedOnce(metrics));
  });

  it('holds a KPI window while the kpi.samples flushes of its time wait to be applied, then publishes it whole, once', async () => {
    const windows = harness.app.get(WindowPublisherService);
    const interval = 10_000;
    const windowEnd = Math.floor(Date.now() / interval) * interval - interval; // due now (grace 2 s), inside the catch-up span
    await windows.publishDue(windowEnd - interval + 2_000); // the cursor just before the window
    const samples = Array.from({ length: 10 }, (_, index) => ({ timestamp: windowEnd - interval + index * 500, value: index }));
    const held = ['held_a', 'held_b'].map((metric) =>
      newEvent({ type: 'io.strata.kpi.samples.v1', service: 'gateway', subject: 'batches', data: { series: { stack: 'batches', environment: 'production', component: 'api', metric }, samples } }),
    );
    const published = async () => {
      const { rows } = await harness.sql.query<{ metric: string; count: number }>(
        `SELECT event->'data'->'series'->>'metric' AS metric, (event->'data'->>'count')::int AS count FROM metrics.outbox
          WHERE event_type = 'io.strata.kpi.window.v1' AND (event->'data'->>'windowEnd')::bigint = $1 AND event->'data'->'series'->>'metric' LIKE 'held_%' ORDER BY 1`,
        [windowEnd],
      );
      return rows;
    };

    // The consumer stands still, as behind a restart's backlog: its transaction waits on the rollups.
    const blocker = new Client({ connectionString: harness.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE metrics.rollups_10s IN EXCLUSIVE MODE');
      await publishTogether('held', held);
      await eventually(async () => {
        const { rows } = await harness.sql.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        expect(rows.length).toBeGreaterThan(0);
      }, 30_000);
      await windows.publishApplied(Date.now());
      expect(await published()).toEqual([]);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }

    await eventually(async () => {
      await windows.publishApplied(Date.now());
      expect(await published()).toEqual([
        { metric: 'held_a', count: samples.length },
        { metric: 'held_b', count: samples.length },
      ]);
    }, 30_000);
  }, 90_000);
});
