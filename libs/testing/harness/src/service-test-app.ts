import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { TopicName } from '@strata/contracts';
import { IncomingMessage, BusModule, EventBus, InMemoryEventBus } from '@strata/messaging';
import { ApiAuth, HealthRegistry, ObservabilityModule, configuredTokens, createApi } from '@strata/observability';
import { Client } from 'pg';
import { TEST_ADMIN_TOKEN, TestDatabase, TestHttp, authorizedHttp, createTestDatabase } from '@strata/testing';

@Module({})
class ServiceTestRootModule {}

export interface ServiceTestAppOptions<TBus extends EventBus> {
  /** Names the test's own database. */
  label: string;
  /** The service module(s) under test, registered on that database; called again by `restart`. */
  modules: (options: ServiceModuleOptions) => DynamicModule | DynamicModule[];
  /** The bus of one start; the app stops it when it closes, so a restart asks for a new one. An in-memory bus by default. */
  bus?: () => TBus | Promise<TBus>;
  /** Pool size of each module's DataSource (4 unless told). */
  poolSize?: number;
  /** How often the outbox relay polls (100 ms unless told). */
  outboxPollIntervalMs?: number;
  /** How tokens other than TEST_ADMIN_TOKEN are looked up (e.g. the registry's TokensService). */
  tokenLookup?: ApiAuth['lookup'];
  /** Run after each start, e.g. to subscribe observers to the new bus. */
  onStart?: (app: INestApplication, bus: TBus) => void | Promise<void>;
}

/** One or more service modules as one process serves them, on a fresh database of their own. */
export interface ServiceTestApp<TBus extends EventBus = EventBus> {
  readonly app: INestApplication;
  readonly bus: TBus;
  database: TestDatabase;
  /** A plain client on the test database, for assertions on rows. */
  sql: Client;
  /** Requests as the test admin (TEST_ADMIN_TOKEN) unless they set their own Authorization. */
  http: () => TestHttp;
  /** Stops the app and starts a new one on the same database, as a process restart does. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A new in-memory bus on which `groupId` already watches `topics`, so an observer misses nothing the app publishes. */
export async function observedInMemoryBus(groupId: string, topics: readonly TopicName[], observe: (message: IncomingMessage) => void): Promise<InMemoryEventBus> {
  const bus = new InMemoryEventBus(1);
  await bus.subscribe({ groupId, topics, handler: async (message) => observe(message) });
  return bus;
}

/** Builds the app the way the launcher does (`createApi`, observability, bus, the service modules). */
export async function startServiceTestApp<TBus extends EventBus = InMemoryEventBus>(options: ServiceTestAppOptions<TBus>): Promise<ServiceTestApp<TBus>> {
  const database = await createTestDatabase(options.label);
  const moduleOptions: ServiceModuleOptions = {
    database: { url: database.url, poolSize: options.poolSize ?? 4 },
    outbox: { pollIntervalMs: options.outboxPollIntervalMs ?? 100, retentionHours: 1 },
  };
  const newBus = options.bus ?? (() => new InMemoryEventBus(1) as unknown as TBus);
  const start = async (): Promise<{ app: INestApplication; bus: TBus }> => {
    const bus = await newBus();
    const modules = options.modules(moduleOptions);
    const app = await createApi(
      { module: ServiceTestRootModule, imports: [ObservabilityModule.forRoot(new HealthRegistry()), BusModule.forRoot(bus), ...(Array.isArray(modules) ? modules : [modules])] },
      { title: 'test', description: 'test', version: '1', auth: { configured: configuredTokens({ adminToken: TEST_ADMIN_TOKEN }), lookup: options.tokenLookup } },
    );
    await app.init();
    await options.onStart?.(app, bus);
    return { app, bus };
  };
  let current = await start();
  let running = true;
  const stop = async (): Promise<void> => {
    if (running) {
      running = false;
      await current.app.close();
    }
  };
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  return {
    get app() {
      return current.app;
    },
    get bus() {
      return current.bus;
    },
    database,
    sql,
    http: () => authorizedHttp(current.app.getHttpServer()),
    restart: async () => {
      await stop();
      current = await start();
      running = true;
    },
    close: async () => {
      await sql.end();
      await stop();
      await database.drop();
    },
  };
}
