import { z } from 'zod';
import { Environment, parseEnvironment } from './env';
import { bearerTokenSecret, logLevel, port, positiveInt, postgresUrl } from './fields';
import { BusConfig, OutboxConfig, readBusConfig } from './service-config';

export interface EmbeddedConfig {
  host: string;
  apiPort: number;
  gatewayPort: number;
  dataDir: string;
  /** An external PostgreSQL; when absent the embedded one under dataDir is used. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  logLevel: z.infer<typeof logLevel>;
  bus: BusConfig;
  outbox: OutboxConfig;
  /** STRATA_ADMIN_TOKEN: an admin token every process accepts; when absent the embedded start issues one. */
  adminToken: string | undefined;
}

const embeddedSchema = z.object({
  STRATA_HOST: z.string().min(1).default('127.0.0.1'),
  STRATA_PORT: port(8080),
  STRATA_GATEWAY_PORT: port(8000),
  STRATA_DATA_DIR: z.string().min(1).default('.strata'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: positiveInt(4, 50),
  LOG_LEVEL: logLevel,
  OUTBOX_POLL_INTERVAL_MS: positiveInt(1_000, 60_000),
  OUTBOX_RETENTION_HOURS: positiveInt(24, 24 * 90),
  STRATA_ADMIN_TOKEN: bearerTokenSecret.optional(),
});

/** The all-in-one process: every service, one origin, in-memory bus and embedded PostgreSQL by default. */
export function readEmbeddedConfig(env: Environment = process.env): EmbeddedConfig {
  const parsed = parseEnvironment(embeddedSchema, env);
  return {
    host: parsed.STRATA_HOST,
    apiPort: parsed.STRATA_PORT,
    gatewayPort: parsed.STRATA_GATEWAY_PORT,
    dataDir: parsed.STRATA_DATA_DIR,
    databaseUrl: parsed.DATABASE_URL,
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    logLevel: parsed.LOG_LEVEL,
    bus: readBusConfig(env, 'strata', 'memory'),
    outbox: { pollIntervalMs: parsed.OUTBOX_POLL_INTERVAL_MS, retentionHours: parsed.OUTBOX_RETENTION_HOURS },
    adminToken: parsed.STRATA_ADMIN_TOKEN,
  };
}
