import { INestApplication, Module } from '@nestjs/common';
import { BusModule, EventBus, InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry, ObservabilityModule, createApi } from '@strata/observability';
import { TestDatabase, createTestDatabase } from '@strata/testing';
import { Client } from 'pg';
import request from 'supertest';
import { RegistryModule } from '../registry.module';

@Module({})
class RegistryTestRootModule {}

export interface RegistryTestApp {
  app: INestApplication;
  sql: Client;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The registry as one process serves it, on a fresh database, with an in-memory bus unless given another. */
export async function startRegistryTestApp(label: string, bus: EventBus = new InMemoryEventBus(1)): Promise<RegistryTestApp> {
  const database: TestDatabase = await createTestDatabase(label);
  const options = { database: { url: database.url, poolSize: 4 }, outbox: { pollIntervalMs: 100, retentionHours: 1 } };
  const app = await createApi(
    { module: RegistryTestRootModule, imports: [ObservabilityModule.forRoot(new HealthRegistry()), BusModule.forRoot(bus), RegistryModule.register(options)] },
    { title: 'test', description: 'test', version: '1' },
  );
  await app.init();
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  return {
    app,
    sql,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await sql.end();
      await app.close();
      await database.drop();
    },
  };
}
