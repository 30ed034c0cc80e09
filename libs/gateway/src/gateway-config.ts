import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { BusConfig, DEFAULT_SERVICE_PORTS, Environment, logLevel, parseEnvironment, port, readBusConfig } from '@strata/config';

export interface GatewayConfig {
  gatewayId: string;
  host: string;
  port: number;
  logLevel: z.infer<typeof logLevel>;
  bus: BusConfig;
  /** Where the last-known-good routing config is kept, so a restart serves without the control plane. */
  stateDir: string;
  /** Which kind of environment this gateway serves; version-mismatch reports carry it. */
  location: 'staging' | 'production';
  /** The stack and environment whose routing configs this gateway applies; unset: the first it is given. */
  stack: string | undefined;
  environment: string | undefined;
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
  STRATA_GATEWAY_STACK: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a stack name').optional(),
  STRATA_GATEWAY_ENVIRONMENT: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be an environment name').optional(),
});

/** Each gateway has a stable id: it names its consumer group (every gateway sees every config). */
export function readGatewayConfig(env: Environment = process.env): GatewayConfig {
  const parsed = parseEnvironment(gatewaySchema, env);
  const gatewayId = parsed.STRATA_GATEWAY_ID ?? hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return {
    gatewayId,
    host: parsed.HOST,
    port: parsed.PORT,
    logLevel: parsed.LOG_LEVEL,
    bus: readBusConfig(env, `strata-gateway-${gatewayId}`, 'kafka'),
    stateDir: parsed.STRATA_GATEWAY_STATE_DIR ?? join(parsed.STRATA_DATA_DIR, 'gateway', gatewayId),
    location: parsed.STRATA_GATEWAY_LOCATION,
    stack: parsed.STRATA_GATEWAY_STACK,
    environment: parsed.STRATA_GATEWAY_ENVIRONMENT,
  };
}
