import { INestApplication, Module } from '@nestjs/common';
import { EventData, EventType, StrataEvent, Topics, parseStrataEvent, topicOfEvent } from '@strata/contracts';
import { BusModule, InMemoryEventBus, newEvent } from '@strata/messaging';
import { HealthRegistry, ObservabilityModule, configuredTokens, createApi } from '@strata/observability';
import { TEST_ADMIN_TOKEN, TestDatabase, TestHttp, authorizedHttp, createTestDatabase } from '@strata/testing';
import { Client } from 'pg';
import { RoutingControlModule } from '../routing-control.module';
import { RolloutTicker } from '../services/rollout-ticker.service';

@Module({})
class RoutingControlTestRootModule {}

export interface RoutingControlTestApp {
  app: INestApplication;
  bus: InMemoryEventBus;
  sql: Client;
  /** The rollout clock; tests move it and tick by hand. */
  clock: { now: number };
  /** Requests as the test admin (TEST_ADMIN_TOKEN) unless they set their own Authorization. */
  http: () => TestHttp;
  /** Publishes an event as its producer would (the registry, a gateway, metrics-ingest). */
  publish<TType extends EventType>(type: TType, service: string, data: EventData<TType>): Promise<StrataEvent<TType>>;
  /** Every event routing-control published on routing.events, in order. */
  routingEvents: StrataEvent[];
  tick(): Promise<void>;
  /** Stops the app and starts a new one on the same database, as a process restart does. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const options = (url: string) => ({ database: { url, poolSize: 4 }, outbox: { pollIntervalMs: 50, retentionHours: 1 } });

async function startApp(databaseUrl: string, bus: InMemoryEventBus, clock: { now: number }): Promise<INestApplication> {
  const app = await createApi(
    {
      module: RoutingControlTestRootModule,
      imports: [ObservabilityModule.forRoot(new HealthRegistry()), BusModule.forRoot(bus), RoutingControlModule.register(options(databaseUrl), { tickMs: 0, resyncMs: 0, now: () => clock.now })],
    },
    { title: 'test', description: 'test', version: '1', auth: { configured: configuredTokens({ adminToken: TEST_ADMIN_TOKEN }) } },
  );
  await app.init();
  return app;
}

/** routing-control as one process serves it, on a fresh database and an in-memory bus, with a hand-driven clock. */
export async function startRoutingControlTestApp(label: string): Promise<RoutingControlTestApp> {
  const database: TestDatabase = await createTestDatabase(label);
  const clock = { now: Date.UTC(2026, 10, 27, 2, 0, 0) };
  const routingEvents: StrataEvent[] = [];
  // The app stops its bus when it closes, so a restarted app gets a new one, as a new process would.
  const newBus = async (): Promise<InMemoryEventBus> => {
    const created = new InMemoryEventBus(1);
    await created.subscribe({
      groupId: 'routing-events-observer',
      topics: [Topics.routingEvents],
      handler: async (message) => {
        const parsed = parseStrataEvent(message.value);
        if (parsed.ok) {
          routingEvents.push(parsed.event);
        }
      },
    });
    return created;
  };
  let bus = await newBus();
  let app = await startApp(database.url, bus, clock);
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  let running = true;
  const stop = async (): Promise<void> => {
    if (running) {
      running = false;
      await app.close();
    }
  };
  const harness: RoutingControlTestApp = {
    get app() {
      return app;
    },
    get bus() {
      return bus;
    },
    sql,
    clock,
    http: () => authorizedHttp(app.getHttpServer()),
    publish: async (type, service, data) => {
      const event = newEvent({ type, service, subject: String((data as { stack?: string }).stack ?? 'none'), data });
      await bus.publish([{ topic: topicOfEvent(type), key: event.subject ?? null, value: JSON.stringify(event) }]);
      return event;
    },
    routingEvents,
    tick: () => app.get(RolloutTicker).tickAll(),
    restart: async () => {
      await stop();
      bus = await newBus();
      app = await startApp(database.url, bus, clock);
      running = true;
    },
    close: async () => {
      await sql.end();
      await stop();
      await database.drop();
    },
  };
  return harness;
}
