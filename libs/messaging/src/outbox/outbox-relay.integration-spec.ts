import { StrataEvent } from '@strata/contracts';
import { createServiceDataSource } from '@strata/persistence';
import { TestDatabase, aStackCreatedEvent, createTestDatabase, eventually } from '@strata/testing';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { InMemoryEventBus } from '../bus/in-memory-event-bus';
import { withInbox } from '../inbox/inbox-handler';
import { InboxRepository } from '../inbox/inbox.repository';
import { createMessagingTables, dropMessagingTables } from './messaging-tables';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

const SCHEMA = 'relay_test';

class MessagingTables1700000000000 implements MigrationInterface {
  name = 'MessagingTables1700000000000';
  up(queryRunner: QueryRunner): Promise<void> {
    return createMessagingTables(queryRunner, SCHEMA);
  }
  down(queryRunner: QueryRunner): Promise<void> {
    return dropMessagingTables(queryRunner, SCHEMA);
  }
}

describe(OutboxRelay.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const outbox = new OutboxRepository(SCHEMA);

  beforeAll(async () => {
    database = await createTestDatabase('outbox');
    dataSource = createServiceDataSource({ schema: SCHEMA, url: database.url, entities: [], migrations: [MessagingTables1700000000000] });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  beforeEach(() => dataSource.query(`TRUNCATE ${SCHEMA}.outbox, ${SCHEMA}.inbox`));

  async function collect(bus: InMemoryEventBus): Promise<StrataEvent[]> {
    const received: StrataEvent[] = [];
    await bus.subscribe({
      groupId: `collector-${Math.random()}`,
      topics: ['registry.events'],
      handler: async (message) => void received.push(JSON.parse(message.value!.toString()) as StrataEvent),
    });
    return received;
  }

  function relay(bus: InMemoryEventBus, pollIntervalMs = 5_000): OutboxRelay {
    return new OutboxRelay({ dataSource, schema: SCHEMA, bus, pollIntervalMs, retentionHours: 1 });
  }

  it('publishes events of committed transactions in commit order, woken by NOTIFY', async () => {
    const bus = new InMemoryEventBus(3);
    await bus.start();
    const received = await collect(bus);
    // Poll interval 60 s: arriving within the 10 s deadlines below proves the LISTEN/NOTIFY wake-up works.
    const sut = relay(bus, 60_000);
    sut.start();
    try {
      await eventually(async () => {
        const listeners = (await dataSource.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND state = 'idle' AND query ILIKE 'LISTEN %'`,
          [`strata-${SCHEMA}-outbox-listener`],
        )) as unknown[];
        expect(listeners).toHaveLength(1);
      }, 10_000);
      const events = Array.from({ length: 5 }, () => aStackCreatedEvent('checkout'));
      for (const event of events) {
        await dataSource.transaction((manager) => outbox.append(manager, [event]));
      }
      await eventually(() => expect(received.map((event) => event.id)).toEqual(events.map((event) => event.id)), 10_000);
      // The relay marks rows after the bus acknowledges them, so a consumer can see an event before its row is marked.
      await eventually(async () => {
        const [row] = (await dataSource.query(`SELECT count(*)::int AS pending FROM ${SCHEMA}.outbox WHERE published_at IS NULL`)) as { pending: number }[];
        expect(row?.pending).toBe(0);
      }, 10_000);
    } finally {
      await sut.stop();
      await bus.stop();
    }
  });

  it('stops at once when stopped while a batch is in flight, not after its poll interval', async () => {
    const bus = new InMemoryEventBus(1);
    await bus.start();
    const publish = bus.publish.bind(bus);
    let publishing!: () => void;
    const inFlight = new Promise<void>((resolve) => (publishing = resolve));
    bus.publish = async (messages) => {
      publishing();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return publish(messages);
    };
    const sut = relay(bus, 60_000);
    await dataSource.transaction((manager) => outbox.append(manager, [aStackCreatedEvent()]));
    sut.start();
    await inFlight;
    const started = Date.now();
    await sut.stop();
    // The old loop went idle for its whole 60 s poll interval after the batch, so stop() (and shutdown) waited for it.
    expect(Date.now() - started).toBeLessThan(5_000);
    await bus.stop();
  });

  it('never publishes events of a rolled-back transaction', async () => {
    const bus = new InMemoryEventBus(1);
    await bus.start();
    const received = await collect(bus);
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.append(manager, [aStackCreatedEvent()]);
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    expect(await relay(bus).drain()).toBe(0);
    expect(received).toEqual([]);
    await bus.stop();
  });

  it('refuses to write outside a transaction', async () => {
    await expect(outbox.append(dataSource.manager, [aStackCreatedEvent()])).rejects.toThrow('inside the transaction');
  });

  it('keeps rows when the bus refuses them and publishes them once it is back', async () => {
    const bus = new InMemoryEventBus(1);
    await bus.start();
    const received = await collect(bus);
    const event = aStackCreatedEvent();
    await dataSource.transaction((manager) => outbox.append(manager, [event]));
    const publish = bus.publish.bind(bus);
    bus.publish = async () => {
      throw new Error('broker unreachable');
    };
    await expect(relay(bus).drain()).rejects.toThrow('broker unreachable');
    bus.publish = publish;
    expect(await relay(bus).drain()).toBe(1);
    await eventually(() => expect(received.map((published) => published.id)).toEqual([event.id]));
    await bus.stop();
  });

  it('prunes published rows past retention, never pending ones', async () => {
    const [old, recent, pending] = [aStackCreatedEvent(), aStackCreatedEvent(), aStackCreatedEvent()];
    await dataSource.transaction((manager) => outbox.append(manager, [old, recent, pending]));
    await dataSource.query(`UPDATE ${SCHEMA}.outbox SET published_at = now() - interval '3 hours' WHERE event_id = $1`, [old.id]);
    await dataSource.query(`UPDATE ${SCHEMA}.outbox SET published_at = now() WHERE event_id = $1`, [recent.id]);
    await dataSource.query(`UPDATE ${SCHEMA}.outbox SET created_at = now() - interval '3 hours' WHERE event_id = $1`, [pending.id]);
    expect(await outbox.prunePublished(dataSource.manager, 2)).toBe(1);
    const rows = (await dataSource.query(`SELECT event_id FROM ${SCHEMA}.outbox ORDER BY seq`)) as { event_id: string }[];
    expect(rows.map((row) => row.event_id)).toEqual([recent.id, pending.id]);
    expect(await outbox.backlog(dataSource.manager)).toBe(1);
  });

  it('publishes each event once when two replicas relay together', async () => {
    const bus = new InMemoryEventBus(1);
    await bus.start();
    const received = await collect(bus);
    const events = Array.from({ length: 200 }, () => aStackCreatedEvent('checkout'));
    await dataSource.transaction((manager) => outbox.append(manager, events));
    const replicas = [relay(bus), relay(bus)];
    await Promise.all(replicas.map((replica) => replica.drain()));
    await Promise.all(replicas.map((replica) => replica.drain()));
    await eventually(() => expect(received).toHaveLength(200));
    expect(received.map((event) => event.id)).toEqual(events.map((event) => event.id));
    await bus.stop();
  });
});

describe(withInbox.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const inbox = new InboxRepository(SCHEMA);

  beforeAll(async () => {
    database = await createTestDatabase('inbox');
    dataSource = createServiceDataSource({ schema: SCHEMA, url: database.url, entities: [], migrations: [MessagingTables1700000000000] });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
    await dataSource.runMigrations();
    await dataSource.query(`CREATE TABLE ${SCHEMA}.effects (event_id text NOT NULL)`);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const effects = async () => ((await dataSource.query(`SELECT event_id FROM ${SCHEMA}.effects`)) as { event_id: string }[]).map((row) => row.event_id);

  it('applies a redelivered event once per consumer group', async () => {
    const apply = (group: string) =>
      withInbox(dataSource, inbox, group, async (event, manager) => {
        await manager.query(`INSERT INTO ${SCHEMA}.effects VALUES ($1)`, [`${group}:${event.id}`]);
      });
    const event = aStackCreatedEvent();
    await apply('a')(event);
    await apply('a')(event);
    await apply('b')(event);
    expect((await effects()).sort()).toEqual([`a:${event.id}`, `b:${event.id}`]);
  });

  it('forgets the claim when the handler fails, so the retry applies it', async () => {
    const event = aStackCreatedEvent();
    let fail = true;
    const sut = withInbox(dataSource, inbox, 'c', async (received, manager) => {
      await manager.query(`INSERT INTO ${SCHEMA}.effects VALUES ($1)`, [`c:${received.id}`]);
      if (fail) {
        throw new Error('crash mid-handler');
      }
    });
    await expect(sut(event)).rejects.toThrow('crash mid-handler');
    fail = false;
    await sut(event);
    expect((await effects()).filter((effect) => effect.startsWith('c:'))).toEqual([`c:${event.id}`]);
  });
});
