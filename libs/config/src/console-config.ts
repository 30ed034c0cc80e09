import { z } from 'zod';
import { Environment, parseEnvironment } from './env';
import { bearerTokenSecret, logLevel, port, serviceUrl } from './fields';
import { BusConfig, DEFAULT_SERVICE_PORTS, readBusConfig } from './service-config';

/** The services behind the console: every NestJS service of the distributed mode (the gateway is the data plane, not the API). */
export const CONSOLE_UPSTREAMS = ['registry', 'metrics-ingest', 'predictive-staging', 'routing-control', 'rollback'] as const;
export type ConsoleUpstream = (typeof CONSOLE_UPSTREAMS)[number];

/** STRATA_REGISTRY_URL, STRATA_METRICS_INGEST_URL, …: the variable naming where a service listens. */
export function upstreamUrlVariable(service: ConsoleUpstream): string {
  return `STRATA_${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

export interface ConsoleConfig {
  host: string;
  port: number;
  logLevel: z.infer<typeof logLevel>;
  bus: BusConfig;
  /** Each service's base URL, without a trailing slash. */
  upstreams: Record<ConsoleUpstream, string>;
  /** STRATA_ADMIN_TOKEN: accepted for the live stream without asking the registry, as every process accepts it. */
  adminToken: string | undefined;
}

const consoleSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(8080),
  LOG_LEVEL: logLevel,
  STRATA_ADMIN_TOKEN: bearerTokenSecret.optional(),
  ...Object.fromEntries(CONSOLE_UPSTREAMS.map((service) => [upstreamUrlVariable(service), serviceUrl.default(`http://127.0.0.1:${DEFAULT_SERVICE_PORTS[service]}`)])),
});

/**
 * The console of the distributed mode (`strata console`): one origin for the CLI and the dashboard
 * in front of the services. It holds no database; it hears the bus for the dashboard's live stream.
 */
export function readConsoleConfig(env: Environment = process.env): ConsoleConfig {
  const parsed = parseEnvironment(consoleSchema, env) as z.infer<typeof consoleSchema> & Record<string, string>;
  return {
    host: parsed.HOST,
    port: parsed.PORT,
    logLevel: parsed.LOG_LEVEL,
    bus: readBusConfig(env, 'strata-console', 'kafka'),
    upstreams: Object.fromEntries(CONSOLE_UPSTREAMS.map((service) => [service, parsed[upstreamUrlVariable(service)]])) as Record<ConsoleUpstream, string>,
    adminToken: parsed.STRATA_ADMIN_TOKEN,
  };
}
