import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BusConfig, ConfigError, DEFAULT_SERVICE_PORTS, Environment, logLevel, parseEnvironment, port, readBusConfig } from '@strata/config';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './http-listener';
import { VirtualHostSpec, parseVirtualHosts } from './virtual-hosts';

/** Where the admin listener (`/health`, `/metrics`) listens; Envoy's customary admin port by default. */
export const DEFAULT_ADMIN_PORT = 9901;

/** The gateway's listeners, as one process or inside the embedded launcher. */
export interface GatewayListenersConfig {
  admin: { host: string; port: number };
  limits: ConnectionLimits;
}

export interface GatewayConfig {
  gatewayId: string;
  host: string;
  port: number;
  admin: GatewayListenersConfig['admin'];
  limits: ConnectionLimits;
  logLevel: z.infer<typeof logLevel>;
  bus: BusConfig;
  /** Where the last-known-good routing config is kept, so a restart serves without the control plane. */
  stateDir: string;
  /** Which kind of environment this gateway serves; version-mismatch reports carry it. */
  location: 'staging' | 'production';
  /** The stack and environment whose routing configs this gateway applies; unset: the first it is given. */
  stack: string | undefined;
  environment: string | undefined;
  /** Several stacks and environments, chosen by Host or path prefix (instead of stack and environment). */
  virtualHosts: VirtualHostSpec[] | undefined;
  /** Processes serving the data port (node cluster); 1 runs the gateway in this process alone. */
  workers: number;
}

const gatewaySchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(DEFAULT_SERVICE_PORTS.gateway),
  LOG_LEVEL: logLevel,
  STRATA_GATEWAY_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'must be lowercase letters, digits, dots and dashes')
    .optional(),
  STRATA_DATA_DIR: z.string().min(1).default('.strata'),
  STRATA_GATEWAY_STATE_DIR: z.string().min(1).optional(),
  STRATA_GATEWAY_LOCATION: z.enum(['staging', 'production']).default('production'),
  STRATA_GATEWAY_WORKERS: z.coerce.number({ message: 'must be a number of processes' }).int('must be a whole number').min(1, 'must be at least 1').max(256, 'must be at most 256').optional(),
});

const scopeSchema = z.object({
  STRATA_GATEWAY_STACK: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a stack name').optional(),
  STRATA_GATEWAY_ENVIRONMENT: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be an environment name').optional(),
  STRATA_GATEWAY_VIRTUAL_HOSTS: z.string().optional(),
});

/** What a gateway serves: one stack and environment (pinned, or the first config given), or virtual hosts. */
export type GatewayScopeConfig = Pick<GatewayConfig, 'stack' | 'environment' | 'virtualHosts'>;

/** Read the same way by `apps/gateway` and by the embedded launcher, whose gateway serves several stacks only when told. */
export function readGatewayScopeConfig(env: Environment): GatewayScopeConfig {
  const parsed = parseEnvironment(scopeSchema, env);
  return { stack: parsed.STRATA_GATEWAY_STACK, environment: parsed.STRATA_GATEWAY_ENVIRONMENT, virtualHosts: readVirtualHosts(parsed) };
}

const milliseconds = (fallback: number, min: number, max: number) =>
  z.coerce.number({ message: 'must be a number of milliseconds' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).default(fallback);

const listenersSchema = z
  .object({
    STRATA_GATEWAY_ADMIN_HOST: z.string().min(1).optional(),
    STRATA_GATEWAY_ADMIN_PORT: port(DEFAULT_ADMIN_PORT),
    STRATA_GATEWAY_HEADERS_TIMEOUT_MS: milliseconds(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs, 1_000, 300_000),
    STRATA_GATEWAY_REQUEST_TIMEOUT_MS: milliseconds(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs, 1_000, 3_600_000),
    STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: milliseconds(DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs, 1_000, 600_000),
  })
  .superRefine((value, context) => {
    if (value.STRATA_GATEWAY_REQUEST_TIMEOUT_MS < value.STRATA_GATEWAY_HEADERS_TIMEOUT_MS) {
      context.addIssue({ code: 'custom', path: ['STRATA_GATEWAY_REQUEST_TIMEOUT_MS'], message: `must be at least STRATA_GATEWAY_HEADERS_TIMEOUT_MS (${value.STRATA_GATEWAY_HEADERS_TIMEOUT_MS})` });
    }
  });

/**
 * The admin listener and the connection limits, read the same way by `apps/gateway` and by the
 * embedded launcher; `data` is the data listener, named by the variable that sets its port.
 */
export function readGatewayListenersConfig(env: Environment, data: { host: string; port: number; portVariable: string }): GatewayListenersConfig {
  const parsed = parseEnvironment(listenersSchema, env);
  const admin = { host: parsed.STRATA_GATEWAY_ADMIN_HOST ?? data.host, port: parsed.STRATA_GATEWAY_ADMIN_PORT };
  if (admin.port !== 0 && admin.port === data.port) {
    throw new ConfigError([`STRATA_GATEWAY_ADMIN_PORT: must differ from ${data.portVariable}, the data port (got '${admin.port}')`]);
  }
  return {
    admin,
    limits: {
      headersTimeoutMs: parsed.STRATA_GATEWAY_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: parsed.STRATA_GATEWAY_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: parsed.STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS,
    },
  };
}

/** Each gateway has a stable id: it names its consumer group (every gateway sees every config). */
export function readGatewayConfig(env: Environment = process.env): GatewayConfig {
  const parsed = parseEnvironment(gatewaySchema, env);
  const gatewayId = parsed.STRATA_GATEWAY_ID ?? hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return {
    gatewayId,
    host: parsed.HOST,
    port: parsed.PORT,
    ...readGatewayListenersConfig(env, { host: parsed.HOST, port: parsed.PORT, portVariable: 'PORT' }),
    logLevel: parsed.LOG_LEVEL,
    bus: readBusConfig(env, `strata-gateway-${gatewayId}`, 'kafka'),
    stateDir: parsed.STRATA_GATEWAY_STATE_DIR ?? join(parsed.STRATA_DATA_DIR, 'gateway', gatewayId),
    location: parsed.STRATA_GATEWAY_LOCATION,
    ...readGatewayScopeConfig(env),
    workers: parsed.STRATA_GATEWAY_WORKERS ?? availableParallelism(),
  };
}

function readVirtualHosts(parsed: z.infer<typeof scopeSchema>): VirtualHostSpec[] | undefined {
  const text = parsed.STRATA_GATEWAY_VIRTUAL_HOSTS;
  if (text === undefined) {
    return undefined;
  }
  if (parsed.STRATA_GATEWAY_STACK !== undefined || parsed.STRATA_GATEWAY_ENVIRONMENT !== undefined) {
    throw new ConfigError(['STRATA_GATEWAY_VIRTUAL_HOSTS: names the stacks served; leave STRATA_GATEWAY_STACK and STRATA_GATEWAY_ENVIRONMENT unset with it']);
  }
  try {
    return parseVirtualHosts(text);
  } catch (error: unknown) {
    throw new ConfigError([`STRATA_GATEWAY_VIRTUAL_HOSTS: ${(error as Error).message}`]);
  }
}
