import { Environment, parseEnvironment } from './env';
import { z } from 'zod';

export const port = (fallback: number) =>
  z.coerce.number({ message: 'must be a port number' }).int('must be a whole number').min(0).max(65535).default(fallback);

export const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1).max(max).default(fallback);

export const postgresUrl = z
  .string()
  .refine((value) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL');

export const logLevel = z.enum(['debug', 'info', 'warn', 'error']).default('info');

export const brokerList = z
  .string()
  .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean))
  .refine(
    (brokers) => brokers.length > 0 && brokers.every((broker) => /^[^\s:]+:\d{1,5}$/.test(broker)),
    'must be a comma-separated list of host:port',
  );

/**
 * A bearer token given in configuration (STRATA_ADMIN_TOKEN): the characters of RFC 6750's
 * b64token and at least 32 of them, e.g. `openssl rand -hex 32`.
 */
export const bearerTokenSecret = z
  .string()
  .regex(/^[A-Za-z0-9._~+/-]{32,256}={0,2}$/, 'must be 32 to 256 letters, digits or ._~+/- (e.g. openssl rand -hex 32)');

const logLevelSchema = z.object({ LOG_LEVEL: logLevel });

/**
 * LOG_LEVEL alone, for a process whose other settings come from its parent (a gateway worker is
 * told everything else by its supervisor, and reads no bus or database setting of its own).
 */
export function readLogLevel(env: Environment = process.env): z.infer<typeof logLevel> {
  return parseEnvironment(logLevelSchema, env).LOG_LEVEL;
}

/** A service's base URL (STRATA_<SERVICE>_URL): http(s), no query, fragment or credentials; the trailing slash dropped. */
export const serviceUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return ['http:', 'https:'].includes(url.protocol) && !url.search && !url.hash && !url.username;
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without query, fragment or credentials')
  .transform((value) => value.replace(/\/+$/, ''));
