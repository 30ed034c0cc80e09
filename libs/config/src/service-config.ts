import { z } from 'zod';
import { DEFAULT_TOPIC_PREFIX } from '@strata/contracts';
import { Environment, parseEnvironment } from './env';
import { bearerTokenSecret, brokerList, logLevel, port, positiveInt, postgresUrl } from './fields';

export type BusConfig =
  | { transport: 'memory'; topicPrefix: string; partitions: number }
  | {
      transport: 'kafka';
      topicPrefix: string;
      partitions: number;
      brokers: string[];
      clientId: string;
      replicationFactor: number;
      /** How long the group waits for a silent consumer before giving its partitions to others. */
      sessionTimeoutMs: number;
    };

const busSchema = z
  .object({
    STRATA_BUS: z.enum(['kafka', 'memory']).default('kafka'),
    KAFKA_BROKERS: brokerList.optional(),
    KAFKA_CLIENT_ID: z.string().regex(/^[\w.-]+$/, 'must be letters, digits, dots, dashes or underscores').optional(),
    KAFKA_TOPIC_PARTITIONS: positiveInt(3, 1000),
    KAFKA_REPLICATION_FACTOR: positiveInt(1, 7),
    KAFKA_SESSION_TIMEOUT_MS: positiveInt(30_000, 300_000).refine((value) => value >= 6_000, 'must be at least 6000 (the broker minimum)'),
    STRATA_TOPIC_PREFIX: z.string().regex(/^[\w.-]*$/, 'must be letters, digits, dots, dashes or underscores').default(DEFAULT_TOPIC_PREFIX),
  })
  .superRefine((value, context) => {
    if (value.STRATA_BUS === 'kafka' && !value.KAFKA_BROKERS) {
      context.addIssue({ code: 'custom', path: ['KAFKA_BROKERS'], message: 'is required when STRATA_BUS=kafka' });
    }
  });

export function readBusConfig(env: Environment, defaultClientId: string, defaultTransport: 'kafka' | 'memory'): BusConfig {
  const parsed = parseEnvironment(busSchema, { STRATA_BUS: defaultTransport, ...env });
  if (parsed.STRATA_BUS === 'memory') {
    return { transport: 'memory', topicPrefix: parsed.STRATA_TOPIC_PREFIX, partitions: parsed.KAFKA_TOPIC_PARTITIONS };
  }
  return {
    transport: 'kafka',
    topicPrefix: parsed.STRATA_TOPIC_PREFIX,
    partitions: parsed.KAFKA_TOPIC_PARTITIONS,
    brokers: parsed.KAFKA_BROKERS ?? [],
    clientId: parsed.KAFKA_CLIENT_ID ?? defaultClientId,
    replicationFactor: parsed.KAFKA_REPLICATION_FACTOR,
    sessionTimeoutMs: parsed.KAFKA_SESSION_TIMEOUT_MS,
  };
}

export interface DatabaseConfig {
  url: string;
  poolSize: number;
}

export interface OutboxConfig {
  pollIntervalMs: number;
  retentionHours: number;
}

export interface ServiceConfig {
  service: string;
  host: string;
  port: number;
  logLevel: z.infer<typeof logLevel>;
  database: DatabaseConfig;
  bus: BusConfig;
  outbox: OutboxConfig;
  /** STRATA_ADMIN_TOKEN: an admin token every process accepts; when absent the embedded start issues one. */
  adminToken: string | undefined;
}

const serviceSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(0),
  LOG_LEVEL: logLevel,
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: positiveInt(10, 200),
  OUTBOX_POLL_INTERVAL_MS: positiveInt(200, 60_000),
  OUTBOX_RETENTION_HOURS: positiveInt(24, 24 * 90),
  STRATA_ADMIN_TOKEN: bearerTokenSecret.optional(),
});

/** Configuration of one service running as its own process (distributed mode). */
export function readServiceConfig(service: string, defaultPort: number, env: Environment = process.env): ServiceConfig {
  const parsed = parseEnvironment(serviceSchema.extend({ PORT: port(defaultPort) }), env);
  return {
    service,
    host: parsed.HOST,
    port: parsed.PORT,
    logLevel: parsed.LOG_LEVEL,
    database: { url: parsed.DATABASE_URL, poolSize: parsed.DATABASE_POOL_SIZE },
    bus: readBusConfig(env, `strata-${service}`, 'kafka'),
    outbox: { pollIntervalMs: parsed.OUTBOX_POLL_INTERVAL_MS, retentionHours: parsed.OUTBOX_RETENTION_HOURS },
    adminToken: parsed.STRATA_ADMIN_TOKEN,
  };
}

export const DEFAULT_SERVICE_PORTS = {
  registry: 3001,
  'metrics-ingest': 3002,
  'predictive-staging': 3003,
  'routing-control': 3004,
  rollback: 3005,
  gateway: 8000,
} as const;

/** What a service module needs from the configuration of whatever process hosts it. */
export type ServiceModuleOptions = Pick<ServiceConfig, 'database' | 'outbox'>;
