import { INestApplication, Module } from '@nestjs/common';
import { Role } from '@strata/domain';
import { BusModule, EventBus, InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry, ObservabilityModule, configuredTokens, createApi } from '@strata/observability';
import { TEST_ADMIN_TOKEN, TestDatabase, TestHttp, authorizedHttp, createTestDatabase } from '@strata/testing';
import { Client } from 'pg';
import { RegistryModule } from '../registry.module';
import { TokensService } from '../services/tokens.service';

@Module({})
class RegistryTestRootModule {}

export interface RegistryTestApp {
  app: INestApplication;
  sql: Client;
  /** Requests as the test admin (TEST_ADMIN_TOKEN) unless they set their own Authorization. */
  http: () => TestHttp;
  /** Issues a real token for `principal` (operator unless told) and returns its secret, for specs that check the audit name. */
  tokenFor(principal: string, role?: Role): Promise<string>;
  close(): Promise<void>;
}

/** The registry as one process serves it, on a fresh database, with an in-memory bus unless given another. */
export async function startRegistryTestApp(label: string, bus: EventBus = new InMemoryEventBus(1)): Promise<RegistryTestApp> {
  const database: TestDatabase = await createTestDatabase(label);
  const options = { database: { url: database.url, poolSize: 4 }, outbox: { pollIntervalMs: 100, retentionHours: 1 } };
  const app = await createApi(
    { module: RegistryTestRootModule, imports: [ObservabilityModule.forRoot(new HealthRegistry()), BusModule.forRoot(bus), RegistryModule.register(options)] },
    { title: 'test', description: 'test', version: '1', auth: { configured: configuredTokens({ adminToken: TEST_ADMIN_TOKEN }), lookup: (built) => built.get(TokensService) } },
  );
  await app.init();
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  return {
    app,
    sql,
    http: () => authorizedHttp(app.getHttpServer()),
    tokenFor: async (principal, role = 'operator') => (await app.get(TokensService).create({ principal, role }, 'test')).secret,
    close: async () => {
      await sql.end();
      await app.close();
      await database.drop();
    },
  };
}
